package bus

import (
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// EmbeddedConfig configures the in-process NATS server.
type EmbeddedConfig struct {
	// Host and Port to listen on; Port -1 picks a free one.
	Host string
	Port int
	// StoreDir holds JetStream's files.
	StoreDir string
	// SyncAlways makes every write fsync before it is acknowledged: the
	// single-node default, since there is no replica to recover from.
	SyncAlways bool
	// SyncInterval, when SyncAlways is false, is how often the store is
	// fsynced (0: nats-server's default, 2 minutes). Between syncs an
	// acknowledged write lives in the page cache: it survives the process
	// being killed, not the machine losing power.
	SyncInterval time.Duration
	// ConfigFile, if set, is a nats-server configuration file (accounts,
	// users and permissions, TLS; see deploy/nats/nats.conf) the server
	// starts from. Host, Port, StoreDir and the sync settings above still win over
	// the file's listen address, store_dir and sync setting, and JetStream
	// is always enabled.
	ConfigFile string
}

// StartEmbedded runs a JetStream-enabled NATS server inside this process.
func StartEmbedded(cfg EmbeddedConfig) (*server.Server, error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	opts := &server.Options{}
	if cfg.ConfigFile != "" {
		fo, err := server.ProcessConfigFile(cfg.ConfigFile)
		if err != nil {
			return nil, fmt.Errorf("embedded nats: config %s: %w", cfg.ConfigFile, err)
		}
		opts = fo
	}
	if opts.ServerName == "" {
		opts.ServerName = "vigia-embedded"
	}
	opts.Host, opts.Port = cfg.Host, cfg.Port
	opts.JetStream = true
	if cfg.StoreDir != "" || cfg.ConfigFile == "" {
		opts.StoreDir = cfg.StoreDir
	}
	opts.NoSigs = true
	if opts.MaxPayload == 0 {
		opts.MaxPayload = 8 << 20
	}
	if cfg.SyncAlways {
		opts.SyncAlways = true
	} else if cfg.SyncInterval > 0 {
		opts.SyncAlways = false
		opts.SyncInterval = cfg.SyncInterval
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(15 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("embedded nats: not ready after 15s")
	}
	return s, nil
}

// SyncAlwaysPolicy is the value of a sync setting that fsyncs every write.
const SyncAlwaysPolicy = "always"

// ParseSync reads a sync setting: "always" (fsync every write before its
// acknowledgement) or an interval such as "1s" between fsyncs.
func ParseSync(s string) (always bool, interval time.Duration, err error) {
	if s == SyncAlwaysPolicy {
		return true, 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return false, 0, fmt.Errorf("sync %q: want %q or a positive interval such as 1s", s, SyncAlwaysPolicy)
	}
	return false, d, nil
}
