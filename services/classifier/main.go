// Command classifier is the classify stage as a service: records from
// cx.enriched.> get emotion and sentiment with evidence (pkg/classify), then
// go to cx.classified.<partition>.
package main

import (
	"context"
	"os"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/classify"
	"github.com/vigia-cx/vigia/pkg/runner"
	"github.com/vigia-cx/vigia/pkg/service"
	"github.com/vigia-cx/vigia/pkg/stage"
)

func main() { os.Exit(service.Main("classify", build)) }

func build(ctx context.Context, d service.Deps) (service.Runnable, func(), error) {
	if err := bus.RequireStream(ctx, d.JS, bus.StreamPipeline); err != nil {
		return nil, nil, err
	}
	c, err := classify.New(classify.Options{IntentsFile: d.Cfg.Pipeline.IntentsFile})
	if err != nil {
		return nil, nil, err
	}
	st := stage.Parallel{Stage: stage.Chain{stage.DecodeRecords{}, classify.Stage{C: c}}}
	atomic, err := bus.AtomicPublishAllowed(ctx, d.JS, bus.StreamPipeline)
	if err != nil {
		return nil, nil, err
	}
	sink := &runner.RecordSink{JS: d.JS, Next: "classified", Partitions: d.Cfg.Pipeline.Partitions, Atomic: atomic}
	// No stage runs ahead in the services before detect: each batch ahead
	// is one more batch redelivered after newer events when a process dies,
	// and detect judges a conversation in the order its events arrive (see
	// the detector).
	r, err := runner.New(d.JS, service.RunnerConfig(d.Cfg.Pipeline, "classify", bus.StreamPipeline, "cx.enriched.>"), st, sink, d.Log)
	return r, nil, err
}
