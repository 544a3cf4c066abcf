package runner_test

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bench"
	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/runner"
	"github.com/vigia-cx/vigia/pkg/stage"
)

type noopStage struct{}

func (noopStage) Name() string                                 { return "noop" }
func (noopStage) Process(context.Context, []*stage.Item) error { return nil }

type countSink struct{ n *atomic.Int64 }

func (s countSink) Write(_ context.Context, items []*stage.Item) error {
	s.n.Add(int64(len(items)))
	return nil
}

// backlog starts an in-process JetStream server and stores n bench events
// in CX_EVENTS. It does not fsync every write as vigia run's embedded
// server does: that would make storing the backlog take minutes and adds
// the same cost to both benchmarks below (vigia bench measures it).
func backlog(b *testing.B, n int) jetstream.JetStream {
	b.Helper()
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Port: -1, StoreDir: b.TempDir(), SyncAlways: false})
	if err != nil {
		b.Fatal(err)
	}
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { nc.Close(); srv.Shutdown(); srv.WaitForShutdown() })
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := bus.EnsureTopology(ctx, js, bus.Topology{}); err != nil {
		b.Fatal(err)
	}
	msgs, err := bench.NewGenerator(bench.GenConfig{Seed: 1, Concurrency: 200}).Take(min(n, 2000))
	if err != nil {
		b.Fatal(err)
	}
	var futures []jetstream.PubAckFuture
	for i := range n {
		m := &msgs[i%len(msgs)]
		h := nats.Header{}
		h.Set(jetstream.MsgIDHeader, strconv.Itoa(i))
		f, err := js.PublishMsgAsync(&nats.Msg{Subject: m.Subject, Header: h, Data: m.Data}, jetstream.WithStallWait(time.Minute))
		if err != nil {
			b.Fatal(err)
		}
		futures = append(futures, f)
	}
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			b.Fatal(err)
		}
	}
	return js
}

func waitFor(b *testing.B, n int64, done func() int64) {
	deadline := time.Now().Add(5 * time.Minute)
	for done() < n {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d messages after 5 minutes", done(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkRunner is the runner's cost per message with a stage and a sink
// that do nothing: pull, batch, metadata, ack — the JetStream server's
// share included, as it runs in this process. One op is one message.
func BenchmarkRunner(b *testing.B) {
	js := backlog(b, b.N)
	var written atomic.Int64
	r, err := runner.New(js, runner.Config{Name: "bench", Stream: bus.StreamEvents, Filter: []string{bus.SubjectEvents}},
		noopStage{}, countSink{&written}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	b.ResetTimer()
	go func() { _ = r.Run(ctx) }()
	waitFor(b, int64(b.N), func() int64 { return r.Stats.Written.Load() })
	b.StopTimer()
}

// BenchmarkRawConsume is the same backlog consumed and acked by the bench's
// raw mover with no sink: the difference to BenchmarkRunner is the
// runner's own overhead.
func BenchmarkRawConsume(b *testing.B) {
	js := backlog(b, b.N)
	var st bench.MoverStats
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		_ = bench.Move(ctx, js, bench.MoverConfig{Stream: bus.StreamEvents, Consumer: "raw", Filter: []string{bus.SubjectEvents}}, &st)
	}()
	waitFor(b, int64(b.N), func() int64 { return st.Written.Load() })
	b.StopTimer()
}
