// Package store is vigia's ClickHouse side: migrations applied once by
// `vigia migrate`, the batch writer every pipeline ends in, and connection
// handling. It speaks the native protocol only, with explicit column lists,
// which ClickHouse 18.16 and modern servers both accept.
package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vigia-cx/vigia/schemas"
)

// MigrationsTable records applied migrations.
const MigrationsTable = "vigia_schema_migrations"

// Migration is one schemas/clickhouse/NNNN_name.sql file.
type Migration struct {
	Version    int
	Name       string
	SQL        string
	Checksum   string
	MinServer  [2]int // "-- min-server: 24.1": applied only on that server version or newer
	Statements []string
}

var (
	migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)
	minServerLine = regexp.MustCompile(`(?m)^--\s*min-server:\s*(\d+)\.(\d+)\s*$`)
)

// Migrations reads the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(schemas.ClickHouse, "clickhouse")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %q: want NNNN_name.sql", e.Name())
		}
		raw, err := fs.ReadFile(schemas.ClickHouse, "clickhouse/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		v, _ := strconv.Atoi(m[1])
		sum := sha256.Sum256(raw)
		mg := Migration{Version: v, Name: m[2], SQL: string(raw), Checksum: hex.EncodeToString(sum[:]), Statements: SplitStatements(string(raw))}
		if ms := minServerLine.FindStringSubmatch(mg.SQL); ms != nil {
			mg.MinServer[0], _ = strconv.Atoi(ms[1])
			mg.MinServer[1], _ = strconv.Atoi(ms[2])
		}
		if len(mg.Statements) == 0 {
			return nil, fmt.Errorf("migration %s has no statements", e.Name())
		}
		out = append(out, mg)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("two migrations with version %04d", out[i].Version)
		}
	}
	return out, nil
}

// SplitStatements splits SQL on semicolons outside quotes and comments and
// drops comment-only pieces: ClickHouse takes one statement per query, and
// 18.16 rejects an empty one.
func SplitStatements(sql string) []string {
	var (
		out   []string
		cur   strings.Builder
		quote byte
	)
	flush := func() {
		if s := strings.TrimSpace(stripComments(cur.String())); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case quote != 0:
			cur.WriteByte(c)
			if c == '\\' && i+1 < len(sql) {
				i++
				cur.WriteByte(sql[i])
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
			cur.WriteByte(c)
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			cur.WriteByte('\n')
		case c == ';':
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}

func stripComments(s string) string {
	lines := strings.Split(s, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// MigrateResult says what Migrate did.
type MigrateResult struct {
	Applied []string
	Skipped []string // waiting for a newer server
	Current int
}

// Migrate applies the migrations not yet recorded, in order, each recorded
// after all its statements succeeded. Statements are idempotent (IF NOT
// EXISTS), so a migration interrupted halfway is safely applied again. A
// recorded migration whose file changed is an error: released migrations are
// never edited in place.
func Migrate(ctx context.Context, conn driver.Conn, database string) (MigrateResult, error) {
	var res MigrateResult
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+quoteIdent(database)); err != nil {
		return res, fmt.Errorf("create database %s: %w", database, err)
	}
	if err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+quoteIdent(database)+`.`+MigrationsTable+` (
		version UInt32, name String, checksum String, applied_at DateTime
	) ENGINE = MergeTree() ORDER BY version`); err != nil {
		return res, fmt.Errorf("create %s: %w", MigrationsTable, err)
	}
	applied := map[int]string{}
	rows, err := conn.Query(ctx, "SELECT version, checksum FROM "+quoteIdent(database)+"."+MigrationsTable)
	if err != nil {
		return res, fmt.Errorf("read %s: %w", MigrationsTable, err)
	}
	for rows.Next() {
		var v uint32
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			rows.Close()
			return res, fmt.Errorf("read %s: %w", MigrationsTable, err)
		}
		applied[int(v)] = sum
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("read %s: %w", MigrationsTable, err)
	}
	ver, err := conn.ServerVersion()
	if err != nil {
		return res, fmt.Errorf("server version: %w", err)
	}
	migs, err := Migrations()
	if err != nil {
		return res, err
	}
	for _, m := range migs {
		label := fmt.Sprintf("%04d_%s", m.Version, m.Name)
		if sum, ok := applied[m.Version]; ok {
			if sum != m.Checksum {
				return res, fmt.Errorf("migration %s was changed after it was applied (checksum %s, recorded %s): add a new migration instead", label, m.Checksum[:12], sum[:12])
			}
			res.Current = m.Version
			continue
		}
		if m.MinServer[0] > 0 && !versionAtLeast(int(ver.Version.Major), int(ver.Version.Minor), m.MinServer) {
			res.Skipped = append(res.Skipped, label)
			continue
		}
		for i, stmt := range m.Statements {
			if err := conn.Exec(ctx, stmt); err != nil && !alreadyApplied(err) {
				return res, fmt.Errorf("migration %s statement %d: %w", label, i+1, err)
			}
		}
		if err := record(ctx, conn, database, m); err != nil {
			return res, fmt.Errorf("record migration %s: %w", label, err)
		}
		res.Applied = append(res.Applied, label)
		res.Current = m.Version
	}
	return res, nil
}

// alreadyApplied recognizes the error of an ALTER that an interrupted run of
// the same migration already made: the column exists (44) or is gone (10).
func alreadyApplied(err error) bool {
	var ex *clickhouse.Exception
	return errors.As(err, &ex) && (ex.Code == 44 || ex.Code == 10)
}

// record inserts the migration's row as a native batch: old servers do not
// take inline VALUES over the native protocol.
func record(ctx context.Context, conn driver.Conn, database string, m Migration) error {
	b, err := conn.PrepareBatch(ctx, "INSERT INTO "+quoteIdent(database)+"."+MigrationsTable+" (version, name, checksum, applied_at)")
	if err != nil {
		return err
	}
	if err := b.Append(uint32(m.Version), m.Name, m.Checksum, time.Now().UTC()); err != nil {
		_ = b.Abort()
		return err
	}
	return b.Send()
}

func versionAtLeast(major, minor int, min [2]int) bool {
	return major > min[0] || (major == min[0] && minor >= min[1])
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "") + "`" }

// CheckSchema fails when a migration this binary knows is not applied yet:
// services refuse to write into a schema older than their code instead of
// running DDL themselves.
func CheckSchema(ctx context.Context, conn driver.Conn, database string) error {
	rows, err := conn.Query(ctx, "SELECT version FROM "+quoteIdent(database)+"."+MigrationsTable)
	if err != nil {
		return fmt.Errorf("read %s (run `vigia migrate` first): %w", MigrationsTable, err)
	}
	applied := map[int]bool{}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("read %s: %w", MigrationsTable, err)
		}
		applied[int(v)] = true
	}
	rows.Close()
	ver, err := conn.ServerVersion()
	if err != nil {
		return fmt.Errorf("server version: %w", err)
	}
	migs, err := Migrations()
	if err != nil {
		return err
	}
	for _, m := range migs {
		if applied[m.Version] || (m.MinServer[0] > 0 && !versionAtLeast(int(ver.Version.Major), int(ver.Version.Minor), m.MinServer)) {
			continue
		}
		return fmt.Errorf("ClickHouse schema of %s lacks migration %04d_%s: run `vigia migrate`", database, m.Version, m.Name)
	}
	return nil
}
