package bus_test

import (
	"crypto/tls"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/bus/bustest"
	"github.com/vigia-cx/vigia/pkg/config"
)

// applied runs the options on fresh nats.Options.
func applied(t *testing.T, a config.NATSAuth) nats.Options {
	t.Helper()
	opts, err := bus.AuthOptions(a)
	if err != nil {
		t.Fatal(err)
	}
	o := nats.GetDefaultOptions()
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

func TestAuthOptionsNone(t *testing.T) {
	opts, err := bus.AuthOptions(config.NATSAuth{})
	if err != nil || len(opts) != 0 {
		t.Fatalf("got %d options, %v; want none", len(opts), err)
	}
}

func TestAuthOptionsPassword(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pw")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := applied(t, config.NATSAuth{User: "writer", Password: "from-value"})
	if o.User != "writer" || o.Password != "from-value" {
		t.Errorf("by value: user %q password %q", o.User, o.Password)
	}
	o = applied(t, config.NATSAuth{User: "writer", Password: "from-value", PasswordFile: file})
	if o.Password != "from-file" {
		t.Errorf("the file must win and be trimmed: password %q", o.Password)
	}
	if o.Secure || o.TLSConfig != nil {
		t.Error("TLS turned on without TLS settings")
	}
}

func TestAuthOptionsCredsFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "vigia.creds")
	if err := os.WriteFile(file, []byte("not checked until connect"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err := bus.AuthOptions(config.NATSAuth{CredsFile: file})
	if err != nil || len(opts) != 1 {
		t.Fatalf("got %d options, %v", len(opts), err)
	}
}

func TestAuthOptionsTLS(t *testing.T) {
	p := bustest.NewPKI(t)
	o := applied(t, config.NATSAuth{TLSCA: p.CA, TLSCert: p.ClientCert, TLSKey: p.ClientKey})
	if !o.Secure || o.TLSConfig == nil {
		t.Fatal("TLS not enabled")
	}
	if o.TLSConfig.MinVersion != tls.VersionTLS12 || o.TLSConfig.RootCAs == nil || len(o.TLSConfig.Certificates) != 1 {
		t.Errorf("tls config: min %x, roots %v, %d certs", o.TLSConfig.MinVersion, o.TLSConfig.RootCAs != nil, len(o.TLSConfig.Certificates))
	}
	if o.TLSConfig.InsecureSkipVerify {
		t.Error("verification off")
	}
	// A client certificate alone verifies the server against the system roots.
	o = applied(t, config.NATSAuth{TLSCert: p.ClientCert, TLSKey: p.ClientKey})
	if o.TLSConfig.RootCAs != nil {
		t.Error("roots set without a CA")
	}
}

func TestAuthOptionsErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := bustest.NewPKI(t)
	const secret = "s3cret-Value-never-shown"
	cases := []struct {
		name     string
		a        config.NATSAuth
		notExist bool
		want     string
	}{
		{"creds missing", config.NATSAuth{CredsFile: missing}, true, missing},
		{"creds and user", config.NATSAuth{CredsFile: notPEM, User: "u", Password: secret}, false, "not both"},
		{"password file missing", config.NATSAuth{User: "u", Password: secret, PasswordFile: missing}, true, "nats password file"},
		{"password without user", config.NATSAuth{Password: secret}, false, "no user"},
		{"empty password", config.NATSAuth{User: "u"}, false, "empty password"},
		{"ca missing", config.NATSAuth{User: "u", Password: secret, TLSCA: missing}, true, "nats tls ca"},
		{"ca not pem", config.NATSAuth{TLSCA: notPEM}, false, "no PEM certificate"},
		{"cert without key", config.NATSAuth{TLSCert: p.ClientCert}, false, "both a cert and a key"},
		{"key missing", config.NATSAuth{TLSCert: p.ClientCert, TLSKey: missing}, true, "client certificate"},
		{"key of another cert", config.NATSAuth{TLSCert: p.ClientCert, TLSKey: p.ServerKey}, false, "client certificate"},
	}
	for _, c := range cases {
		_, err := bus.AuthOptions(c.a)
		switch {
		case err == nil:
			t.Errorf("%s: no error", c.name)
		case c.notExist && !errors.Is(err, fs.ErrNotExist):
			t.Errorf("%s: %v does not wrap fs.ErrNotExist", c.name, err)
		case !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: %q does not mention %q", c.name, err, c.want)
		case strings.Contains(err.Error(), secret):
			t.Errorf("%s: error shows the password: %v", c.name, err)
		}
	}
}
