package classify_test

import (
	"context"
	"testing"

	"github.com/vigia-cx/vigia/pkg/bench"
	"github.com/vigia-cx/vigia/pkg/classify"
)

// BenchmarkClassifyStage runs the all-in-one chain's classify stage over
// enriched bench events (1–2 KB messages, es/en, and lifecycle events
// the stage passes over), one event per op.
func BenchmarkClassifyStage(b *testing.B) {
	_, items, err := bench.Prepared(2000, 2)
	if err != nil {
		b.Fatal(err)
	}
	c, err := classify.New(classify.Options{})
	if err != nil {
		b.Fatal(err)
	}
	st := classify.Stage{C: c}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := i % len(items)
		if err := st.Process(ctx, items[k:k+1]); err != nil {
			b.Fatal(err)
		}
	}
}
