// Package service is the shell every stage service shares: parse the
// configuration once, set up logging, connect to NATS, build the runner the
// service's main describes, run it until SIGTERM, drain, exit.
package service

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/runner"
	"github.com/vigia-cx/vigia/pkg/store"
	"github.com/vigia-cx/vigia/pkg/telemetry"
)

// Deps is what a service's build function gets.
type Deps struct {
	Name string
	Cfg  config.Service
	Log  *slog.Logger
	NC   *nats.Conn
	JS   jetstream.JetStream
}

// ClickHouse opens the configured ClickHouse connection.
func (d Deps) ClickHouse(ctx context.Context) (driver.Conn, error) {
	return OpenClickHouse(ctx, d.Cfg.Clickhouse)
}

// OpenClickHouse opens a connection from configuration.
func OpenClickHouse(ctx context.Context, c config.ClickHouse) (driver.Conn, error) {
	pw, err := c.Secret()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, store.ConnConfig{Addr: c.Addr, Database: c.Database, Username: c.User, Password: pw})
}

// RunnerConfig is the runner configuration for a consumer from the pipeline
// settings.
func RunnerConfig(p config.Pipeline, name, stream string, filter ...string) runner.Config {
	return runner.Config{
		Name: name, Stream: stream, Filter: filter,
		BatchSize: p.BatchSize, BatchWait: p.BatchWait, AckWait: p.AckWait, MaxDeliver: p.MaxDeliver,
		ShutdownTimeout: p.ShutdownTimeout,
	}
}

// Runnable is what a service runs until SIGTERM: a runner, or a runner with
// companions (the detector's sweeper).
type Runnable interface {
	Run(ctx context.Context) error
}

// Build makes the service's runnable; cleanup (may be nil) runs after it stopped.
type Build func(ctx context.Context, d Deps) (r Runnable, cleanup func(), err error)

// Main runs a stage service and returns the process exit code.
func Main(name string, build Build) int {
	if err := run(name, build); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}

func run(name string, build Build) error {
	cfg := config.Service{}
	cfg.Version.Desc = "vigia " + name + " service"
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	log, err := telemetry.Logger(os.Stderr, name, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	log.Info("starting", "config", config.String(&cfg))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var opts []nats.Option
	if cfg.NATS.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(cfg.NATS.CredsFile))
	}
	nc, err := bus.Connect(cfg.NATS.URL, "vigia-"+name, log, opts...)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096))
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	r, cleanup, err := build(ctx, Deps{Name: name, Cfg: cfg, Log: log, NC: nc, JS: js})
	if err != nil {
		return err
	}
	if cleanup != nil {
		defer cleanup()
	}
	runErr := r.Run(ctx)
	// Acks are fire-and-forget: make sure the last ones left the socket.
	if err := nc.FlushTimeout(5 * time.Second); err != nil {
		log.Warn("nats flush", "err", err)
	}
	log.Info("stopped")
	return runErr
}
