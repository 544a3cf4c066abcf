package bus_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/bus/bustest"
)

func recordMsgs(from, to int) []*nats.Msg {
	var msgs []*nats.Msg
	for i := from; i < to; i++ {
		m := nats.NewMsg(bus.StageSubject("enriched", i%8))
		m.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("enriched:%d", i))
		m.Data = []byte(fmt.Sprintf(`{"n":%d}`, i))
		msgs = append(msgs, m)
	}
	return msgs
}

func pipelineMsgs(t *testing.T, js jetstream.JetStream) uint64 {
	t.Helper()
	st, err := js.Stream(context.Background(), bus.StreamPipeline)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

func TestPublishAtomic(t *testing.T) {
	nc, js := bustest.JetStream(t, true)
	ctx := context.Background()
	if ok, err := bus.AtomicPublishAllowed(ctx, js, bus.StreamPipeline); err != nil || !ok {
		t.Fatalf("CX_PIPELINE allows atomic publish = %v (%v), want true", ok, err)
	}
	msgs := recordMsgs(0, bus.AtomicBatchMax)
	last, err := bus.PublishAtomic(ctx, nc, msgs)
	if err != nil {
		t.Fatal(err)
	}
	if last != bus.AtomicBatchMax || pipelineMsgs(t, js) != bus.AtomicBatchMax {
		t.Fatalf("last seq %d, %d stored; want %d contiguous", last, pipelineMsgs(t, js), bus.AtomicBatchMax)
	}
	for _, m := range msgs {
		if m.Header.Get("Nats-Batch-Id") != "" || m.Header.Get("Nats-Batch-Sequence") != "" {
			t.Fatal("batch headers left on a message: publishing it again would join a dead batch")
		}
	}
	// A batch with one message the stream already holds is refused whole.
	again := append(recordMsgs(bus.AtomicBatchMax-1, bus.AtomicBatchMax), recordMsgs(5000, 5010)...)
	_, err = bus.PublishAtomic(ctx, nc, again)
	var refused *bus.BatchError
	if !errors.As(err, &refused) || !refused.Duplicate() {
		t.Fatalf("republishing a stored id: %v, want a duplicate BatchError", err)
	}
	if got := pipelineMsgs(t, js); got != bus.AtomicBatchMax {
		t.Fatalf("a refused batch stored something: %d messages, want %d", got, bus.AtomicBatchMax)
	}
	if _, err := bus.PublishAtomic(ctx, nc, recordMsgs(0, bus.AtomicBatchMax+1)); err == nil {
		t.Fatal("a batch over the limit was sent")
	}
	// A stream without the setting refuses: not a duplicate.
	_, err = bus.PublishAtomic(ctx, nc, []*nats.Msg{{Subject: "cx.dlq.test", Data: []byte("x"), Header: nats.Header{}}})
	if !errors.As(err, &refused) || refused.Duplicate() {
		t.Fatalf("atomic batch on CX_DLQ: %v, want a refusal that is not a duplicate", err)
	}
}
