package detect_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bench"
	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/detect"
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/stage"
)

// firstConversation returns the generator's first conversation, decoded,
// enriched and classified in order, ready for the detector. With one
// conversation open at a time its events are the first ones generated.
func firstConversation(b *testing.B) []*event.Record {
	g := bench.NewGenerator(bench.GenConfig{Seed: 1, Concurrency: 1})
	conv, err := g.Conversation(0)
	if err != nil {
		b.Fatal(err)
	}
	evs, err := conv.Events()
	if err != nil {
		b.Fatal(err)
	}
	msgs, err := g.Take(len(evs))
	if err != nil {
		b.Fatal(err)
	}
	chain, _, err := bench.Chain()
	if err != nil {
		b.Fatal(err)
	}
	items := bench.Items(msgs)
	if err := chain[:3].Process(context.Background(), items); err != nil {
		b.Fatal(err)
	}
	recs := make([]*event.Record, len(items))
	for i, it := range items {
		if !it.OK() {
			b.Fatalf("event %d: %v", i, it.Failure)
		}
		recs[i] = it.Record
	}
	return recs
}

// BenchmarkDetectorApply folds a realistic conversation (the generator's
// first, which deflects twice and escalates) into fresh state, event after
// event, with the customer's history; one op is one event.
func BenchmarkDetectorApply(b *testing.B) {
	recs := firstConversation(b)
	_, det, err := bench.Chain()
	if err != nil {
		b.Fatal(err)
	}
	var (
		st   *detect.State
		hist *detect.History
		escs int
	)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := i % len(recs)
		if k == 0 {
			st, hist = detect.NewState("default", recs[0].Event.Subject), &detect.History{}
		}
		d, _ := det.Apply(st, hist, recs[k])
		escs += len(d.Escalations)
	}
	if escs == 0 {
		b.Fatal("the benchmark conversation never escalated")
	}
}

// BenchmarkDetectStage is the whole detect stage over interleaved
// conversations: state loads and copies, Apply, and the commit that
// encodes and stores every changed state (in memory here; the pipeline's
// KV round trips are measured by vigia bench). One op is one batch of 500
// events, as the runner delivers them; ns/event is reported too.
func BenchmarkDetectStage(b *testing.B) {
	_, items, err := bench.Prepared(5000, 3)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const batch = 500
	fresh := func() stage.Stage {
		c, _, err := bench.Chain()
		if err != nil {
			b.Fatal(err)
		}
		return c[3]
	}
	st := fresh()
	b.ReportAllocs()
	done := 0
	for b.Loop() {
		if done%len(items) == 0 {
			// Replaying events into the same state would hit the
			// redelivery dedupe instead of the detector.
			b.StopTimer()
			st = fresh()
			b.StartTimer()
		}
		lo := done % len(items)
		hi := min(lo+batch, len(items))
		if err := st.Process(ctx, items[lo:hi]); err != nil {
			b.Fatal(err)
		}
		if err := st.(stage.Committer).Commit(ctx, items[lo:hi]); err != nil {
			b.Fatal(err)
		}
		done += hi - lo
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(done), "ns/event")
}

// BenchmarkDetectStageKV is BenchmarkDetectStage with the pipeline's real
// state stores: JetStream key-value buckets on an in-process server that
// fsyncs every write, as vigia run's embedded one does. The difference to
// BenchmarkDetectStage is what the sequential Get and Put round trips of
// the stage cost in wall time. One op is one batch of 500 events.
func BenchmarkDetectStageKV(b *testing.B) {
	_, items, err := bench.Prepared(5000, 3)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	srv, err := bus.StartEmbedded(bus.EmbeddedConfig{Port: -1, StoreDir: b.TempDir(), SyncAlways: true})
	if err != nil {
		b.Fatal(err)
	}
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { nc.Close(); srv.Shutdown(); srv.WaitForShutdown() })
	js, err := jetstream.New(nc)
	if err != nil {
		b.Fatal(err)
	}
	_, det, err := bench.Chain()
	if err != nil {
		b.Fatal(err)
	}
	round := 0
	fresh := func() *detect.Stage {
		// New buckets per pass: replayed events would otherwise be
		// recognised as redeliveries and skipped.
		round++
		topo := bus.Topology{}
		for _, kv := range bus.Buckets(topo) {
			kv.Bucket = fmt.Sprintf("%s_%d", kv.Bucket, round)
			if _, err := js.CreateOrUpdateKeyValue(ctx, kv); err != nil {
				b.Fatal(err)
			}
		}
		conv, err := bus.OpenStateStore(ctx, js, fmt.Sprintf("%s_%d", bus.BucketConversations, round))
		if err != nil {
			b.Fatal(err)
		}
		cust, err := bus.OpenStateStore(ctx, js, fmt.Sprintf("%s_%d", bus.BucketCustomers, round))
		if err != nil {
			b.Fatal(err)
		}
		st, err := detect.NewStage(det, conv, cust, bench.PipelineDefaults.StateCache)
		if err != nil {
			b.Fatal(err)
		}
		return st
	}
	const batch = 500
	var st *detect.Stage
	b.ReportAllocs()
	done := 0
	for b.Loop() {
		if done%len(items) == 0 {
			b.StopTimer()
			st = fresh()
			b.StartTimer()
		}
		lo := done % len(items)
		hi := min(lo+batch, len(items))
		if err := st.Process(ctx, items[lo:hi]); err != nil {
			b.Fatal(err)
		}
		if err := st.Commit(ctx, items[lo:hi]); err != nil {
			b.Fatal(err)
		}
		done += hi - lo
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(done), "ns/event")
}

// BenchmarkDetectAnalyze is the stateless part of detect for one bench
// event (1–2 KB, es/en, agent and customer turns): tokenize, phrase rules
// of the speaker, content words. It runs ahead of the ordered stage.
func BenchmarkDetectAnalyze(b *testing.B) {
	_, items, err := bench.Prepared(2000, 2)
	if err != nil {
		b.Fatal(err)
	}
	d, err := detect.New("", detect.DefaultConfig)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = d.Analyze(items[i%len(items)].Record)
	}
}
