// Command writer stores detected records in ClickHouse (pkg/store): one
// batch per table, acked to JetStream only after the insert succeeded.
package main

import (
	"context"
	"os"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/runner"
	"github.com/vigia-cx/vigia/pkg/service"
	"github.com/vigia-cx/vigia/pkg/stage"
	"github.com/vigia-cx/vigia/pkg/store"
)

func main() { os.Exit(service.Main("write", build)) }

func build(ctx context.Context, d service.Deps) (service.Runnable, func(), error) {
	if err := bus.RequireStream(ctx, d.JS, bus.StreamPipeline); err != nil {
		return nil, nil, err
	}
	conn, err := d.ClickHouse(ctx)
	if err != nil {
		return nil, nil, err
	}
	// Migrations are `vigia migrate`'s job; a writer ahead of the schema
	// would fail every insert, so it refuses to start instead.
	if err := store.CheckSchema(ctx, conn, d.Cfg.Clickhouse.Database); err != nil {
		conn.Close()
		return nil, nil, err
	}
	// The writer publishes the escalations too: rows and alerts come from
	// the same durable records, so they agree (see the detector).
	sink := stage.Sinks{&store.Writer{Conn: conn}, runner.EscalationSink{JS: d.JS}}
	r, err := runner.New(d.JS, service.RunnerConfig(d.Cfg.Pipeline, "write", bus.StreamPipeline, "cx.detected.>"),
		stage.Chain{}, sink, d.Log, runner.WithAhead(stage.Parallel{Stage: stage.DecodeRecords{}}))
	return r, func() { conn.Close() }, err
}
