package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/stage"
	"github.com/vigia-cx/vigia/pkg/telemetry"
)

// traceHeaders are carried from a stage's input to its outputs, so one
// event's trace spans every hop. The runner has already replaced a traced
// item's traceparent with its own span's, so the next hop's span is a child
// of this hop's.
var traceHeaders = []string{"traceparent", "tracestate"}

func carry(in map[string][]string, out nats.Header) {
	for _, k := range traceHeaders {
		if v, ok := in[k]; ok && len(v) > 0 {
			out.Set(k, v[0])
		}
	}
}

// publishAll publishes msgs asynchronously and waits for every ack: a batch
// is durable when JetStream has stored all of it. A retry republishes the
// same ids, which the stream's duplicate window absorbs. onAck, if not nil,
// sees each message's ack, by index.
func publishAll(ctx context.Context, js jetstream.JetStream, msgs []*nats.Msg, onAck func(i int, ack *jetstream.PubAck)) error {
	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	for _, m := range msgs {
		f, err := js.PublishMsgAsync(m)
		if err != nil {
			return fmt.Errorf("publish %s: %w", m.Subject, err)
		}
		futures = append(futures, f)
	}
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for i, f := range futures {
		select {
		case ack := <-f.Ok():
			if onAck != nil {
				onAck(i, ack)
			}
		case err := <-f.Err():
			return fmt.Errorf("publish %s: %w", f.Msg().Subject, err)
		case <-timeout.C:
			return fmt.Errorf("publish: no ack within 10s")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// RecordSink publishes each record to the next stage's partitioned subject
// (separate-services mode).
type RecordSink struct {
	JS         jetstream.JetStream
	Next       string // enriched, classified or detected
	Partitions int
	// Atomic publishes up to bus.AtomicBatchMax records as one atomic
	// batch, stored with one fsync, where one by one a stream that fsyncs
	// every write does one per record. Set it when the stream allows it
	// (bus.AtomicPublishAllowed).
	Atomic bool
	// atomicOff is set when the stream answers that atomic publish is
	// disabled (its setting changed under a running service): from then
	// on records go one by one, not twice per batch.
	atomicOff atomic.Bool
}

// Write implements stage.Sink.
func (s *RecordSink) Write(ctx context.Context, items []*stage.Item) error {
	msgs := make([]*nats.Msg, 0, len(items))
	for _, it := range items {
		data, err := json.Marshal(it.Record)
		if err != nil {
			return stage.Permanent(fmt.Errorf("encode record: %w", err))
		}
		ev := &it.Record.Event
		h := nats.Header{}
		// The id names the content, not only the event: a redelivered event
		// that a stateful stage judged in another context (its batch held
		// other events, or came in another order) is a different record,
		// and must reach the next stage instead of being dropped as a
		// duplicate of the first attempt. An identical redo still is one.
		h.Set(jetstream.MsgIDHeader, s.Next+":"+ev.ID+":"+contentHash(data))
		carry(it.Header, h)
		subj := bus.StageSubject(s.Next, bus.Partition(ev.TenantOrDefault(), ev.ConversationID(), s.Partitions))
		msgs = append(msgs, &nats.Msg{Subject: subj, Header: h, Data: data})
	}
	if !s.Atomic || s.atomicOff.Load() {
		return publishAll(ctx, s.JS, msgs, nil)
	}
	for lo := 0; lo < len(msgs); lo += bus.AtomicBatchMax {
		chunk := msgs[lo:min(lo+bus.AtomicBatchMax, len(msgs))]
		_, err := bus.PublishAtomic(ctx, s.JS.Conn(), chunk)
		var refused *bus.BatchError
		switch {
		case err == nil:
			continue
		case !errors.As(err, &refused):
			return fmt.Errorf("publish %d records: %w", len(chunk), err)
		case refused.Disabled():
			s.atomicOff.Store(true)
		}
		// Refused whole, nothing stored: typically a redelivered batch
		// whose records are partly in the stream already. One by one,
		// the duplicate window absorbs those.
		if err := publishAll(ctx, s.JS, chunk, nil); err != nil {
			return err
		}
	}
	return nil
}

func contentHash(b []byte) string {
	h := fnv.New64a()
	_, _ = h.Write(b)
	return strconv.FormatUint(h.Sum64(), 36)
}

// EscalationSink publishes the escalations a batch raised, each once: its
// id (tenant + conversation + reason) is the Nats-Msg-Id.
type EscalationSink struct {
	JS jetstream.JetStream
}

// Write implements stage.Sink. It walks the items itself, as
// detect.Escalations does, to give each escalation the trace context of the
// event that raised it.
func (s EscalationSink) Write(ctx context.Context, items []*stage.Item) error {
	var msgs []*nats.Msg
	var severities []string
	for _, it := range items {
		if !it.OK() || it.Record == nil || it.Record.Detected == nil {
			continue
		}
		escs := it.Record.Detected.Escalations
		for i := range escs {
			data, err := json.Marshal(&escs[i])
			if err != nil {
				return stage.Permanent(fmt.Errorf("encode escalation: %w", err))
			}
			h := nats.Header{}
			h.Set(jetstream.MsgIDHeader, escs[i].ID)
			carry(it.Header, h)
			msgs = append(msgs, &nats.Msg{Subject: escs[i].NATSSubject(), Header: h, Data: data})
			severities = append(severities, escs[i].Data.Severity)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	// Counted on the ack that stored it, not on the duplicate a retried
	// batch republishes: the count is of escalations raised.
	return publishAll(ctx, s.JS, msgs, func(i int, ack *jetstream.PubAck) {
		if !ack.Duplicate {
			telemetry.EscalationsPublished.WithLabelValues(telemetry.Severity(severities[i])).Inc()
		}
	})
}
