package runner_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/vigia-cx/vigia/pkg/bench"
	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/bus/bustest"
	"github.com/vigia-cx/vigia/pkg/runner"
	"github.com/vigia-cx/vigia/pkg/stage"
)

const (
	inTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	inSpanID  = "00f067aa0ba902b7"
	inParent  = "00-" + inTraceID + "-" + inSpanID + "-01"
)

// enrichHop runs a runner with the decode stage and a RecordSink over the
// given events (traceparent per event, "" for none) and returns the
// traceparent of each output, in order.
func enrichHop(t *testing.T, parents []string) []string {
	t.Helper()
	_, js := bustest.JetStream(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// One conversation, so every output lands on one partition in order.
	msgs, err := bench.NewGenerator(bench.GenConfig{Seed: 1, Concurrency: 1}).Take(len(parents))
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		h := nats.Header{}
		h.Set(jetstream.MsgIDHeader, m.ID)
		if parents[i] != "" {
			h.Set("traceparent", parents[i])
		}
		if _, err := js.PublishMsg(ctx, &nats.Msg{Subject: m.Subject, Header: h, Data: m.Data}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := runner.New(js, runner.Config{Name: "enrich", Stream: bus.StreamEvents, Filter: []string{bus.SubjectEvents}, BatchWait: 20 * time.Millisecond},
		stage.Chain{stage.DecodeEvents{}}, &runner.RecordSink{JS: js, Next: "enriched", Partitions: 1}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(rctx) }()
	cons, err := js.OrderedConsumer(ctx, bus.StreamPipeline, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"cx.enriched.>"}})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for len(out) < len(parents) {
		m, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
		if err != nil {
			t.Fatalf("output %d of %d: %v", len(out)+1, len(parents), err)
		}
		out = append(out, m.Headers().Get("traceparent"))
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTraceparentCarriedThroughHop: with a recording provider, an event's
// output carries the same trace, its parent now this hop's span, which is a
// child of the incoming one and linked to the batch span.
func TestTraceparentCarriedThroughHop(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })

	out := enrichHop(t, []string{inParent, ""})
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	sc := parse(t, out[0])
	if sc.TraceID().String() != inTraceID {
		t.Fatalf("output trace %s, want %s", sc.TraceID(), inTraceID)
	}
	if sc.SpanID().String() == inSpanID {
		t.Error("output parent is the incoming span, not this hop's")
	}
	if out[1] != "" {
		t.Errorf("untraced event's output has traceparent %q", out[1])
	}
	var hop, batch, decode sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		switch s.Name() {
		case "enrich process":
			hop = s
		case "enrich batch":
			batch = s
		case "stage decode":
			decode = s
		}
	}
	if hop == nil || batch == nil || decode == nil {
		t.Fatalf("spans: hop %v, batch %v, stage %v", hop != nil, batch != nil, decode != nil)
	}
	if hop.SpanContext().SpanID() != sc.SpanID() || hop.Parent().SpanID().String() != inSpanID || hop.SpanContext().TraceID().String() != inTraceID {
		t.Errorf("hop span %s parent %s; output parent %s", hop.SpanContext().SpanID(), hop.Parent().SpanID(), sc.SpanID())
	}
	if decode.Parent().SpanID() != batch.SpanContext().SpanID() {
		t.Error("stage span is not a child of the batch span")
	}
	if len(hop.Links()) != 1 || hop.Links()[0].SpanContext.SpanID() != batch.SpanContext().SpanID() {
		t.Errorf("hop span links: %+v", hop.Links())
	}
	linked := false
	for _, l := range batch.Links() {
		linked = linked || l.SpanContext.TraceID().String() == inTraceID
	}
	if !linked {
		t.Error("batch span is not linked to the event's trace")
	}
}

// TestTraceparentCarriedWithoutProvider: with no tracer provider set up
// (no OTLP endpoint), the trace context passes through unchanged.
func TestTraceparentCarriedWithoutProvider(t *testing.T) {
	otel.SetTracerProvider(noop.NewTracerProvider())
	out := enrichHop(t, []string{inParent})
	if out[0] != inParent {
		t.Errorf("output traceparent %q, want %q", out[0], inParent)
	}
}

func parse(t *testing.T, tp string) trace.SpanContext {
	t.Helper()
	var tid trace.TraceID
	var sid trace.SpanID
	if len(tp) != 55 {
		t.Fatalf("traceparent %q", tp)
	}
	tid, err := trace.TraceIDFromHex(tp[3:35])
	if err != nil {
		t.Fatal(err)
	}
	if sid, err = trace.SpanIDFromHex(tp[36:52]); err != nil {
		t.Fatal(err)
	}
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid})
}
