package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/enrich"
	"github.com/vigia-cx/vigia/pkg/pipeline"
	"github.com/vigia-cx/vigia/pkg/service"
	"github.com/vigia-cx/vigia/pkg/store"
	"github.com/vigia-cx/vigia/pkg/telemetry"
)

// Embedded configures the embedded NATS server.
type Embedded struct {
	Listen   string `conf:"default:127.0.0.1:4222,help:host:port of the embedded NATS server (port -1 picks a free one)"`
	StoreDir string `conf:"help:JetStream store of the embedded server (default <state-dir>/nats)"`
	// Sync trades durability for CPU: fsync on every write costs about as
	// much CPU as the whole pipeline's processing (README, Performance).
	Sync string `conf:"default:always,help:when the embedded server fsyncs: always (every write before its ack) or an interval such as 1s (an acked event younger than that survives vigia being killed but not the machine losing power)"`
	// ConfigFile gives the embedded server users, permissions and TLS
	// (deploy/nats/nats.conf); Listen and StoreDir override what it says.
	ConfigFile string `conf:"help:nats-server config file of the embedded server (users and permissions and TLS); Listen and StoreDir override it"`
}

// optionalNATS is config.NATS without a default URL: empty means embedded.
type optionalNATS struct {
	URL string `conf:"help:external NATS URL; empty starts the embedded server"`
	config.NATSAuth
}

type runConfig struct {
	StateDir   string `conf:"default:.state,help:where the embedded server keeps its data"`
	NATS       optionalNATS
	Embedded   Embedded
	Clickhouse config.ClickHouse
	Pipeline   config.Pipeline
	Redact     config.Redact
	Limits     config.Limits
	Telemetry  config.Telemetry
	Log        config.Log
}

// node is a running all-in-one pipeline.
type node struct {
	log     *slog.Logger
	srv     *server.Server // nil when NATS is external
	nc      *nats.Conn
	js      jetstream.JetStream
	runner  *pipeline.Node
	natsURL string
	closeCH func()
	// ch is kept for the readiness check.
	ch driver.Conn
}

// startNode starts (or connects to) NATS, checks the ClickHouse schema and
// builds the pipeline. ClickHouse migrations are `vigia migrate`'s job; the
// embedded server's streams are this node's, since it owns that server.
func startNode(ctx context.Context, cfg runConfig, log *slog.Logger) (*node, error) {
	// Redaction settings are checked before anything starts.
	red, err := enrich.NewRedactor(cfg.Redact, log)
	if err != nil {
		return nil, err
	}
	lim, err := pipeline.EventLimits(cfg.Limits)
	if err != nil {
		return nil, err
	}
	n := &node{log: log, natsURL: cfg.NATS.URL}
	if n.natsURL == "" {
		host, port, err := splitHostPort(cfg.Embedded.Listen)
		if err != nil {
			return nil, err
		}
		dir := cfg.Embedded.StoreDir
		if dir == "" {
			dir = filepath.Join(cfg.StateDir, "nats")
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("nats store dir: %w", err)
		}
		always, interval, err := bus.ParseSync(cfg.Embedded.Sync)
		if err != nil {
			return nil, fmt.Errorf("embedded nats: %w", err)
		}
		n.srv, err = bus.StartEmbedded(bus.EmbeddedConfig{Host: host, Port: port, StoreDir: dir,
			SyncAlways: always, SyncInterval: interval, ConfigFile: cfg.Embedded.ConfigFile})
		if err != nil {
			return nil, err
		}
		n.natsURL = n.srv.ClientURL()
		log.Info("embedded nats started", "url", n.natsURL, "store", dir, "sync", cfg.Embedded.Sync)
	}
	opts, err := bus.AuthOptions(cfg.NATS.NATSAuth)
	if err != nil {
		n.stop()
		return nil, err
	}
	nc, err := bus.Connect(n.natsURL, "vigia", log, opts...)
	if err != nil {
		n.stop()
		return nil, err
	}
	n.nc = nc
	if n.js, err = jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(16384)); err != nil {
		n.stop()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	if n.srv != nil {
		if err := bus.EnsureTopology(ctx, n.js, bus.Topology{}); err != nil {
			n.stop()
			return nil, err
		}
	}
	ch, err := service.OpenClickHouse(ctx, cfg.Clickhouse)
	if err != nil {
		n.stop()
		return nil, err
	}
	n.closeCH = func() { ch.Close() }
	n.ch = ch
	if err := store.CheckSchema(ctx, ch, cfg.Clickhouse.Database); err != nil {
		n.stop()
		return nil, err
	}
	if n.runner, err = pipeline.AllInOne(ctx, n.js, ch, cfg.Pipeline, log, pipeline.WithRedactor(red), pipeline.WithLimits(lim)); err != nil {
		n.stop()
		return nil, err
	}
	return n, nil
}

// stop releases everything after the runner has drained: the last acks are
// flushed before the embedded server goes down.
func (n *node) stop() {
	if n.nc != nil {
		_ = n.nc.FlushTimeout(5 * time.Second)
		n.nc.Close()
	}
	if n.closeCH != nil {
		n.closeCH()
	}
	if n.srv != nil {
		n.srv.Shutdown()
		n.srv.WaitForShutdown()
	}
}

func cmdRun(ctx context.Context) error {
	var cfg runConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	log, err := telemetry.Logger(os.Stderr, "vigia", cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	log.Info("starting", "config", config.String(&cfg))
	// Shut down after the node stopped (defers run last-in first-out), so
	// the drain's spans are exported and /metrics answers until the end.
	tel, err := telemetry.Start(ctx, cfg.Telemetry, "vigia", log)
	if err != nil {
		return err
	}
	defer func() {
		if err := tel.Shutdown(context.Background()); err != nil {
			log.Warn("telemetry shutdown", "err", err)
		}
	}()
	service.StopReadyOnCancel(ctx, tel.Health)
	n, err := startNode(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer n.stop()
	tel.Health.Add("nats", service.NATSReady(n.nc))
	tel.Health.Add("clickhouse", service.ClickHouseReady(n.ch))
	tel.Health.SetStarted()
	if err := n.runner.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func splitHostPort(hp string) (string, int, error) {
	host, portStr, err := net.SplitHostPort(hp)
	if err != nil {
		return "", 0, fmt.Errorf("listen address %q: %w", hp, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < -1 || port > 65535 {
		return "", 0, fmt.Errorf("listen address %q: bad port", hp)
	}
	return host, port, nil
}
