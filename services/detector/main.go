// Command detector is the detect stage as a service: records from
// cx.classified.<partition> are folded into their conversation's state
// (pkg/detect: rules in pkg/detect/rules, state in the CX_CONVERSATIONS and
// CX_CUSTOMERS buckets); escalations go to cx.escalation.<severity>.<queue>
// and records to cx.detected.<partition> for the writer.
//
// Several instances split the partitions: instance i of n
// (VIGIA_PIPELINE_INSTANCE, VIGIA_PIPELINE_INSTANCES) consumes the
// partitions p with p % n == i on a durable consumer of its own, so each
// conversation is seen in order by exactly one instance. Compare-and-set on
// the state keeps even a misconfiguration (two instances on one partition)
// from losing an update.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/detect"
	"github.com/vigia-cx/vigia/pkg/pipeline"
	"github.com/vigia-cx/vigia/pkg/runner"
	"github.com/vigia-cx/vigia/pkg/service"
	"github.com/vigia-cx/vigia/pkg/stage"
)

func main() { os.Exit(service.Main("detect", build)) }

func build(ctx context.Context, d service.Deps) (service.Runnable, func(), error) {
	p := d.Cfg.Pipeline
	if p.Instances < 1 || p.Instance < 0 || p.Instance >= p.Instances || p.Instances > p.Partitions {
		return nil, nil, fmt.Errorf("instance %d of %d: want 0 <= instance < instances <= partitions (%d)", p.Instance, p.Instances, p.Partitions)
	}
	if err := bus.RequireStream(ctx, d.JS, bus.StreamPipeline); err != nil {
		return nil, nil, err
	}
	det, err := detect.New(p.RulesDir, pipeline.DetectConfig(p))
	if err != nil {
		return nil, nil, err
	}
	stores, err := pipeline.KVStores(ctx, d.JS)
	if err != nil {
		return nil, nil, err
	}
	ds, err := detect.NewStage(det, stores.Conversations, stores.Customers, p.StateCache)
	if err != nil {
		return nil, nil, err
	}
	d.Log.Info("rules loaded", "version", det.Rules.Version)
	owns := func(part int) bool { return part%p.Instances == p.Instance }
	var filter []string
	for part := 0; part < p.Partitions; part++ {
		if owns(part) {
			filter = append(filter, bus.StageSubject("classified", part))
		}
	}
	name := "detect"
	if p.Instances > 1 {
		name = fmt.Sprintf("detect-%d-of-%d", p.Instance, p.Instances)
	}
	st := stage.Chain{stage.Parallel{Stage: stage.DecodeRecords{}}, ds}
	sw, err := pipeline.NewSweeper(ctx, d.JS, st, p, owns, d.Log)
	if err != nil {
		return nil, nil, err
	}
	atomic, err := bus.AtomicPublishAllowed(ctx, d.JS, bus.StreamPipeline)
	if err != nil {
		return nil, nil, err
	}
	// Escalations are published by the writer, from the records this
	// stage publishes: a detector that dies after publishing records is
	// redelivered, and its redo, judging the conversation's events in
	// another order, may not raise an escalation the dead attempt did. Its
	// records are durable all the same, so the stream and ClickHouse both
	// get every escalation of every record, and agree.
	sink := &runner.RecordSink{JS: d.JS, Next: "detected", Partitions: p.Partitions, Atomic: atomic}
	// No stage runs ahead here: a batch ahead is one more batch in flight
	// when the detector dies, and redelivered after newer events.
	r, err := runner.New(d.JS, service.RunnerConfig(p, name, bus.StreamPipeline, filter...), st, sink, d.Log)
	if err != nil {
		return nil, nil, err
	}
	return &pipeline.Node{Runner: r, Sweeper: sw}, nil, nil
}
