package main

import (
	"context"
	"os"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/service"
	"github.com/vigia-cx/vigia/pkg/store"
	"github.com/vigia-cx/vigia/pkg/telemetry"
)

type migrateConfig struct {
	NATS       optionalNATS
	Clickhouse config.ClickHouse
	Log        config.Log
}

// cmdMigrate applies the ClickHouse migrations and, given --nats-url, creates
// the streams and the state bucket: the one place DDL runs.
func cmdMigrate(ctx context.Context) error {
	var cfg migrateConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	log, err := telemetry.Logger(os.Stderr, "migrate", cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	pw, err := cfg.Clickhouse.Secret()
	if err != nil {
		return err
	}
	cc := store.ConnConfig{Addr: cfg.Clickhouse.Addr, Database: cfg.Clickhouse.Database, Username: cfg.Clickhouse.User, Password: pw}
	if err := store.EnsureDatabase(ctx, cc); err != nil {
		return err
	}
	conn, err := service.OpenClickHouse(ctx, cfg.Clickhouse)
	if err != nil {
		return err
	}
	defer conn.Close()
	res, err := store.Migrate(ctx, conn, cfg.Clickhouse.Database)
	if err != nil {
		return err
	}
	log.Info("clickhouse migrated", "database", cfg.Clickhouse.Database, "applied", res.Applied, "waiting_for_newer_server", res.Skipped, "current", res.Current)
	if cfg.NATS.URL == "" {
		return nil
	}
	nc, js, err := connectJetStream(cfg.NATS.URL, cfg.NATS.NATSAuth, "vigia-migrate", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	if err := bus.EnsureTopology(ctx, js, bus.Topology{}); err != nil {
		return err
	}
	log.Info("nats topology ensured", "url", nc.ConnectedUrlRedacted())
	return nil
}
