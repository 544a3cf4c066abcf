package pipeline_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/vigia-cx/vigia/pkg/bench"
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
