package enrich_test

import (
	"context"
	"testing"

	"github.com/vigia-cx/vigia/pkg/bench"
)

// BenchmarkEnrichStage runs the all-in-one chain's enrich stage (normalize,
// redact, language) over decoded bench events, one event per op.
func BenchmarkEnrichStage(b *testing.B) {
	chain, items, err := bench.Prepared(2000, 1)
	if err != nil {
		b.Fatal(err)
	}
	st := chain[1]
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := i % len(items)
		if err := st.Process(ctx, items[k:k+1]); err != nil {
			b.Fatal(err)
		}
	}
}
