package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
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
	NATS   config.NATS
	Sample bool   `conf:"help:publish the built-in sample conversations"`
	File   string `conf:"help:JSON-lines file of transcripts (or events with --events); - for stdin"`
	Events bool   `conf:"help:the file holds v1 events, one per line, not transcripts"`
	Tenant string `conf:"help:tenant for transcripts without one"`
	Log    config.Log
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
	nc, err := bus.Connect(cfg.NATS.URL, "vigia-publish", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(1024))
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	start := time.Now()
	dup, err := publishReliably(ctx, js, msgs)
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

// publishReliably publishes every message and waits for its ack; a message
// whose ack does not come is published again with the same Nats-Msg-Id, so
// the stream stores it once. It returns how many were already stored.
func publishReliably(ctx context.Context, js jetstream.JetStream, msgs []*nats.Msg) (duplicates int, err error) {
	const window = 512
	for start := 0; start < len(msgs); start += window {
		end := min(start+window, len(msgs))
		pending := msgs[start:end]
		for attempt := 1; len(pending) > 0; attempt++ {
			if attempt > 10 {
				return duplicates, fmt.Errorf("publish: %d messages unacknowledged after 10 attempts", len(pending))
			}
			futures := make([]jetstream.PubAckFuture, len(pending))
			for i, m := range pending {
				if futures[i], err = js.PublishMsgAsync(m); err != nil {
					return duplicates, fmt.Errorf("publish %s: %w", m.Subject, err)
				}
			}
			var retry []*nats.Msg
			wait, cancel := context.WithTimeout(ctx, 5*time.Second)
			for i, f := range futures {
				select {
				case ack := <-f.Ok():
					if ack.Duplicate {
						duplicates++
					}
				case <-f.Err():
					retry = append(retry, pending[i])
				case <-wait.Done():
					retry = append(retry, pending[i])
				}
			}
			cancel()
			if ctx.Err() != nil {
				return duplicates, ctx.Err()
			}
			pending = retry
		}
	}
	return duplicates, nil
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
