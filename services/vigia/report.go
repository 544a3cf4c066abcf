package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/service"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

type reportConfig struct {
	Clickhouse config.ClickHouse
	Examples   int `conf:"default:3,help:example escalations to print"`
}

func cmdReport(ctx context.Context) error {
	var cfg reportConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	conn, err := service.OpenClickHouse(ctx, cfg.Clickhouse)
	if err != nil {
		return err
	}
	defer conn.Close()
	return report(ctx, conn, cfg.Clickhouse, os.Stdout)
}

// report prints exact row counts (FINAL: replaced rows not counted) and
// example escalations with their evidence.
func report(ctx context.Context, conn driver.Conn, ch config.ClickHouse, w io.Writer) error {
	fmt.Fprintf(w, "ClickHouse %s, database %s:\n", ch.Addr, ch.Database)
	for _, t := range []string{"interaction_events", "signals", "conversations", "escalations"} {
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM "+t+" FINAL").Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", t, err)
		}
		fmt.Fprintf(w, "  %-19s %6d rows\n", t, n)
	}
	rows, err := conn.Query(ctx, `SELECT label, count() AS n FROM signals FINAL GROUP BY label ORDER BY n DESC, label`)
	if err != nil {
		return fmt.Errorf("signals by label: %w", err)
	}
	var parts []string
	for rows.Next() {
		var label string
		var n uint64
		if err := rows.Scan(&label, &n); err != nil {
			rows.Close()
			return err
		}
		parts = append(parts, fmt.Sprintf("%s=%d", label, n))
	}
	rows.Close()
	fmt.Fprintf(w, "  signals by label:   %s\n\n", strings.Join(parts, " "))
	rows, err = conn.Query(ctx, `SELECT conversation_id, severity, reason, queue, agent_id, score, evidence_labels, evidence_texts, nats_subject
		FROM escalations FINAL ORDER BY score DESC, conversation_id LIMIT 3`)
	if err != nil {
		return fmt.Errorf("escalations: %w", err)
	}
	defer rows.Close()
	fmt.Fprintln(w, "Example escalations (as published to alerting consumers):")
	for rows.Next() {
		var conv, sev, reason, queue, agent, subject string
		var score float32
		var labels, texts []string
		if err := rows.Scan(&conv, &sev, &reason, &queue, &agent, &score, &labels, &texts, &subject); err != nil {
			return err
		}
		fmt.Fprintf(w, "  %s  %s/%s  score %.1f  queue %s  agent %s  on %s\n", conv, sev, reason, score, queue, agent, subject)
		for i := range labels {
			fmt.Fprintf(w, "      %-20s %q\n", labels[i], texts[i])
		}
	}
	fmt.Fprintf(w, "\nQuery them yourself: clickhouse-client --port %s -d %s -q 'SELECT * FROM escalations FINAL FORMAT Vertical'\n", portOf(ch.Addr), ch.Database)
	return rows.Err()
}

func portOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		return addr[i+1:]
	}
	return "9000"
}
