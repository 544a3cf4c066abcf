package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/telemetry"
	"github.com/vigia-cx/vigia/pkg/transcript"
)

// sampleConversations is the built-in sample: 64 hand-written es/en calls,
// chats and emails (services/vigia/sample/).
//
//go:embed sample/conversations.jsonl
var sampleConversations []byte

type publishConfig struct {
	NATS     config.NATS
	Sample   bool          `conf:"help:publish the built-in sample conversations"`
	File     string        `conf:"help:JSON-lines file of transcripts (or events with --events); - for stdin"`
	Events   bool          `conf:"help:the file holds v1 events, one per line, not transcripts"`
	Tenant   string        `conf:"help:tenant for transcripts without one"`
	RetryFor time.Duration `conf:"default:2m,help:keep republishing unacknowledged events (same message ids) this long"`
	Rate     int           `conf:"default:0,help:events per second (0: as fast as acks come back)"`
	Log      config.Log
}

func cmdPublish(ctx context.Context) error {
	var cfg publishConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	log, err := telemetry.Logger(os.Stderr, "publish", cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	var in io.Reader
	switch {
	case cfg.Sample:
		in = bytes.NewReader(sampleConversations)
	case cfg.File == "-":
		in = os.Stdin
	case cfg.File != "":
		f, err := os.Open(cfg.File)
		if err != nil {
			return fmt.Errorf("open %s: %w", cfg.File, err)
		}
		defer f.Close()
		in = f
	default:
		return fmt.Errorf("nothing to publish: give --sample or --file")
	}
	msgs, err := readMessages(in, cfg.Events, cfg.Tenant)
	if err != nil {
		return err
	}
	nc, js, err := connectJetStream(cfg.NATS.URL, cfg.NATS.NATSAuth, "vigia-publish", log, jetstream.WithPublishAsyncMaxPending(1024))
	if err != nil {
		return err
	}
	defer nc.Close()
	start := time.Now()
	dup, err := publishPaced(ctx, js, msgs, cfg.Rate, cfg.RetryFor, log)
	if err != nil {
		return err
	}
	log.Info("published", "events", len(msgs), "already_stored", dup, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// readMessages turns the input into NATS messages with Nats-Msg-Id set.
func readMessages(in io.Reader, events bool, tenant string) ([]*nats.Msg, error) {
	var msgs []*nats.Msg
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), event.MaxEventBytes*4)
	for line := 1; sc.Scan(); line++ {
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		if events {
			var ev event.Event
			if err := json.Unmarshal(raw, &ev); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			h := nats.Header{}
			h.Set(jetstream.MsgIDHeader, ev.ID)
			msgs = append(msgs, &nats.Msg{Subject: transcript.Subject(nonEmpty(ev.Data.Channel, "chat"), &ev), Header: h, Data: append([]byte(nil), raw...)})
			continue
		}
		var c transcript.Conversation
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if c.Tenant == "" {
			c.Tenant = tenant
		}
		evs, err := c.Events()
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		for i := range evs {
			data, err := json.Marshal(&evs[i])
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			h := nats.Header{}
			h.Set(jetstream.MsgIDHeader, evs[i].ID)
			msgs = append(msgs, &nats.Msg{Subject: transcript.Subject(c.Channel, &evs[i]), Header: h, Data: data})
		}
	}
	return msgs, sc.Err()
}

// publishPaced publishes at rate events/s in 50 ms steps (open loop: a slow
// ack does not lower the offered rate), or as fast as acks come back.
func publishPaced(ctx context.Context, js jetstream.JetStream, msgs []*nats.Msg, rate int, retryFor time.Duration, log *slog.Logger) (int, error) {
	if rate <= 0 {
		return publishReliably(ctx, js, msgs, retryFor, log)
	}
	const step = 50 * time.Millisecond
	chunk := max(1, rate*int(step/time.Millisecond)/1000)
	start, duplicates := time.Now(), 0
	for i := 0; i < len(msgs); i += chunk {
		if wait := time.Until(start.Add(time.Duration(i/chunk) * step)); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return duplicates, ctx.Err()
			}
		}
		dup, err := publishReliably(ctx, js, msgs[i:min(i+chunk, len(msgs))], retryFor, log)
		duplicates += dup
		if err != nil {
			return duplicates, err
		}
	}
	return duplicates, nil
}

// publishReliably publishes every message and waits for its ack; a message
// whose ack does not come (server restarting, connection lost, ack timeout)
// is published again with the same Nats-Msg-Id, so the stream stores it
// once. Retries back off and give up after retryFor without progress. It
// returns how many were already stored.
func publishReliably(ctx context.Context, js jetstream.JetStream, msgs []*nats.Msg, retryFor time.Duration, log *slog.Logger) (duplicates int, err error) {
	const window = 512
	for start := 0; start < len(msgs); start += window {
		pending := msgs[start:min(start+window, len(msgs))]
		bo := backoff.NewExponentialBackOff()
		bo.InitialInterval, bo.MaxInterval, bo.MaxElapsedTime = 100*time.Millisecond, 2*time.Second, retryFor
		for len(pending) > 0 {
			var dup int
			var lastErr error
			pending, dup, lastErr = publishWindow(ctx, js, pending)
			duplicates += dup
			if ctx.Err() != nil {
				return duplicates, ctx.Err()
			}
			if len(pending) == 0 {
				break
			}
			wait := bo.NextBackOff()
			if wait == backoff.Stop {
				return duplicates, fmt.Errorf("publish: %d messages unacknowledged for %s: %w", len(pending), retryFor, lastErr)
			}
			log.Warn("publish not acknowledged; retrying with the same message ids", "messages", len(pending), "err", lastErr, "in", wait)
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return duplicates, ctx.Err()
			}
		}
	}
	return duplicates, nil
}

// publishWindow publishes msgs asynchronously and returns those without an
// ack, with the last error seen.
func publishWindow(ctx context.Context, js jetstream.JetStream, msgs []*nats.Msg) (retry []*nats.Msg, duplicates int, lastErr error) {
	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	for i, m := range msgs {
		f, err := js.PublishMsgAsync(m)
		if err != nil {
			// Not sent at all (connection closed, too many pending): this
			// one and the rest go round again.
			return append(retry, msgs[i:]...), duplicates, fmt.Errorf("publish %s: %w", m.Subject, err)
		}
		futures = append(futures, f)
	}
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for i, f := range futures {
		select {
		case ack := <-f.Ok():
			if ack.Duplicate {
				duplicates++
			}
		case err := <-f.Err():
			retry, lastErr = append(retry, msgs[i]), err
		case <-wait.Done():
			retry, lastErr = append(retry, msgs[i]), errors.New("no ack within 5s")
		}
	}
	return retry, duplicates, lastErr
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
