package pipeline_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/vigia-cx/vigia/pkg/bench"
	"github.com/vigia-cx/vigia/pkg/classify"
	"github.com/vigia-cx/vigia/pkg/detect"
	"github.com/vigia-cx/vigia/pkg/pipeline"
	"github.com/vigia-cx/vigia/pkg/stage"
)

// TestParallelStagesMatchSequential: the chain with decode, enrich and
// classify spread over goroutines gives the records the same chain gives
// run on one goroutine (run it with -race: the stages share a redactor and
// a classifier).
func TestParallelStagesMatchSequential(t *testing.T) {
	msgs, err := bench.NewGenerator(bench.GenConfig{Seed: 3, Concurrency: 100}).Take(3000)
	if err != nil {
		t.Fatal(err)
	}
	run := func(sequential bool) []string {
		stores := pipeline.Stores{Conversations: &detect.MemoryStore{}, Customers: &detect.MemoryStore{}}
		chain, _, err := pipeline.Stages(stores, bench.PipelineDefaults)
		if err != nil {
			t.Fatal(err)
		}
		if sequential {
			for i, s := range chain {
				if p, ok := s.(stage.Parallel); ok {
					chain[i] = p.Stage
				}
			}
		}
		items, err := bench.RunChain(context.Background(), chain, msgs, 1000)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(items))
		for i, it := range items {
			b, err := json.Marshal(it.Record)
			if err != nil {
				t.Fatal(err)
			}
			out[i] = string(b)
		}
		return out
	}
	seq, par := run(true), run(false)
	for i := range seq {
		if seq[i] != par[i] {
			t.Fatalf("record %d differs:\n  sequential: %.300s\n  parallel:   %.300s", i, seq[i], par[i])
		}
	}
}

// TestClassifyAndAnalyzeMatchesSeparateStages: sharing one tokenization
// between classify and detect's reading of the words, done a stage ahead,
// gives the records the classify stage and a detect stage that reads the
// words itself give.
func TestClassifyAndAnalyzeMatchesSeparateStages(t *testing.T) {
	msgs, err := bench.NewGenerator(bench.GenConfig{Seed: 5, Concurrency: 100}).Take(3000)
	if err != nil {
		t.Fatal(err)
	}
	run := func(shared bool) []string {
		stores := pipeline.Stores{Conversations: &detect.MemoryStore{}, Customers: &detect.MemoryStore{}}
		chain, _, err := pipeline.Stages(stores, bench.PipelineDefaults)
		if err != nil {
			t.Fatal(err)
		}
		if !shared {
			ca := chain[2].(stage.Parallel).Stage.(pipeline.ClassifyAndAnalyze)
			chain[2] = stage.Parallel{Stage: classify.Stage{C: ca.C}}
		}
		items, err := bench.RunChain(context.Background(), chain, msgs, 700)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(items))
		signals := 0
		for i, it := range items {
			if it.Prepared != nil {
				t.Fatalf("item %d still holds its analysis after detect", i)
			}
			if it.Record.Detected != nil {
				signals += len(it.Record.Detected.Signals)
			}
			b, err := json.Marshal(it.Record)
			if err != nil {
				t.Fatal(err)
			}
			out[i] = string(b)
		}
		if signals == 0 {
			t.Fatal("no signals at all: the comparison would prove nothing")
		}
		return out
	}
	separate, shared := run(false), run(true)
	for i := range separate {
		if separate[i] != shared[i] {
			k := 0
			for k < len(separate[i]) && k < len(shared[i]) && separate[i][k] == shared[i][k] {
				k++
			}
			t.Fatalf("record %d differs at byte %d:\n  separate: …%.300s\n  shared:   …%.300s", i, k, separate[i][max(0, k-100):], shared[i][max(0, k-100):])
		}
	}
}
