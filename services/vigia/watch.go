package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/telemetry"
)

type watchConfig struct {
	NATS    config.NATS
	Subject string `conf:"default:cx.escalation.>,help:escalation subjects to watch, e.g. cx.escalation.high.*"`
	All     bool   `conf:"help:print the stored history first, not only new escalations"`
	JSON    bool   `conf:"help:print raw JSON lines"`
	Log     config.Log
}

// cmdWatch is the example alerting consumer: an ordered, ephemeral consumer
// on CX_ESCALATIONS that prints each escalation as it arrives.
func cmdWatch(ctx context.Context) error {
	var cfg watchConfig
	if helped, err := config.Parse(&cfg); err != nil || helped {
		return err
	}
	log, err := telemetry.Logger(os.Stderr, "watch", cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	nc, js, err := connectJetStream(cfg.NATS.URL, cfg.NATS.NATSAuth, "vigia-watch", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	policy := jetstream.DeliverNewPolicy
	if cfg.All {
		policy = jetstream.DeliverAllPolicy
	}
	cons, err := js.OrderedConsumer(ctx, bus.StreamEscalations, jetstream.OrderedConsumerConfig{FilterSubjects: []string{cfg.Subject}, DeliverPolicy: policy})
	if err != nil {
		return fmt.Errorf("watch %s: %w", cfg.Subject, err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		if cfg.JSON {
			fmt.Println(string(m.Data()))
			return
		}
		var e event.Escalation
		if err := json.Unmarshal(m.Data(), &e); err != nil {
			log.Warn("not an escalation", "subject", m.Subject(), "err", err)
			return
		}
		var ev []string
		for _, x := range e.Data.Evidence {
			ev = append(ev, fmt.Sprintf("%s %q", x.Label, x.Text))
		}
		fmt.Printf("%s %-8s %-16s score %5.1f conv %s agent %s queue %s | %s\n", e.Time.Format("15:04:05"), e.Data.Severity,
			e.Data.Reason, e.Data.Score, e.Data.ConversationID, e.Data.AgentID, e.Data.Queue, strings.Join(ev, "; "))
	})
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	log.Info("watching", "subject", cfg.Subject)
	<-ctx.Done()
	cc.Stop()
	return nil
}
