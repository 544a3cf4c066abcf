// Command enricher is the enrich stage as a service: raw interaction events
// from CX_EVENTS are validated against the v1 schema, normalized, redacted
// (VIGIA_REDACT_*) and language-tagged (pkg/enrich), then published to
// cx.enriched.<partition>.
package main

import (
	"context"
	"os"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/enrich"
	"github.com/vigia-cx/vigia/pkg/pipeline"
	"github.com/vigia-cx/vigia/pkg/runner"
	"github.com/vigia-cx/vigia/pkg/service"
	"github.com/vigia-cx/vigia/pkg/stage"
)

func main() { os.Exit(service.Main("enrich", build)) }

func build(ctx context.Context, d service.Deps) (service.Runnable, func(), error) {
	if err := bus.RequireStream(ctx, d.JS, bus.StreamEvents); err != nil {
		return nil, nil, err
	}
	red, err := enrich.NewRedactor(d.Cfg.Redact, d.Log)
	if err != nil {
		return nil, nil, err
	}
	lim, err := pipeline.EventLimits(d.Cfg.Limits)
	if err != nil {
		return nil, nil, err
	}
	st := stage.Parallel{Stage: stage.Chain{stage.DecodeEvents{Limits: lim}, enrich.Stage{Redactor: red}}}
	atomic, err := bus.AtomicPublishAllowed(ctx, d.JS, bus.StreamPipeline)
	if err != nil {
		return nil, nil, err
	}
	sink := &runner.RecordSink{JS: d.JS, Next: "enriched", Partitions: d.Cfg.Pipeline.Partitions, Atomic: atomic}
	// No stage runs ahead in the services before detect: each batch ahead
	// is one more batch redelivered after newer events when a process dies,
	// and detect judges a conversation in the order its events arrive (see
	// the detector).
	r, err := runner.New(d.JS, service.RunnerConfig(d.Cfg.Pipeline, "enrich", bus.StreamEvents, bus.SubjectEvents, bus.SubjectTimers), st, sink, d.Log)
	return r, nil, err
}
