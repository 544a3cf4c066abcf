// Package service is the shell every stage service shares: parse the
// configuration once, set up logging, telemetry (/metrics, /livez, /readyz,
// tracing), connect to NATS, build the runner the service's main describes,
// run it until SIGTERM, drain, exit.
package service

import (
	"context"
	"errors"
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
	// Health takes the service's readiness checks (nil: not reported).
	Health *telemetry.Health
}

// ClickHouse opens the configured ClickHouse connection, waiting for the
// server while it is unreachable (until ctx ends): a service started before
// its database, or during an outage, stays up and reports not ready on
// /readyz instead of exiting. Once open, the connection is checked for
// readiness with a cached ping.
func (d Deps) ClickHouse(ctx context.Context) (driver.Conn, error) {
	c := d.Cfg.Clickhouse
	if _, err := c.Secret(); err != nil {
		return nil, err // a missing password file does not fix itself
	}
	wait := 250 * time.Millisecond
	for {
		conn, err := OpenClickHouse(ctx, c)
		if err == nil {
			if d.Health != nil {
				d.Health.Add("clickhouse", ClickHouseReady(conn))
			}
			return conn, nil
		}
		if d.Health != nil {
			d.Health.Add("clickhouse", func(context.Context) error { return err })
		}
		d.Log.Warn("clickhouse unreachable; retrying", "addr", c.Addr, "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for clickhouse %s: %w", c.Addr, errors.Join(ctx.Err(), err))
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// NATSReady is the readiness check of a NATS connection: connected, not
// reconnecting or closed. It costs no round trip.
func NATSReady(nc *nats.Conn) telemetry.Check {
	return func(context.Context) error {
		if st := nc.Status(); st != nats.CONNECTED {
			return fmt.Errorf("nats %s", st)
		}
		return nil
	}
}

// ClickHouseReady is the readiness check of a ClickHouse connection: a ping
// bounded by a short timeout, run at most every two seconds however often
// /readyz is probed.
func ClickHouseReady(conn driver.Conn) telemetry.Check {
	return telemetry.Cached(2*time.Second, time.Second, func(ctx context.Context) error {
		if err := conn.Ping(ctx); err != nil {
			return fmt.Errorf("ping: %w", err)
		}
		return nil
	})
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

// Main runs a stage service and returns the process exit code. With the
// single argument healthcheck it asks the running service's /readyz instead
// (the container health check).
func Main(name string, build Build) int {
	if len(os.Args) == 2 && os.Args[1] == "healthcheck" {
		if err := healthcheck(); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			return 1
		}
		return 0
	}
	if err := run(name, build); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}

// healthcheck probes the endpoint the service's configuration names.
func healthcheck() error {
	os.Args = os.Args[:1]
	var cfg struct{ Telemetry config.Telemetry }
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	return telemetry.Probe(context.Background(), cfg.Telemetry.HTTPAddr)
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
	// Started first and shut down last: /livez answers while connecting,
	// /metrics and the drain's spans are there until the end.
	tel, err := telemetry.Start(ctx, cfg.Telemetry, name, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := tel.Shutdown(context.Background()); err != nil {
			log.Warn("telemetry shutdown", "err", err)
		}
	}()
	StopReadyOnCancel(ctx, tel.Health)
	opts, err := bus.AuthOptions(cfg.NATS.NATSAuth)
	if err != nil {
		return err
	}
	nc, err := bus.Connect(cfg.NATS.URL, "vigia-"+name, log, opts...)
	if err != nil {
		return err
	}
	defer nc.Close()
	tel.Health.Add("nats", NATSReady(nc))
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(16384))
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	r, cleanup, err := build(ctx, Deps{Name: name, Cfg: cfg, Log: log, NC: nc, JS: js, Health: tel.Health})
	if err != nil {
		if ctx.Err() != nil {
			// SIGTERM while waiting for a dependency is a stop, not a failure.
			log.Info("stopped before starting", "err", err)
			return nil
		}
		return err
	}
	if cleanup != nil {
		defer cleanup()
	}
	tel.Health.SetStarted()
	runErr := r.Run(ctx)
	// Acks are fire-and-forget: make sure the last ones left the socket.
	if err := nc.FlushTimeout(5 * time.Second); err != nil {
		log.Warn("nats flush", "err", err)
	}
	log.Info("stopped")
	return runErr
}

// StopReadyOnCancel turns readiness off as soon as ctx ends (SIGTERM): the
// process is draining and should not be counted as serving.
func StopReadyOnCancel(ctx context.Context, h *telemetry.Health) {
	context.AfterFunc(ctx, h.SetStopping)
}
