package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/detect"
	"github.com/vigia-cx/vigia/pkg/stage"
)

// traceHeaders are carried from a stage's input to its outputs, so one
// event's trace spans every hop.
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
// same ids, which the stream's duplicate window absorbs.
func publishAll(ctx context.Context, js jetstream.JetStream, msgs []*nats.Msg) error {
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
	for _, f := range futures {
		select {
		case <-f.Ok():
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
}

// Write implements stage.Sink.
func (s RecordSink) Write(ctx context.Context, items []*stage.Item) error {
	msgs := make([]*nats.Msg, 0, len(items))
	for _, it := range items {
		data, err := json.Marshal(it.Record)
		if err != nil {
			return stage.Permanent(fmt.Errorf("encode record: %w", err))
		}
		ev := &it.Record.Event
		h := nats.Header{}
		h.Set(jetstream.MsgIDHeader, s.Next+":"+ev.ID)
		carry(it.Header, h)
		subj := bus.StageSubject(s.Next, bus.Partition(ev.TenantOrDefault(), ev.ConversationID(), s.Partitions))
		msgs = append(msgs, &nats.Msg{Subject: subj, Header: h, Data: data})
	}
	return publishAll(ctx, s.JS, msgs)
}

// EscalationSink publishes the escalations a batch raised, each once: its
// id (tenant + conversation + reason) is the Nats-Msg-Id.
type EscalationSink struct {
	JS jetstream.JetStream
}

// Write implements stage.Sink.
func (s EscalationSink) Write(ctx context.Context, items []*stage.Item) error {
	escs := detect.Escalations(items)
	if len(escs) == 0 {
		return nil
	}
	msgs := make([]*nats.Msg, 0, len(escs))
	for i := range escs {
		data, err := json.Marshal(&escs[i])
		if err != nil {
			return stage.Permanent(fmt.Errorf("encode escalation: %w", err))
		}
		h := nats.Header{}
		h.Set(jetstream.MsgIDHeader, escs[i].ID)
		msgs = append(msgs, &nats.Msg{Subject: escs[i].NATSSubject(), Header: h, Data: data})
	}
	return publishAll(ctx, s.JS, msgs)
}
