package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/enrich"
	"github.com/vigia-cx/vigia/pkg/redact"
)

func init() {
	commands["redact"] = command{"redact text the way the pipeline stores it", cmdRedact}
}

type redactConfig struct {
	JSON    bool   `conf:"help:read JSON lines {id text [channel]} and write {id text types}"`
	Channel string `conf:"help:channel of every text; email keeps only the new text of a message"`
	Redact  config.Redact
}

// redactIn is one --json input line; channel overrides --channel.
type redactIn struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Channel string `json:"channel,omitempty"`
}

type redactOut struct {
	ID    string   `json:"id"`
	Text  string   `json:"text"`
	Types []string `json:"types"`
}

// cmdRedact reads texts on stdin and writes what the pipeline would store
// for them, with the same VIGIA_REDACT_* settings: one line out per line in.
func cmdRedact(ctx context.Context) error {
	var cfg redactConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	// Hashes are not printed, so a missing key is no reason to warn.
	r, err := enrich.NewRedactor(cfg.Redact, nil)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(os.Stdout)
	if err := redactLines(ctx, os.Stdin, out, r, cfg.JSON, cfg.Channel); err != nil {
		_ = out.Flush()
		return err
	}
	return out.Flush()
}

func redactLines(ctx context.Context, in io.Reader, out io.Writer, r *redact.Redactor, jsonLines bool, channel string) error {
	sc := bufio.NewScanner(in)
	// Events may hold up to 256 KiB; a JSON line of one escapes to more.
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for n := 1; sc.Scan(); n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !jsonLines {
			res := enrich.StoredText(r, sc.Text(), channel)
			if _, err := fmt.Fprintln(out, res.Text); err != nil {
				return fmt.Errorf("write: %w", err)
			}
			continue
		}
		var rec redactIn
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		ch := channel
		if rec.Channel != "" {
			ch = rec.Channel
		}
		res := enrich.StoredText(r, rec.Text, ch)
		o := redactOut{ID: rec.ID, Text: res.Text, Types: make([]string, len(res.Found))}
		for i, f := range res.Found {
			o.Types[i] = f.Type
		}
		if err := enc.Encode(o); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	return nil
}
