package runner_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigia-cx/vigia/pkg/bench"
	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/bus/bustest"
	"github.com/vigia-cx/vigia/pkg/runner"
	"github.com/vigia-cx/vigia/pkg/stage"
)

// TestRecordSinkAtomicStoresEachRecordOnce: records go out as atomic
// batches; a redelivered batch, wholly or partly stored already, is
// refused as a batch and published again one by one, and the stream still
// holds each record once.
func TestRecordSinkAtomicStoresEachRecordOnce(t *testing.T) {
	_, js := bustest.JetStream(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, items, err := bench.Prepared(2500, 2)
	if err != nil {
		t.Fatal(err)
	}
	stored := func() uint64 {
		st, err := js.Stream(ctx, bus.StreamPipeline)
		if err != nil {
			t.Fatal(err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return info.State.Msgs
	}
	sink := &runner.RecordSink{JS: js, Next: "enriched", Partitions: 8, Atomic: true}
	// A crash after the first 700 were stored one by one, then the batch
	// again in full, then once more.
	plain := &runner.RecordSink{JS: js, Next: "enriched", Partitions: 8}
	if err := plain.Write(ctx, items[:700]); err != nil {
		t.Fatal(err)
	}
	for pass := 0; pass < 2; pass++ {
		if err := sink.Write(ctx, items); err != nil {
			t.Fatalf("pass %d: %v", pass, err)
		}
		if got := stored(); got != uint64(len(items)) {
			t.Fatalf("pass %d: CX_PIPELINE holds %d records, want %d", pass, got, len(items))
		}
	}
}

// TestRecordSinkAtomicOnAStreamThatRefusesIt: the stream's setting was
// turned off under a running service; records still arrive, one by one.
func TestRecordSinkAtomicOnAStreamThatRefusesIt(t *testing.T) {
	_, js := bustest.JetStream(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := js.Stream(ctx, bus.StreamPipeline)
	if err != nil {
		t.Fatal(err)
	}
	cfg := st.CachedInfo().Config
	cfg.AllowAtomicPublish = false
	if _, err := js.UpdateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	_, items, err := bench.Prepared(1200, 2)
	if err != nil {
		t.Fatal(err)
	}
	sink := &runner.RecordSink{JS: js, Next: "enriched", Partitions: 8, Atomic: true}
	for _, part := range [][]*stage.Item{items[:600], items[600:]} {
		if err := sink.Write(ctx, part); err != nil {
			t.Fatal(err)
		}
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != uint64(len(items)) {
		t.Fatalf("CX_PIPELINE holds %d records, want %d", info.State.Msgs, len(items))
	}
}
