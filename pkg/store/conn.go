package store

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ConnConfig says how to reach ClickHouse.
type ConnConfig struct {
	Addr     string
	Database string
	Username string
	Password string // never logged
}

// Open connects over the native protocol and checks the server answers.
func Open(ctx context.Context, cfg ConnConfig) (driver.Conn, error) {
	if cfg.Username == "" {
		cfg.Username = "default"
	}
	conn, err := clickhouse.Open(&clickhouse.Options{
		Protocol:    clickhouse.Native,
		Addr:        []string{cfg.Addr},
		Auth:        clickhouse.Auth{Database: cfg.Database, Username: cfg.Username, Password: cfg.Password},
		DialTimeout: 5 * time.Second,
		ReadTimeout: 60 * time.Second,
		// Four tables are inserted in parallel, plus a readiness ping.
		MaxOpenConns:    8,
		MaxIdleConns:    5,
		ConnMaxLifetime: time.Hour,
		Compression:     &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
	})
	if err != nil {
		return nil, fmt.Errorf("clickhouse %s: %w", cfg.Addr, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := conn.Ping(pctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("clickhouse %s: ping: %w", cfg.Addr, err)
	}
	return conn, nil
}

// EnsureDatabase creates the configured database, connecting through the
// always-present "default" one, since a connection to a missing database
// fails on old servers.
func EnsureDatabase(ctx context.Context, cfg ConnConfig) error {
	boot := cfg
	boot.Database = "default"
	conn, err := Open(ctx, boot)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+quoteIdent(cfg.Database)); err != nil {
		return fmt.Errorf("create database %s: %w", cfg.Database, err)
	}
	return nil
}
