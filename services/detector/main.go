// Command detector is the detect stage as a service: records from
// cx.classified.> are folded into their conversation's state (pkg/detect:
// rules in pkg/detect/rules, state in the CX_CONVERSATIONS bucket);
// escalations go to cx.escalation.<severity>.<queue> and records to
// cx.detected.<partition> for the writer.
package main

import (
	"context"
	"os"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/detect"
	"github.com/vigia-cx/vigia/pkg/runner"
	"github.com/vigia-cx/vigia/pkg/service"
	"github.com/vigia-cx/vigia/pkg/stage"
)

func main() { os.Exit(service.Main("detect", build)) }

func build(ctx context.Context, d service.Deps) (*runner.Runner, func(), error) {
	if err := bus.RequireStream(ctx, d.JS, bus.StreamPipeline); err != nil {
		return nil, nil, err
	}
	det, err := detect.New(d.Cfg.Pipeline.RulesDir, detect.Config{EscalateAt: float32(d.Cfg.Pipeline.EscalateAt)})
	if err != nil {
		return nil, nil, err
	}
	states, err := bus.OpenStateStore(ctx, d.JS)
	if err != nil {
		return nil, nil, err
	}
	ds, err := detect.NewStage(det, states, d.Cfg.Pipeline.StateCache)
	if err != nil {
		return nil, nil, err
	}
	d.Log.Info("rules loaded", "version", det.Rules.Version)
	st := stage.Chain{stage.DecodeRecords{}, ds}
	sink := stage.Sinks{
		runner.EscalationSink{JS: d.JS},
		runner.RecordSink{JS: d.JS, Next: "detected", Partitions: d.Cfg.Pipeline.Partitions},
	}
	r, err := runner.New(d.JS, service.RunnerConfig(d.Cfg.Pipeline, "detect", bus.StreamPipeline, "cx.classified.>"), st, sink, d.Log)
	return r, nil, err
}
