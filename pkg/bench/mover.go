package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/event"
)

// RawInsert is the writer's interaction_events insert: the same 34 columns
// in the same order (pkg/store/writer.go), so a raw row costs ClickHouse what
// a pipeline row costs.
const RawInsert = `INSERT INTO interaction_events (tenant, event_id, conversation_id, event_type, event_time, event_time_ms,
	source, channel, speaker, seq, customer_id, agent_id, queue, text, lang, lang_confidence, emotion, emotion_score,
	sentiment, sentiment_score, signal_labels, transfer_to, resolution, survey_kind, survey_score,
	classifier_version, detector_version, ingested_at, intent, intent_score, emotion_intensity, pii_types, pii_hashes,
	redactor_version)`

// The computed columns of a raw row get constants as long as what the
// pipeline stores, so both move the same bytes.
const (
	rawClassifierVersion = "cls-2026.12.1+0123456789ab"
	rawDetectorVersion   = "2026.12.0+0123456789ab"
)

// RawRow turns a raw event into an interaction_events row with no
// processing beyond the JSON decode that reading its columns needs: no
// schema validation, normalization, language, classification or detection.
func RawRow(subject string, raw []byte) ([]any, error) {
	var ev event.Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	id, err := uuid.Parse(ev.ID)
	if err != nil {
		return nil, fmt.Errorf("event id %q: %w", ev.ID, err)
	}
	channel := ev.Data.Channel
	if channel == "" {
		// cx.events.<channel>.<kind>
		if parts := strings.Split(subject, "."); len(parts) >= 3 {
			channel = parts[2]
		}
	}
	seq := uint32(0)
	if ev.Data.Seq != nil && *ev.Data.Seq >= 0 {
		seq = uint32(*ev.Data.Seq)
	}
	survey := int16(-1)
	if ev.Data.Score != nil {
		survey = int16(*ev.Data.Score)
	}
	txt := ev.Data.Text
	if ev.Type == event.TypeSurvey {
		txt = ev.Data.Comment
	}
	return []any{ev.TenantOrDefault(), id, ev.Subject, ev.Type, ev.Time.UTC(), uint64(ev.Time.UnixMilli()),
		ev.Source, channel, ev.Data.Speaker, seq, ev.Data.CustomerID, ev.Data.AgentID, ev.Data.Queue, txt, ev.Data.Lang,
		float32(1), "neutral", float32(0.5), "neutral", float32(0), []string{}, ev.Data.ToQueue,
		ev.Data.Resolution, ev.Data.Kind, survey, rawClassifierVersion, rawDetectorVersion,
		time.Now().UTC().Truncate(time.Second), "", float32(0), float32(0), []string{}, []string{}, ""}, nil
}

// MoverConfig configures the raw mover.
type MoverConfig struct {
	Stream   string
	Consumer string
	Filter   []string
	// BatchSize and BatchWait close a batch as the runner's do.
	BatchSize int
	BatchWait time.Duration
	// Conn receives the rows; nil only consumes and acks (the raw JetStream
	// baseline).
	Conn driver.Conn
	Log  *slog.Logger
}

// MoverStats are the mover's counters.
type MoverStats struct {
	Received, Written, Batches, Failed atomic.Int64
}

// Move is the ceiling of the pipeline: the same durable pull consumer, the
// same batching by count and time, one ClickHouse insert per batch and an
// ack per message after it, with nothing in between. It runs until ctx ends.
func Move(ctx context.Context, js jetstream.JetStream, cfg MoverConfig, st *MoverStats) error {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	if cfg.BatchWait <= 0 {
		cfg.BatchWait = 200 * time.Millisecond
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, cfg.Stream, jetstream.ConsumerConfig{
		Durable: cfg.Consumer, FilterSubjects: cfg.Filter, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: 30 * time.Second, MaxDeliver: 5, MaxAckPending: 4 * cfg.BatchSize, DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fmt.Errorf("mover consumer %s: %w", cfg.Consumer, err)
	}
	msgs := make(chan jetstream.Msg, 2*cfg.BatchSize)
	cc, err := cons.Consume(func(m jetstream.Msg) { msgs <- m }, jetstream.PullMaxMessages(2*cfg.BatchSize),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			if !errors.Is(err, jetstream.ErrNoHeartbeat) {
				cfg.Log.Warn("consume", "err", err)
			}
		}))
	if err != nil {
		return fmt.Errorf("mover consume: %w", err)
	}
	defer cc.Stop()
	batch := make([]jetstream.Msg, 0, cfg.BatchSize)
	for {
		batch = batch[:0]
		select {
		case <-ctx.Done():
			return nil
		case m := <-msgs:
			batch = append(batch, m)
		}
		timer := time.NewTimer(cfg.BatchWait)
	fill:
		for len(batch) < cfg.BatchSize {
			select {
			case m := <-msgs:
				batch = append(batch, m)
			case <-timer.C:
				break fill
			}
		}
		timer.Stop()
		st.Received.Add(int64(len(batch)))
		st.Batches.Add(1)
		if err := insertRaw(ctx, cfg.Conn, batch); err != nil {
			// The ceiling has no retry policy worth measuring: give the
			// batch back and say so.
			st.Failed.Add(int64(len(batch)))
			cfg.Log.Error("insert failed; batch returned", "err", err, "messages", len(batch))
			for _, m := range batch {
				_ = m.Nak()
			}
			continue
		}
		for _, m := range batch {
			_ = m.Ack()
		}
		st.Written.Add(int64(len(batch)))
	}
}

func insertRaw(ctx context.Context, conn driver.Conn, batch []jetstream.Msg) error {
	if conn == nil {
		return nil
	}
	b, err := conn.PrepareBatch(ctx, RawInsert)
	if err != nil {
		return fmt.Errorf("prepare batch: %w", err)
	}
	for _, m := range batch {
		row, err := RawRow(m.Subject(), m.Data())
		if err != nil {
			_ = b.Abort()
			return err
		}
		if err := b.Append(row...); err != nil {
			_ = b.Abort()
			return fmt.Errorf("append row: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert %d rows: %w", len(batch), err)
	}
	return nil
}
