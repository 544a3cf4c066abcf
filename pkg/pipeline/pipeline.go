// Package pipeline wires the all-in-one mode: one durable consumer on
// CX_EVENTS, the same stages as the separate services chained in memory
// (decode → enrich → classify → detect), escalations published and rows
// written at the end, then the ack. Fewer hops, the same code.
package pipeline

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/classify"
	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/detect"
	"github.com/vigia-cx/vigia/pkg/enrich"
	"github.com/vigia-cx/vigia/pkg/runner"
	"github.com/vigia-cx/vigia/pkg/service"
	"github.com/vigia-cx/vigia/pkg/stage"
	"github.com/vigia-cx/vigia/pkg/store"
)

// ConsumerName is the all-in-one binary's durable consumer.
const ConsumerName = "vigia"

// Stages builds the in-process chain from decode to detect.
func Stages(ctx context.Context, js jetstream.JetStream, p config.Pipeline) (stage.Chain, *detect.Detector, error) {
	c, err := classify.New()
	if err != nil {
		return nil, nil, err
	}
	det, err := detect.New(p.RulesDir, detect.Config{EscalateAt: float32(p.EscalateAt)})
	if err != nil {
		return nil, nil, err
	}
	states, err := bus.OpenStateStore(ctx, js)
	if err != nil {
		return nil, nil, err
	}
	ds, err := detect.NewStage(det, states, p.StateCache)
	if err != nil {
		return nil, nil, err
	}
	return stage.Chain{stage.DecodeEvents{}, enrich.Stage{}, classify.Stage{C: c}, ds}, det, nil
}

// AllInOne builds the all-in-one runner.
func AllInOne(ctx context.Context, js jetstream.JetStream, ch driver.Conn, p config.Pipeline, log *slog.Logger) (*runner.Runner, error) {
	if err := bus.RequireStream(ctx, js, bus.StreamEvents); err != nil {
		return nil, err
	}
	chain, det, err := Stages(ctx, js, p)
	if err != nil {
		return nil, fmt.Errorf("all-in-one stages: %w", err)
	}
	log.Info("rules loaded", "version", det.Rules.Version)
	sink := stage.Sinks{runner.EscalationSink{JS: js}, &store.Writer{Conn: ch}}
	return runner.New(js, service.RunnerConfig(p, ConsumerName, bus.StreamEvents, bus.SubjectEvents), chain, sink, log)
}
