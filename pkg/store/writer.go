package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/stage"
	"github.com/vigia-cx/vigia/pkg/telemetry"
)

// Column lists are explicit: ClickHouse 18.16 needs them for native batches,
// and they keep the writer working when a migration adds a column.
const (
	insertEvents = `INSERT INTO interaction_events (tenant, event_id, conversation_id, event_type, event_time, event_time_ms,
		source, channel, speaker, seq, customer_id, agent_id, queue, text, lang, lang_confidence, emotion, emotion_score,
		sentiment, sentiment_score, signal_labels, transfer_to, resolution, survey_kind, survey_score,
		classifier_version, detector_version, ingested_at, intent, intent_score, emotion_intensity, pii_types, pii_hashes,
		redactor_version)`
	insertSignals = `INSERT INTO signals (tenant, signal_id, conversation_id, event_id, event_time, channel, agent_id, queue,
		lang, label, category, polarity, score, evidence_start, evidence_end, evidence_text, rule_id, rule_version, ingested_at)`
	insertConversations = `INSERT INTO conversations (tenant, conversation_id, version, channel, customer_id, first_agent_id,
		last_agent_id, queue, lang, started_at, last_event_at, events, customer_messages, agent_messages, transfers, areas,
		deflections, positive_signals, indifference_score, score_part_names, score_part_values, customer_emotion_peak,
		worst_sentiment, ended, resolution, escalated, detector_version, ingested_at, intent, reasons, indifferent,
		positive_moment, sentiment_start, sentiment_end, handovers, max_reply_seconds, repeat_contact, emotional_load,
		public_channel)`
	insertEscalations = `INSERT INTO escalations (tenant, escalation_id, conversation_id, trigger_event_id, triggered_at,
		severity, reason, queue, channel, customer_id, agent_id, score, score_part_names, score_part_values,
		evidence_labels, evidence_texts, nats_subject, rule_version, ingested_at)`
)

// Writer is the sink every pipeline ends in: one batch per table per call,
// never one INSERT per event. Rows are keyed by deterministic ids, so a
// redelivered batch replaces its rows (ReplacingMergeTree) instead of adding.
type Writer struct {
	Conn driver.Conn
	// Now stamps ingested_at; a field so tests can fix it.
	Now func() time.Time
}

// Write implements stage.Sink.
func (w *Writer) Write(ctx context.Context, items []*stage.Item) error {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ingested := now().UTC().Truncate(time.Second)
	// The four tables go in parallel, one connection each: a batch costs
	// the slowest insert, not the sum (inserts were 2/3 of a batch's time).
	// Any failure fails the call and the batch is retried whole, which the
	// deterministic row ids make harmless for the tables already written.
	// No insert cancels the others: a permanent error must not hide behind
	// the cancellations it would cause.
	writes := []func(context.Context, []*stage.Item, time.Time) error{
		w.writeEvents, w.writeSignals, w.writeConversations, w.writeEscalations,
	}
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, write := range writes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = write(ctx, items, ingested)
		}()
	}
	wg.Wait()
	return stage.Worst(errs...)
}

// table is one insert target: its name for metrics and spans, its query.
type table struct{ name, query, span string }

func newTable(name, query string) table { return table{name, query, "clickhouse insert " + name} }

var (
	tableEvents        = newTable("interaction_events", insertEvents)
	tableSignals       = newTable("signals", insertSignals)
	tableConversations = newTable("conversations", insertConversations)
	tableEscalations   = newTable("escalations", insertEscalations)
)

// send inserts one table's batch in a span of its own. Latency is observed
// only for inserts that stored rows, so empty batches (no signals in this
// batch) do not drag the histogram down.
func (w *Writer) send(ctx context.Context, t table, fill func(driver.Batch) (int, error)) (err error) {
	ctx, span := telemetry.Tracer().Start(ctx, t.span, trace.WithSpanKind(trace.SpanKindClient))
	defer func() {
		if err != nil {
			kind := "transient"
			if errors.Is(err, stage.ErrPermanent) {
				kind = "permanent"
			}
			telemetry.InsertErrors.WithLabelValues(t.name, kind).Inc()
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}()
	start := time.Now()
	batch, err := w.Conn.PrepareBatch(ctx, t.query)
	if err != nil {
		return classify(fmt.Errorf("prepare batch %s: %w", t.name, err))
	}
	n, err := fill(batch)
	if err != nil {
		_ = batch.Abort()
		return stage.Permanent(fmt.Errorf("append row to %s: %w", t.name, err))
	}
	if n == 0 {
		return batch.Abort()
	}
	if err := batch.Send(); err != nil {
		return classify(fmt.Errorf("insert %d rows into %s: %w", n, t.name, err))
	}
	telemetry.InsertDuration.WithLabelValues(t.name).Observe(time.Since(start).Seconds())
	telemetry.InsertedRows.WithLabelValues(t.name).Add(float64(n))
	if span.IsRecording() {
		span.SetAttributes(
			attribute.String("db.system.name", "clickhouse"),
			attribute.String("db.collection.name", t.name),
			attribute.Int("vigia.rows", n),
		)
	}
	return nil
}

func (w *Writer) writeEvents(ctx context.Context, items []*stage.Item, ingested time.Time) error {
	return w.send(ctx, tableEvents, func(b driver.Batch) (int, error) {
		n := 0
		for _, it := range items {
			r := it.Record
			ev := &r.Event
			if ev.Type == event.TypeTimer {
				continue // a deadline is not an interaction; its signals and state are stored
			}
			id, err := uuid.Parse(ev.ID)
			if err != nil {
				return n, fmt.Errorf("event id %q: %w", ev.ID, err)
			}
			en := r.Enriched
			if en == nil {
				en = &event.Enrichment{Tenant: ev.TenantOrDefault()}
			}
			var cl event.Classification
			if r.Classified != nil {
				cl = *r.Classified
			}
			var labels []string
			detVersion := ""
			if r.Detected != nil {
				detVersion = r.Detected.Version
				for _, s := range r.Detected.Signals {
					labels = append(labels, s.Label)
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
			if labels == nil {
				labels = []string{}
			}
			piiTypes, piiHashes := make([]string, len(en.PII)), make([]string, len(en.PII))
			for i, p := range en.PII {
				piiTypes[i], piiHashes[i] = p.Type, p.Hash
			}
			if err := b.Append(en.Tenant, id, ev.Subject, ev.Type, ev.Time.UTC(), uint64(ev.Time.UnixMilli()),
				ev.Source, en.Channel, ev.Data.Speaker, seq, customerOf(r), ev.Data.AgentID, queueOf(r), en.Text, en.Lang,
				en.LangConfidence, cl.Emotion, cl.EmotionScore, cl.Sentiment, cl.SentimentScore, labels, ev.Data.ToQueue,
				ev.Data.Resolution, ev.Data.Kind, survey, cl.Version, detVersion, ingested, cl.Intent, cl.IntentScore,
				cl.EmotionIntensity, piiTypes, piiHashes, en.RedactorVersion); err != nil {
				return n, err
			}
			n++
		}
		return n, nil
	})
}

func customerOf(r *event.Record) string {
	if r.Event.Data.CustomerID != "" {
		return r.Event.Data.CustomerID
	}
	if r.Detected != nil {
		return r.Detected.Conversation.CustomerID
	}
	return ""
}

func queueOf(r *event.Record) string {
	if r.Detected != nil && r.Detected.Conversation.Queue != "" {
		return r.Detected.Conversation.Queue
	}
	return r.Event.Data.Queue
}

// SignalID is the row key of a signal: the same event, label and span always
// give the same id.
func SignalID(eventID string, s *event.Signal) string {
	return fmt.Sprintf("%s:%s:%d", eventID, s.Label, s.Evidence.Start)
}

func (w *Writer) writeSignals(ctx context.Context, items []*stage.Item, ingested time.Time) error {
	return w.send(ctx, tableSignals, func(b driver.Batch) (int, error) {
		n := 0
		for _, it := range items {
			r := it.Record
			if r.Detected == nil || len(r.Detected.Signals) == 0 {
				continue
			}
			id, err := uuid.Parse(r.Event.ID)
			if err != nil {
				return n, fmt.Errorf("event id %q: %w", r.Event.ID, err)
			}
			for i := range r.Detected.Signals {
				s := &r.Detected.Signals[i]
				if err := b.Append(r.Event.TenantOrDefault(), SignalID(r.Event.ID, s), r.Event.Subject, id, r.Event.Time.UTC(),
					r.Enriched.Channel, r.Event.Data.AgentID, queueOf(r), r.Enriched.Lang, s.Label, s.Category, s.Polarity, s.Score,
					uint32(s.Evidence.Start), uint32(s.Evidence.End), s.Evidence.Text, s.RuleID, r.Detected.Version, ingested); err != nil {
					return n, err
				}
				n++
			}
		}
		return n, nil
	})
}

// writeConversations writes one row per conversation per batch: the newest
// snapshot. Older ones would be replaced by ReplacingMergeTree(version)
// anyway; not sending them saves most of the table's inserts.
func (w *Writer) writeConversations(ctx context.Context, items []*stage.Item, ingested time.Time) error {
	type key struct{ tenant, conv string }
	latest := map[key]*event.Record{}
	var order []key
	for _, it := range items {
		r := it.Record
		if r.Detected == nil {
			continue
		}
		k := key{r.Event.TenantOrDefault(), r.Event.Subject}
		prev, ok := latest[k]
		if !ok {
			order = append(order, k)
		}
		if !ok || r.Detected.Conversation.Version >= prev.Detected.Conversation.Version {
			latest[k] = r
		}
	}
	return w.send(ctx, tableConversations, func(b driver.Batch) (int, error) {
		for _, k := range order {
			r := latest[k]
			c := &r.Detected.Conversation
			names, values := splitParts(c.ScoreParts)
			areas := c.Areas
			if areas == nil {
				areas = []string{}
			}
			if err := b.Append(k.tenant, k.conv, c.Version, c.Channel, c.CustomerID, c.FirstAgentID, c.LastAgentID, c.Queue,
				c.Lang, c.StartedAt.UTC(), c.LastEventAt.UTC(), c.Events, c.CustomerMessages, c.AgentMessages, c.Transfers,
				areas, c.Deflections, c.PositiveSignals, c.IndifferenceScore, names, values, c.CustomerEmotionPeak,
				c.WorstSentiment, boolU8(c.Ended), c.Resolution, boolU8(c.Escalated), r.Detected.Version, ingested, c.Intent,
				nonNil(c.Reasons), boolU8(c.Indifferent), boolU8(c.PositiveMoment), c.SentimentStart, c.SentimentEnd,
				c.Handovers, c.MaxReplySeconds, boolU8(c.RepeatContact), c.EmotionalLoad, boolU8(c.PublicChannel)); err != nil {
				return 0, err
			}
		}
		return len(order), nil
	})
}

func (w *Writer) writeEscalations(ctx context.Context, items []*stage.Item, ingested time.Time) error {
	return w.send(ctx, tableEscalations, func(b driver.Batch) (int, error) {
		n := 0
		for _, it := range items {
			r := it.Record
			if r.Detected == nil {
				continue
			}
			for i := range r.Detected.Escalations {
				e := &r.Detected.Escalations[i]
				id, err := uuid.Parse(e.ID)
				if err != nil {
					return n, fmt.Errorf("escalation id: %w", err)
				}
				trig, err := uuid.Parse(e.Data.TriggerEventID)
				if err != nil {
					return n, fmt.Errorf("trigger event id: %w", err)
				}
				names, values := splitParts(e.Data.ScoreParts)
				labels := make([]string, len(e.Data.Evidence))
				texts := make([]string, len(e.Data.Evidence))
				for j, ev := range e.Data.Evidence {
					labels[j], texts[j] = ev.Label, ev.Text
				}
				if err := b.Append(e.Tenant, id, e.Subject, trig, e.Time.UTC(), e.Data.Severity, e.Data.Reason, e.Data.Queue,
					e.Data.Channel, e.Data.CustomerID, e.Data.AgentID, e.Data.Score, names, values, labels, texts,
					e.NATSSubject(), e.Data.RuleVersion, ingested); err != nil {
					return n, err
				}
				n++
			}
		}
		return n, nil
	})
}

func splitParts(parts []event.ScorePart) ([]string, []float32) {
	names := make([]string, len(parts))
	values := make([]float32, len(parts))
	for i, p := range parts {
		names[i], values[i] = p.Name, p.Value
	}
	return names, values
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func boolU8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// Server error codes that mean the data, not the server, is the problem:
// retrying the same rows cannot help, so they are isolated and dead-lettered.
var dataErrorCodes = map[int32]bool{
	6: true, 27: true, 38: true, 41: true, 53: true, 69: true, 70: true, 72: true, 117: true, 131: true,
}

// classify marks data errors permanent and leaves everything else (network,
// server overloaded or restarting) to be retried.
func classify(err error) error {
	var ex *clickhouse.Exception
	if errors.As(err, &ex) && dataErrorCodes[ex.Code] {
		return stage.Permanent(err)
	}
	return err
}
