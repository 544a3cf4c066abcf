package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigia-cx/vigia/pkg/bench"
	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/store"
)

func init() {
	commands["bench"] = command{"measure the pipeline against raw NATS and ClickHouse (needs VIGIA_CLICKHOUSE_ADDR)", cmdBench}
}

// benchClickHouse is config.ClickHouse without a default address: the
// bench creates and drops databases, so it must never pick a server the
// caller did not name.
type benchClickHouse struct {
	Addr     string `conf:"help:native-protocol host:port of a ClickHouse the bench may create scratch databases on"`
	User     string `conf:"default:default"`
	Password string `conf:"mask"`
}

type benchConfig struct {
	Clickhouse     benchClickHouse
	Events         int           `conf:"default:100000,help:events per sustained run (each baseline and mode)"`
	Rate           float64       `conf:"default:8000,help:open-loop publish rate in events/s; 0 publishes as fast as possible"`
	CatchupEvents  int           `conf:"default:1000000,help:events in the stream before the catch-up consumers start; 0 skips the catch-up"`
	CatchupTimeout time.Duration `conf:"default:6m,help:bound on each catch-up drain; a slower one reports its partial rate"`
	Modes          string        `conf:"default:all-in-one;separate-services,help:pipeline modes: all-in-one; separate-services; all-in-one-embedded; or none"`
	CatchupModes   string        `conf:"default:all-in-one,help:modes that also drain the backlog (none: only the raw mover)"`
	Concurrency    int           `conf:"default:1000,help:conversations open at once, interleaved"`
	Seed           int64         `conf:"default:1"`
	BatchSize      int           `conf:"help:batch size of the pipeline and the mover (0: the pipeline default)"`
	BatchWait      time.Duration `conf:"help:batch wait of the pipeline and the mover (0: the pipeline default)"`
	NATS           struct {
		Sync string `conf:"default:always,help:when NATS fsyncs: always (every write, vigia run's default) or an interval such as 1s; also given to all-in-one-embedded as VIGIA_EMBEDDED_SYNC"`
	}
	Poll         time.Duration `conf:"default:50ms,help:ClickHouse visibility poll interval (the latency resolution)"`
	PhaseTimeout time.Duration `conf:"default:10m,help:bound on each sustained run"`
	Timeout      time.Duration `conf:"default:60m,help:bound on the whole bench"`
	BinDir       string        `conf:"help:directory of enricher, classifier, detector, writer (default: next to this binary)"`
	WorkDir      string        `conf:"help:NATS stores and process logs (default: a new temp dir, removed unless --keep)"`
	Keep         bool          `conf:"help:keep the work dir (process logs) after a successful run"`
	JSON         string        `conf:"help:also write the report as JSON to this file"`
	ProfileDir   string        `conf:"help:record a perf profile of each pipeline mode here (perturbs its figures)"`
}

func cmdBench(ctx context.Context) error {
	var cfg benchConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	if cfg.Clickhouse.Addr == "" {
		return errors.New("VIGIA_CLICKHOUSE_ADDR (or --clickhouse-addr) is not set. The bench creates and drops scratch " +
			"databases, so it only uses a server you name. Start a private one with:\n" +
			"    eval \"$(VIGIA_STATE_DIR=/tmp/vigia-bench deploy/clickhouse/start.sh | tail -1)\"; export VIGIA_CLICKHOUSE_ADDR\n" +
			"and stop it afterwards with: VIGIA_STATE_DIR=/tmp/vigia-bench deploy/clickhouse/stop.sh --purge")
	}
	if _, _, err := bus.ParseSync(cfg.NATS.Sync); err != nil {
		return fmt.Errorf("--nats-sync: %w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("own binary: %w", err)
	}
	if cfg.BinDir == "" {
		cfg.BinDir = filepath.Dir(exe)
	}
	workDir, keep := cfg.WorkDir, cfg.Keep || cfg.WorkDir != ""
	if workDir == "" {
		if workDir, err = os.MkdirTemp("", "vigia-bench-"); err != nil {
			return fmt.Errorf("work dir: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	rep, err := bench.Run(ctx, bench.Config{
		CH:     store.ConnConfig{Addr: cfg.Clickhouse.Addr, Username: cfg.Clickhouse.User, Password: cfg.Clickhouse.Password},
		Vigia:  exe,
		BinDir: cfg.BinDir, WorkDir: workDir,
		Events: cfg.Events, Rate: cfg.Rate,
		CatchupEvents: cfg.CatchupEvents, CatchupTimeout: cfg.CatchupTimeout,
		Modes: splitList(cfg.Modes), CatchupModes: splitList(cfg.CatchupModes),
		Concurrency: cfg.Concurrency, Seed: cfg.Seed, BatchSize: cfg.BatchSize, BatchWait: cfg.BatchWait,
		Sync: cfg.NATS.Sync, PollInterval: cfg.Poll, PhaseTimeout: cfg.PhaseTimeout,
		Progress: os.Stderr, ProfileDir: cfg.ProfileDir,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "vigia bench: process logs kept in %s\n", workDir)
		return err
	}
	if !keep {
		_ = os.RemoveAll(workDir)
	}
	fmt.Println()
	bench.WriteTable(os.Stdout, rep)
	if cfg.JSON != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return fmt.Errorf("encode report: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(cfg.JSON), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", cfg.JSON, err)
		}
		if err := os.WriteFile(cfg.JSON, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", cfg.JSON, err)
		}
		fmt.Printf("\nreport written to %s\n", cfg.JSON)
	}
	return nil
}

// splitList reads "a;b" or "a,b"; "none" is the empty list.
func splitList(s string) []string {
	if strings.TrimSpace(s) == "none" {
		return nil
	}
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
