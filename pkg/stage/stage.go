// Package stage is the contract between vigia's domain logic and its
// transports. A Stage turns a batch of items into enriched items and marks the
// ones it cannot handle; it never acks, publishes or retries — the runner in
// pkg/runner (JetStream) or a test does that. Nothing here imports NATS or
// ClickHouse, so every stage is tested as a plain function.
package stage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/telemetry"
)

// Item is one message moving through a pipeline.
type Item struct {
	// Subject the message arrived on.
	Subject string
	// Raw is the payload as received; a dead letter carries it unchanged.
	Raw []byte
	// Header is the message's headers (trace context among them).
	Header map[string][]string
	// Record is filled by the decode step and enriched by each stage.
	Record *event.Record
	// Failure, once set, sends the item to the dead-letter subject with this
	// reason; later stages and sinks skip it.
	Failure error
	// FailedStage is the stage that set Failure.
	FailedStage string
	// Settled marks a redelivery whose output is already durable (the
	// detect stage finds the event in the committed state, which is only
	// committed after the output was written): later stages and sinks skip
	// it and the runner acks it. Writing it again could only differ from
	// what was written, since the context it was judged in has moved on.
	Settled bool
	// Prepared is what a stage run ahead left for a later one of the same
	// process (the detect stage's detect.Analysis): work that needs no
	// state, done on all cores with tokens shared with classify. It is
	// never serialized; a stage that finds it empty does the work itself.
	Prepared any
}

// Fail marks the item as unprocessable by stage for reason err.
func (it *Item) Fail(stage string, err error) {
	it.Failure = err
	it.FailedStage = stage
}

// OK reports whether the item is still on its way (not failed).
func (it *Item) OK() bool { return it.Failure == nil }

// Stage is one step of the pipeline. Process handles items in order and must
// be deterministic for the same input and state. It returns an error only for
// a transient failure of the whole batch (the batch is retried later); a bad
// item is marked with Item.Fail instead.
type Stage interface {
	Name() string
	Process(ctx context.Context, items []*Item) error
}

// Committer is implemented by stages that keep state across batches. Commit
// runs after the batch's output is durably written and before the input is
// acked; Abort runs when the output was not written, and must forget what
// Process prepared, so a redelivery starts from the committed state.
type Committer interface {
	Commit(ctx context.Context, items []*Item) error
	Abort(items []*Item)
}

// Sink makes a batch's output durable: a publish acknowledged by JetStream, a
// ClickHouse insert. It sees only items that have not failed.
type Sink interface {
	Write(ctx context.Context, items []*Item) error
}

// ErrPermanent marks a sink failure that retrying the same input cannot fix
// (ClickHouse rejected a row). The runner then isolates the offending items
// and dead-letters them instead of retrying forever.
var ErrPermanent = errors.New("permanent failure")

// Permanent wraps err as a permanent failure.
func Permanent(err error) error {
	if err == nil || errors.Is(err, ErrPermanent) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrPermanent, err)
}

// Chain runs stages one after another over the same batch: the all-in-one
// binary's in-process pipeline, and the separate services' single stage.
type Chain []Stage

// Name joins the names of the chained stages.
func (c Chain) Name() string {
	name := ""
	for i, s := range c {
		if i > 0 {
			name += "+"
		}
		name += s.Name()
	}
	return name
}

// Process runs each stage over the items still OK.
func (c Chain) Process(ctx context.Context, items []*Item) error {
	tr := telemetry.Tracer()
	live := make([]*Item, 0, len(items))
	for _, s := range c {
		live = live[:0]
		for _, it := range items {
			if it.OK() && !it.Settled {
				live = append(live, it)
			}
		}
		if len(live) == 0 {
			return nil
		}
		if err := runStage(ctx, tr, s, live); err != nil {
			return err
		}
	}
	return nil
}

// runStage runs one stage of a chain in a span of its own, a child of the
// caller's (the runner's batch span), and counts its events in, out and
// failed. Counts are per batch, so the cost does not grow with its size.
func runStage(ctx context.Context, tr trace.Tracer, s Stage, live []*Item) error {
	name := s.Name()
	ctx, span := tr.Start(ctx, "stage "+name)
	defer span.End()
	start := time.Now()
	if err := s.Process(ctx, live); err != nil {
		telemetry.StageErrors.WithLabelValues(name).Inc()
		span.SetStatus(codes.Error, err.Error())
		return fmt.Errorf("stage %s: %w", name, err)
	}
	telemetry.StageDuration.WithLabelValues(name).Observe(time.Since(start).Seconds())
	failed := 0
	for _, it := range live {
		if !it.OK() {
			failed++
		}
	}
	telemetry.StageEventsIn.WithLabelValues(name).Add(float64(len(live)))
	telemetry.StageEventsOut.WithLabelValues(name).Add(float64(len(live) - failed))
	if failed > 0 {
		telemetry.StageEventsFailed.WithLabelValues(name).Add(float64(failed))
	}
	if span.IsRecording() {
		span.SetAttributes(attribute.Int("vigia.events_in", len(live)), attribute.Int("vigia.events_failed", failed))
	}
	return nil
}

// Commit commits every stateful stage of the chain.
func (c Chain) Commit(ctx context.Context, items []*Item) error {
	for _, s := range c {
		if cm, ok := s.(Committer); ok {
			if err := cm.Commit(ctx, items); err != nil {
				return fmt.Errorf("commit %s: %w", s.Name(), err)
			}
		}
	}
	return nil
}

// Abort aborts every stateful stage of the chain.
func (c Chain) Abort(items []*Item) {
	for _, s := range c {
		if cm, ok := s.(Committer); ok {
			cm.Abort(items)
		}
	}
}

// Sinks writes to several sinks in order; the batch is durable when all are.
// Order matters: escalations go before the slower ClickHouse insert.
type Sinks []Sink

// Write writes items to every sink at once (publishing escalations and
// inserting rows are independent) and fails if any sink fails: the batch is
// then retried whole, and sinks must be idempotent (message ids, row ids).
// A permanent failure is reported over a transient one only when no sink
// failed transiently, so the runner isolates bad rows only when retrying
// cannot help.
func (s Sinks) Write(ctx context.Context, items []*Item) error {
	if len(s) == 1 {
		return s[0].Write(ctx, items)
	}
	errs := make([]error, len(s))
	var wg sync.WaitGroup
	for i, sink := range s {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = sink.Write(ctx, items)
		}()
	}
	wg.Wait()
	return Worst(errs...)
}

// Worst picks the error that decides what happens to a batch whose parts
// failed in parallel: any transient one (retry the whole batch), else a
// permanent one (isolate the bad rows), else nil.
func Worst(errs ...error) error {
	var permanent error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if !errors.Is(err, ErrPermanent) {
			return err
		}
		permanent = err
	}
	return permanent
}

// Live returns the items that have neither failed nor settled.
func Live(items []*Item) []*Item {
	out := make([]*Item, 0, len(items))
	for _, it := range items {
		if it.OK() && !it.Settled {
			out = append(out, it)
		}
	}
	return out
}
