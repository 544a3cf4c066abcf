package bus

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/vigia-cx/vigia/pkg/config"
)

// AuthOptions turns the NATS identity and TLS settings into connect options:
// a credentials file (JWT + nkey seed) or a user with a password (from the
// value or, winning over it, a file), and TLS 1.2+ with an optional private
// root CA and client certificate. Files are read here, so a missing or
// unreadable one fails at start-up with its path, never later on a
// reconnect. Secrets never appear in errors or logs.
func AuthOptions(a config.NATSAuth) ([]nats.Option, error) {
	var opts []nats.Option
	if a.CredsFile != "" && (a.User != "" || a.Password != "" || a.PasswordFile != "") {
		return nil, errors.New("nats auth: set either a credentials file or a user and password, not both")
	}
	if a.CredsFile != "" {
		if err := readable(a.CredsFile); err != nil {
			return nil, fmt.Errorf("nats credentials file: %w", err)
		}
		opts = append(opts, nats.UserCredentials(a.CredsFile))
	}
	if a.User != "" || a.Password != "" || a.PasswordFile != "" {
		if a.User == "" {
			return nil, errors.New("nats auth: a password is set but no user")
		}
		pw := a.Password
		if a.PasswordFile != "" {
			b, err := os.ReadFile(a.PasswordFile)
			if err != nil {
				return nil, fmt.Errorf("nats password file: %w", err)
			}
			pw = strings.TrimSpace(string(b))
		}
		if pw == "" {
			return nil, fmt.Errorf("nats auth: user %q has an empty password", a.User)
		}
		opts = append(opts, nats.UserInfo(a.User, pw))
	}
	tc, err := tlsConfig(a)
	if err != nil {
		return nil, err
	}
	if tc != nil {
		opts = append(opts, nats.Secure(tc))
	}
	return opts, nil
}

// tlsConfig is nil when no TLS setting is given: then a tls:// URL or a
// server requiring TLS still gets TLS, verified against the system roots.
func tlsConfig(a config.NATSAuth) (*tls.Config, error) {
	if a.TLSCA == "" && a.TLSCert == "" && a.TLSKey == "" {
		return nil, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if a.TLSCA != "" {
		pem, err := os.ReadFile(a.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("nats tls ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("nats tls ca: no PEM certificate in %s", a.TLSCA)
		}
		tc.RootCAs = pool
	}
	if (a.TLSCert == "") != (a.TLSKey == "") {
		return nil, errors.New("nats tls: a client certificate needs both a cert and a key file")
	}
	if a.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(a.TLSCert, a.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("nats tls client certificate %s: %w", a.TLSCert, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

func readable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return f.Close()
}
