// Package config is the one configuration every vigia binary parses: env
// vars with the VIGIA_ prefix and the same names as flags (VIGIA_NATS_URL =
// --nats-url), parsed once into a struct. Secrets are masked when printed.
package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ardanlabs/conf/v3"
)

// Prefix of every environment variable.
const Prefix = "VIGIA"

// NATS says how to reach NATS.
type NATS struct {
	URL string `conf:"default:nats://127.0.0.1:4222,help:NATS server URL (all-in-one: empty starts the embedded server)"`
	NATSAuth
}

// NATSAuth is who a client is to NATS and how it checks the server: one of
// a credentials file (JWT + nkey) or a user and password, plus TLS. Secrets
// come from files or masked env vars and are never logged.
type NATSAuth struct {
	CredsFile    string `conf:"help:NATS credentials file (JWT and nkey seed)"`
	User         string `conf:"help:NATS user name"`
	Password     string `conf:"mask"`
	PasswordFile string `conf:"help:file holding the NATS password (wins over Password)"`
	TLSCA        string `conf:"env:NATS_TLS_CA,flag:nats-tls-ca,help:PEM file of the CA that signed the NATS server certificate"`
	TLSCert      string `conf:"help:PEM client certificate for mutual TLS"`
	TLSKey       string `conf:"help:PEM key of the client certificate"`
}

// Telemetry configures the HTTP endpoint (/metrics /livez /readyz) and
// tracing.
type Telemetry struct {
	HTTPAddr string `conf:"default:127.0.0.1:9464,help:listen address of /metrics /livez and /readyz (empty disables; port 0 picks a free one)"`
	// Traces are exported over OTLP/HTTP when an endpoint is set; trace
	// context is propagated in NATS headers either way.
	OTLPEndpoint string  `conf:"help:OTLP/HTTP endpoint for traces like http://collector:4318 (empty: traces are not exported)"`
	SampleRatio  float64 `conf:"default:1,help:fraction of new traces sampled (parent decisions are kept)"`
}

// Limits bound what one event may carry; larger input is rejected with a
// reason and dead-lettered, never truncated. They may be lower than the v1
// contract's ceilings (262144 bytes; 65536 characters of text), not higher.
// Field counts need no limit: every object of the schema is closed.
type Limits struct {
	MaxEventBytes int `conf:"default:262144,help:largest accepted event in bytes"`
	MaxTextChars  int `conf:"default:65536,help:longest accepted text of one event in characters"`
}

// ClickHouse says how to reach ClickHouse.
type ClickHouse struct {
	Addr         string `conf:"default:127.0.0.1:9000,help:native-protocol host:port"`
	Database     string `conf:"default:vigia"`
	User         string `conf:"default:default"`
	Password     string `conf:"mask"`
	PasswordFile string `conf:"help:file holding the password (wins over Password)"`
}

// Pipeline tunes the runners and stages.
type Pipeline struct {
	// BatchSize is large because ClickHouse pays per insert, four tables
	// per batch: 2,000 per batch moved 3× as many events/s as 500 in the
	// same run on the 2-core reference machine.
	BatchSize  int           `conf:"default:2000"`
	BatchWait  time.Duration `conf:"default:200ms"`
	AckWait    time.Duration `conf:"default:30s"`
	MaxDeliver int           `conf:"default:5"`
	Partitions int           `conf:"default:8,help:partitions of the per-stage subjects"`
	RulesDir   string        `conf:"help:directory of extra *.rules files"`
	EscalateAt float64       `conf:"default:50,help:indifference score that escalates a live conversation"`
	// StateCache bounds memory: a conversation's state is tens of KB, and a
	// 1,000,000-event catch-up with 100,000 cached reached 3 GB. Open
	// conversations fit; a miss costs one KV read, prefetched per batch.
	StateCache      int           `conf:"default:10000,help:conversations (and as many customers) kept in memory by the detect stage"`
	ShutdownTimeout time.Duration `conf:"default:10s"`
	IntentsFile     string        `conf:"help:intent taxonomy file that replaces the built-in one"`
	SweepInterval   time.Duration `conf:"default:1s,help:how often deadlines (reply SLA, abandonment) are checked"`
	// Instance and Instances split the partitions between detector
	// instances: instance i of n owns the partitions p with p % n == i.
	Instance  int `conf:"default:0,help:this detector's index among --pipeline-instances"`
	Instances int `conf:"default:1,help:number of detector instances sharing the partitions"`
}

// Redact configures PII redaction in the enrich stage.
type Redact struct {
	// Key keys the hash of each redacted value, so analysts can join repeat
	// contacts without seeing the value. Never logged.
	Key      string `conf:"mask,help:secret key for the hashes of redacted values"`
	KeyFile  string `conf:"help:file holding the key (wins over Key)"`
	Types    string `conf:"default:all,help:PII types to redact: all or a list like CARD;EMAIL (commas also accepted)"`
	Style    string `conf:"default:bracket,help:placeholder style: bracket ([CARD]) or angle (<CARD>)"`
	KeepLast int    `conf:"default:0,help:keep this many last digits of cards and phones (0 or 4)"`
}

// KeyBytes returns the redaction hash key, reading KeyFile if set.
func (r Redact) KeyBytes() ([]byte, error) {
	if r.KeyFile == "" {
		return []byte(r.Key), nil
	}
	b, err := os.ReadFile(r.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("redact key file: %w", err)
	}
	return []byte(strings.TrimSpace(string(b))), nil
}

// Log configures logging.
type Log struct {
	Level  string `conf:"default:info"`
	Format string `conf:"default:text,help:text or json"`
}

// Service is the configuration of the stage services.
type Service struct {
	conf.Version
	NATS       NATS
	Clickhouse ClickHouse
	Pipeline   Pipeline
	Redact     Redact
	Limits     Limits
	Telemetry  Telemetry
	Log        Log
}

// Parse fills cfg (a pointer to a struct made of the pieces above) from the
// environment and os.Args; unknown flags are errors. It returns (true, nil)
// when help or the version was printed.
func Parse(cfg any) (helped bool, err error) {
	help, err := conf.ParseWithOptions(Prefix, cfg, conf.WithStrictFlags())
	if errors.Is(err, conf.ErrHelpWanted) || errors.Is(err, conf.ErrVersionWanted) {
		fmt.Println(help)
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("config: %w", err)
	}
	return false, nil
}

// String renders cfg for the start-up log, secrets masked.
func String(cfg any) string {
	s, err := conf.String(cfg)
	if err != nil {
		return "unprintable config: " + err.Error()
	}
	return s
}

// Secret returns the ClickHouse password, reading PasswordFile if set.
func (c ClickHouse) Secret() (string, error) {
	if c.PasswordFile == "" {
		return c.Password, nil
	}
	b, err := os.ReadFile(c.PasswordFile)
	if err != nil {
		return "", fmt.Errorf("clickhouse password file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
