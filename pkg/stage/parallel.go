package stage

import (
	"context"
	"runtime"
	"sync"
)

// Parallel runs a stateless stage over a batch on several cores: the items
// are cut into contiguous chunks, one per worker, and each chunk goes
// through Stage.Process on its own goroutine. Only for stages whose result
// for an item depends on that item alone (enrich, classify); the detect
// stage keeps conversation state and must see a batch in order.
type Parallel struct {
	Stage Stage
	// Workers is the number of chunks; 0 means GOMAXPROCS.
	Workers int
	// MinChunk keeps small batches on one goroutine, where forking would
	// cost more than it saves; 0 means 64.
	MinChunk int
}

// Name implements Stage.
func (p Parallel) Name() string { return p.Stage.Name() }

// Process implements Stage. A transient error of any chunk fails the batch,
// as it would have sequentially.
func (p Parallel) Process(ctx context.Context, items []*Item) error {
	workers := p.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	minChunk := p.MinChunk
	if minChunk <= 0 {
		minChunk = 64
	}
	workers = min(workers, len(items)/minChunk)
	if workers <= 1 {
		return p.Stage.Process(ctx, items)
	}
	errs := make([]error, workers)
	var (
		wg       sync.WaitGroup
		panicked Panics
	)
	size := (len(items) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*size, min((w+1)*size, len(items))
		if lo >= hi {
			break
		}
		wg.Go(func() {
			defer panicked.Catch()
			errs[w] = p.Stage.Process(ctx, items[lo:hi])
		})
	}
	wg.Wait()
	panicked.Rethrow()
	return Worst(errs...)
}

// Panics carries a panic from worker goroutines to the one that waits for
// them: the runner recovers a stage's panic and isolates the item that
// caused it, which it can only do on its own goroutine.
type Panics struct {
	mu    sync.Mutex
	first any
}

// Catch, deferred in a worker, keeps the first panic.
func (p *Panics) Catch() {
	if v := recover(); v != nil {
		p.mu.Lock()
		if p.first == nil {
			p.first = v
		}
		p.mu.Unlock()
	}
}

// Rethrow panics with the first panic caught, once every worker is done.
func (p *Panics) Rethrow() {
	p.mu.Lock()
	v := p.first
	p.mu.Unlock()
	if v != nil {
		panic(v)
	}
}

// SplitStateless cuts c after its leading Parallel stages: those judge each
// item alone, so a runner can run them a batch ahead (runner.WithAhead) of
// the stateful rest.
func (c Chain) SplitStateless() (ahead, rest Chain) {
	n := 0
	for n < len(c) {
		if _, ok := c[n].(Parallel); !ok {
			break
		}
		n++
	}
	return c[:n:n], c[n:]
}
