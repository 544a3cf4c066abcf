package stage

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/vigia-cx/vigia/pkg/event"
)

// upper is a stateless stage: each item's result depends on it alone.
type upper struct{ calls atomic.Int32 }

func (*upper) Name() string { return "upper" }

func (u *upper) Process(_ context.Context, items []*Item) error {
	u.calls.Add(1)
	for _, it := range items {
		if string(it.Raw) == "bad" {
			it.Fail("upper", errors.New("bad item"))
			continue
		}
		it.Record = &event.Record{Event: event.Event{ID: "id-" + string(it.Raw)}}
	}
	return nil
}

func TestParallelMatchesSequential(t *testing.T) {
	items := func() []*Item {
		var out []*Item
		for i := 0; i < 1000; i++ {
			raw := fmt.Sprint(i)
			if i%97 == 0 {
				raw = "bad"
			}
			out = append(out, &Item{Raw: []byte(raw)})
		}
		return out
	}
	seq, par := items(), items()
	if err := (&upper{}).Process(context.Background(), seq); err != nil {
		t.Fatal(err)
	}
	u := &upper{}
	if err := (Parallel{Stage: u, Workers: 4}).Process(context.Background(), par); err != nil {
		t.Fatal(err)
	}
	if u.calls.Load() != 4 {
		t.Errorf("%d chunks, want 4", u.calls.Load())
	}
	for i := range seq {
		if seq[i].OK() != par[i].OK() || (seq[i].OK() && seq[i].Record.Event.ID != par[i].Record.Event.ID) {
			t.Fatalf("item %d differs", i)
		}
	}
	small := &upper{}
	if err := (Parallel{Stage: small, Workers: 4}).Process(context.Background(), items()[:100]); err != nil {
		t.Fatal(err)
	}
	if small.calls.Load() != 1 {
		t.Errorf("a batch of 100 was cut into %d chunks; want it kept whole", small.calls.Load())
	}
}

type failing struct{}

func (failing) Name() string { return "failing" }
func (failing) Process(_ context.Context, items []*Item) error {
	if string(items[0].Raw) == "500" {
		return errors.New("store unreachable")
	}
	return nil
}

func TestParallelTransientErrorFailsTheBatch(t *testing.T) {
	var items []*Item
	for i := 0; i < 1000; i++ {
		items = append(items, &Item{Raw: []byte(fmt.Sprint(i))})
	}
	if err := (Parallel{Stage: failing{}, Workers: 2}).Process(context.Background(), items); err == nil {
		t.Fatal("a failing chunk must fail the batch")
	}
}

// panicky panics on the item "boom".
type panicky struct{}

func (panicky) Name() string { return "panicky" }

func (panicky) Process(_ context.Context, items []*Item) error {
	for _, it := range items {
		if string(it.Raw) == "boom" {
			panic("boom")
		}
	}
	return nil
}

// TestParallelPanicReachesTheCaller: a worker's panic is raised again on
// the goroutine that called Process, after every worker is done, where the
// runner can recover it and isolate the item; on the worker's own
// goroutine it would kill the process.
func TestParallelPanicReachesTheCaller(t *testing.T) {
	items := make([]*Item, 512)
	for i := range items {
		items[i] = &Item{Raw: []byte(fmt.Sprint(i))}
	}
	items[300].Raw = []byte("boom")
	got := func() (v any) {
		defer func() { v = recover() }()
		_ = Parallel{Stage: panicky{}, Workers: 4}.Process(context.Background(), items)
		return nil
	}()
	if got != "boom" {
		t.Fatalf("recovered %v, want the worker's panic", got)
	}
}
