package runner_test

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bench"
	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/bus/bustest"
	"github.com/vigia-cx/vigia/pkg/runner"
	"github.com/vigia-cx/vigia/pkg/stage"
)

// countingStage counts the batches it has started and checks that it is
// never given an item that already failed.
type countingStage struct {
	name    string
	started atomic.Int64
	sawDead atomic.Int64
	seen    atomic.Int64
}

func (s *countingStage) Name() string { return s.name }

func (s *countingStage) Process(_ context.Context, items []*stage.Item) error {
	s.started.Add(1)
	for _, it := range items {
		if !it.OK() {
			s.sawDead.Add(1)
		}
		if it.Record == nil {
			s.sawDead.Add(1)
		}
	}
	s.seen.Add(int64(len(items)))
	return nil
}

// gateSink holds the first batch's write until the ahead stage has started
// on the next batch: if the runner did not overlap them, the wait times out.
type gateSink struct {
	ahead      *countingStage
	mu         sync.Mutex
	first      bool
	overlapped bool
	written    atomic.Int64
}

func (s *gateSink) Write(_ context.Context, items []*stage.Item) error {
	s.mu.Lock()
	first := !s.first
	s.first = true
	s.mu.Unlock()
	if first {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) && !s.overlapped {
			// The ahead stage's first run was this batch; a second means
			// the next batch is being decoded while this one is written.
			s.overlapped = s.ahead.started.Load() >= 2
			time.Sleep(time.Millisecond)
		}
	}
	s.written.Add(int64(len(items)))
	return nil
}

func TestAheadStageOverlapsWriteAndDeadLettersItsFailures(t *testing.T) {
	_, js := bustest.JetStream(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const total, poisonEvery = 600, 40
	msgs, err := bench.NewGenerator(bench.GenConfig{Seed: 3, Concurrency: 20}).Take(total)
	if err != nil {
		t.Fatal(err)
	}
	poison := 0
	for i, m := range msgs {
		data := m.Data
		if i%poisonEvery == 7 {
			data, poison = []byte(`{"not":"an event"`), poison+1
		}
		h := nats.Header{}
		h.Set(jetstream.MsgIDHeader, m.ID+"-"+strconv.Itoa(i))
		if _, err := js.PublishMsg(ctx, &nats.Msg{Subject: m.Subject, Header: h, Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	decodeCount := &countingStage{name: "count-ahead"}
	main := &countingStage{name: "main"}
	sink := &gateSink{ahead: decodeCount}
	r, err := runner.New(js, runner.Config{Name: "ahead-test", Stream: bus.StreamEvents, Filter: []string{bus.SubjectEvents},
		BatchSize: 100, BatchWait: 20 * time.Millisecond},
		main, sink, slog.New(slog.DiscardHandler),
		runner.WithAhead(stage.Chain{stage.Parallel{Stage: stage.DecodeEvents{}}, decodeCount}))
	if err != nil {
		t.Fatal(err)
	}
	runUntilSettled(ctx, t, r, total)
	if !sink.overlapped {
		t.Error("the ahead stage did not start on the next batch while the first was being written")
	}
	if n := main.sawDead.Load(); n != 0 {
		t.Errorf("the main stage was given %d items that had failed ahead", n)
	}
	if got, want := main.seen.Load(), int64(total-poison); got != want {
		t.Errorf("main stage saw %d items, want %d", got, want)
	}
	if got, want := sink.written.Load(), int64(total-poison); got != want {
		t.Errorf("written %d, want %d", got, want)
	}
	if got := r.Stats.DeadLettered.Load(); got != int64(poison) {
		t.Errorf("dead-lettered %d, want %d", got, poison)
	}
	dlq, err := js.Stream(ctx, bus.StreamDLQ)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := dlq.Info(ctx); err != nil || info.State.Msgs != uint64(poison) {
		t.Errorf("CX_DLQ holds %v messages (%v), want %d", info.State.Msgs, err, poison)
	}
	cons, err := js.Consumer(ctx, bus.StreamEvents, "ahead-test")
	if err != nil {
		t.Fatal(err)
	}
	if info, err := cons.Info(ctx); err != nil || info.NumAckPending != 0 || info.NumPending != 0 {
		t.Errorf("consumer left %d unacked and %d pending (%v)", info.NumAckPending, info.NumPending, err)
	}
}

// boomStage panics on any item whose payload holds "BOOM".
type boomStage struct{}

func (boomStage) Name() string { return "boom" }

func (boomStage) Process(_ context.Context, items []*stage.Item) error {
	for _, it := range items {
		if strings.Contains(string(it.Raw), "BOOM") {
			panic("BOOM")
		}
	}
	return nil
}

// TestAheadStagePanicIsolatesTheItem: a panic in a parallel ahead stage,
// on a worker goroutine, is isolated to the item that caused it, which is
// dead-lettered; the rest of its batch is written and the runner lives on.
func TestAheadStagePanicIsolatesTheItem(t *testing.T) {
	_, js := bustest.JetStream(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const total = 400
	msgs, err := bench.NewGenerator(bench.GenConfig{Seed: 4, Concurrency: 20}).Take(total)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		data := m.Data
		if i == 123 {
			data = []byte(`{"BOOM":true}`)
		}
		h := nats.Header{}
		h.Set(jetstream.MsgIDHeader, m.ID)
		if _, err := js.PublishMsg(ctx, &nats.Msg{Subject: m.Subject, Header: h, Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	sink := &gateSink{ahead: &countingStage{}, first: true} // no gate
	r, err := runner.New(js, runner.Config{Name: "boom-test", Stream: bus.StreamEvents, Filter: []string{bus.SubjectEvents},
		BatchSize: 400, BatchWait: 50 * time.Millisecond},
		stage.Chain{}, sink, slog.New(slog.DiscardHandler),
		runner.WithAhead(stage.Chain{stage.Parallel{Stage: boomStage{}, MinChunk: 8}, stage.Parallel{Stage: stage.DecodeEvents{}}}))
	if err != nil {
		t.Fatal(err)
	}
	runUntilSettled(ctx, t, r, total)
	if got := r.Stats.DeadLettered.Load(); got != 1 {
		t.Errorf("dead-lettered %d, want the one that panicked", got)
	}
	if got := sink.written.Load(); got != total-1 {
		t.Errorf("written %d, want %d", got, total-1)
	}
}

// runUntilSettled runs r until it has written or dead-lettered total
// messages (or ctx ends), then drains it.
func runUntilSettled(ctx context.Context, t *testing.T, r *runner.Runner, total int64) {
	t.Helper()
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(rctx) }()
	for r.Stats.Written.Load()+r.Stats.DeadLettered.Load() < total && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
