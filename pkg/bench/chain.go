package bench

import (
	"context"
	"fmt"

	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/detect"
	"github.com/vigia-cx/vigia/pkg/pipeline"
	"github.com/vigia-cx/vigia/pkg/stage"
)

// PipelineDefaults are config.Pipeline's defaults (its conf tags), for code
// that builds stages without parsing a configuration.
var PipelineDefaults = config.Pipeline{BatchSize: 500, EscalateAt: 50, StateCache: 10000, Partitions: 8}

// Chain is the all-in-one chain (decode → enrich → classify → detect) built
// by the pipeline's own constructor, with in-memory state, so stage
// benchmarks measure exactly what `vigia run` runs.
func Chain() (stage.Chain, *detect.Detector, error) {
	stores := pipeline.Stores{Conversations: &detect.MemoryStore{}, Customers: &detect.MemoryStore{}}
	chain, det, err := pipeline.Stages(stores, PipelineDefaults)
	if err != nil {
		return nil, nil, fmt.Errorf("bench chain: %w", err)
	}
	return chain, det, nil
}

// Items wraps msgs as stage items, as the runner does.
func Items(msgs []Msg) []*stage.Item {
	items := make([]*stage.Item, len(msgs))
	for i := range msgs {
		items[i] = &stage.Item{Subject: msgs[i].Subject, Raw: msgs[i].Data}
	}
	return items
}

// RunChain processes msgs through chain in batches of batch items,
// committing each batch as the runner does after a successful write.
func RunChain(ctx context.Context, chain stage.Chain, msgs []Msg, batch int) ([]*stage.Item, error) {
	items := Items(msgs)
	for lo := 0; lo < len(items); lo += batch {
		b := items[lo:min(lo+batch, len(items))]
		if err := chain.Process(ctx, b); err != nil {
			return nil, err
		}
		if err := chain.Commit(ctx, b); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// Prepared returns n generated events of interleaved conversations, as the
// benchmarks' input, run through the chain's first upto stages (0: none,
// only wrapped as items; 1: decoded; 2: enriched; 3: classified; 4:
// detected). The chain is returned for the stages still to run.
func Prepared(n, upto int) (stage.Chain, []*stage.Item, error) {
	msgs, err := NewGenerator(GenConfig{Seed: 1, Prefix: "prep", Concurrency: 200}).Take(n)
	if err != nil {
		return nil, nil, err
	}
	chain, _, err := Chain()
	if err != nil {
		return nil, nil, err
	}
	items := Items(msgs)
	if upto > 0 {
		head := chain[:min(upto, len(chain))]
		for lo := 0; lo < len(items); lo += 500 {
			b := items[lo:min(lo+500, len(items))]
			if err := head.Process(context.Background(), b); err != nil {
				return nil, nil, err
			}
			if err := head.Commit(context.Background(), b); err != nil {
				return nil, nil, err
			}
		}
		for i, it := range items {
			if !it.OK() {
				return nil, nil, fmt.Errorf("prepared event %d failed in %s: %w", i, it.FailedStage, it.Failure)
			}
		}
	}
	return chain, items, nil
}
