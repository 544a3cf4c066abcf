package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bench"
	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/service"
	"github.com/vigia-cx/vigia/pkg/telemetry"
)

// The helpers `vigia bench` runs as processes of their own, so their CPU
// and memory are read from /proc apart from the load generator's. They are
// commands of this binary so a bench needs nothing but `make build`.
func init() {
	commands["bench-nats"] = command{"(used by vigia bench) a JetStream server on a free port", cmdBenchNATS}
	commands["bench-mover"] = command{"(used by vigia bench) raw JetStream → ClickHouse mover, the ceiling", cmdBenchMover}
}

type benchNATSConfig struct {
	StoreDir string `conf:"required,help:JetStream store directory"`
	// The default is what `vigia run`'s embedded server does, so the
	// baselines and the pipeline run on the same storage guarantees.
	Sync   string `conf:"default:always,help:always (fsync every write, vigia run's default) or an interval between fsyncs"`
	Listen string `conf:"default:127.0.0.1:-1,help:host:port (port -1 picks a free one)"`
}

// cmdBenchNATS runs the embedded server code alone and prints its URL as
// the first line of stdout.
func cmdBenchNATS(ctx context.Context) error {
	var cfg benchNATSConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	host, portStr, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %q: %w", cfg.Listen, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fmt.Errorf("listen %q: %w", cfg.Listen, err)
	}
	if err := os.MkdirAll(cfg.StoreDir, 0o750); err != nil {
		return fmt.Errorf("store dir: %w", err)
	}
	always, interval, err := bus.ParseSync(cfg.Sync)
	if err != nil {
		return err
	}
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Host: host, Port: port, StoreDir: cfg.StoreDir, SyncAlways: always, SyncInterval: interval})
	if err != nil {
		return err
	}
	fmt.Printf("nats_url=%s\n", srv.ClientURL())
	<-ctx.Done()
	srv.Shutdown()
	srv.WaitForShutdown()
	return nil
}

type benchMoverConfig struct {
	NATS       config.NATS
	Clickhouse config.ClickHouse
	Consumer   string        `conf:"default:bench-mover"`
	Stream     string        `conf:"default:CX_EVENTS"`
	Filter     string        `conf:"default:cx.events.>"`
	Sink       string        `conf:"default:clickhouse,help:clickhouse (the ceiling) or none (raw JetStream consume+ack)"`
	BatchSize  int           `conf:"default:500"`
	BatchWait  time.Duration `conf:"default:200ms"`
	Log        config.Log
}

func cmdBenchMover(ctx context.Context) error {
	var cfg benchMoverConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	log, err := telemetry.Logger(os.Stderr, "bench-mover", cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	nc, err := bus.Connect(cfg.NATS.URL, "vigia-bench-mover", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	mc := bench.MoverConfig{Stream: cfg.Stream, Consumer: cfg.Consumer, Filter: []string{cfg.Filter},
		BatchSize: cfg.BatchSize, BatchWait: cfg.BatchWait, Log: log}
	switch cfg.Sink {
	case "clickhouse":
		conn, err := service.OpenClickHouse(ctx, cfg.Clickhouse)
		if err != nil {
			return err
		}
		defer conn.Close()
		mc.Conn = conn
	case "none":
	default:
		return fmt.Errorf("sink %q: want clickhouse or none", cfg.Sink)
	}
	var st bench.MoverStats
	log.Info("moving", "stream", cfg.Stream, "consumer", cfg.Consumer, "sink", cfg.Sink, "batch", cfg.BatchSize, "wait", cfg.BatchWait)
	err = bench.Move(ctx, js, mc, &st)
	// Acks are fire-and-forget: the last ones must leave the socket.
	_ = nc.FlushTimeout(5 * time.Second)
	log.Info("stopped", "received", st.Received.Load(), "written", st.Written.Load(), "batches", st.Batches.Load(), "failed", st.Failed.Load())
	return err
}
