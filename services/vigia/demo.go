package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/pipeline"
	"github.com/vigia-cx/vigia/pkg/service"
	"github.com/vigia-cx/vigia/pkg/telemetry"
)

// cmdDemo is what `make run` ends in: the all-in-one pipeline over the
// built-in sample, published through NATS as a channel system would, then a
// report from ClickHouse. Ids are deterministic, so a second run stores
// nothing twice.
func cmdDemo(ctx context.Context) error {
	var cfg runConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	log, err := telemetry.Logger(os.Stderr, "vigia", cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	n, err := startNode(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer n.stop()
	runCtx, stopRun := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- n.runner.Run(runCtx) }()

	msgs, err := readMessages(bytesReader(sampleConversations), false, "")
	if err != nil {
		stopRun()
		return err
	}
	start := time.Now()
	dup, err := publishReliably(ctx, n.js, msgs, time.Minute, log)
	if err != nil {
		stopRun()
		return err
	}
	fmt.Printf("published %d sample events (%d already in the stream from an earlier run) to %s\n", len(msgs), dup, n.natsURL)
	if err := waitCaughtUp(ctx, n.js, bus.StreamEvents, pipeline.ConsumerName, 2*time.Minute); err != nil {
		stopRun()
		return err
	}
	fmt.Printf("pipeline caught up in %s\n\n", time.Since(start).Round(time.Millisecond))
	stopRun()
	if err := <-done; err != nil {
		return err
	}
	conn, err := service.OpenClickHouse(ctx, cfg.Clickhouse)
	if err != nil {
		return err
	}
	defer conn.Close()
	return report(ctx, conn, cfg.Clickhouse, os.Stdout)
}

// waitCaughtUp polls the consumer until nothing is pending or unacked.
func waitCaughtUp(ctx context.Context, js jetstream.JetStream, stream, consumer string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		c, err := js.Consumer(ctx, stream, consumer)
		if err == nil {
			info, err := c.Info(ctx)
			if err == nil && info.NumPending == 0 && info.NumAckPending == 0 && info.Delivered.Stream > 0 {
				return nil
			}
		} else if !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return fmt.Errorf("consumer %s: %w", consumer, err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("consumer %s did not catch up within %s", consumer, limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
