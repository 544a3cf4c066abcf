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
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/redact"
	"github.com/vigia-cx/vigia/pkg/runner"
	"github.com/vigia-cx/vigia/pkg/service"
	"github.com/vigia-cx/vigia/pkg/stage"
	"github.com/vigia-cx/vigia/pkg/store"
	"github.com/vigia-cx/vigia/pkg/text"
)

// ConsumerName is the all-in-one binary's durable consumer.
const ConsumerName = "vigia"

// Stores are where the detect stage keeps state: JetStream key-value buckets
// in the pipeline, detect.MemoryStore on the command line.
type Stores struct {
	Conversations detect.StateStore
	Customers     detect.StateStore
}

// KVStores binds the pipeline's key-value buckets.
func KVStores(ctx context.Context, js jetstream.JetStream) (Stores, error) {
	conv, err := bus.OpenStateStore(ctx, js, bus.BucketConversations)
	if err != nil {
		return Stores{}, err
	}
	cust, err := bus.OpenStateStore(ctx, js, bus.BucketCustomers)
	if err != nil {
		return Stores{}, err
	}
	return Stores{Conversations: conv, Customers: cust}, nil
}

// Option adjusts the stages Stages and AllInOne build.
type Option func(*options)

type options struct {
	redactor *redact.Redactor
	limits   event.Limits
}

// WithLimits makes the decode stage reject events over l.
func WithLimits(l event.Limits) Option { return func(o *options) { o.limits = l } }

// EventLimits checks the configured input limits against the contract.
func EventLimits(c config.Limits) (event.Limits, error) {
	l := event.Limits{MaxBytes: c.MaxEventBytes, MaxTextChars: c.MaxTextChars}
	if err := l.Validate(); err != nil {
		return l, fmt.Errorf("config: %w", err)
	}
	return l, nil
}

// WithRedactor makes the enrich stage redact with r (enrich.NewRedactor
// builds it from VIGIA_REDACT_*); without it every type is redacted and no
// hash is kept.
func WithRedactor(r *redact.Redactor) Option { return func(o *options) { o.redactor = r } }

// Stages builds the in-process chain from decode to detect.
func Stages(stores Stores, p config.Pipeline, opts ...Option) (stage.Chain, *detect.Detector, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	c, err := classify.New(classify.Options{IntentsFile: p.IntentsFile})
	if err != nil {
		return nil, nil, err
	}
	det, err := detect.New(p.RulesDir, DetectConfig(p))
	if err != nil {
		return nil, nil, err
	}
	ds, err := detect.NewStage(det, stores.Conversations, stores.Customers, p.StateCache)
	if err != nil {
		return nil, nil, err
	}
	// Decode, enrich, classify and the reading of each message's words for
	// detect judge each event alone, so a batch is spread over the cores;
	// detect keeps conversation state and runs in order.
	return stage.Chain{
		stage.Parallel{Stage: stage.DecodeEvents{Limits: o.limits}},
		stage.Parallel{Stage: enrich.Stage{Redactor: o.redactor}},
		stage.Parallel{Stage: ClassifyAndAnalyze{C: c, D: det}},
		ds,
	}, det, nil
}

// ClassifyAndAnalyze is the classify stage plus detect's stateless reading
// of each message (detect.Analysis, left in Item.Prepared), over one
// tokenization of the text: in one process the two need not tokenize the
// same text twice, and the reading runs ahead of the ordered detect stage.
type ClassifyAndAnalyze struct {
	C *classify.Classifier
	D *detect.Detector
}

// Name implements stage.Stage. It is "classify", the name dashboards and
// traces know, though its time includes detect's reading of the words.
func (ClassifyAndAnalyze) Name() string { return "classify" }

// Process implements stage.Stage.
func (s ClassifyAndAnalyze) Process(_ context.Context, items []*stage.Item) error {
	var toks []text.Token
	for _, it := range items {
		r := it.Record
		cls, ana := classify.Classifies(r), detect.Analyzes(r)
		if !cls && !ana {
			continue
		}
		toks = text.AppendTokens(toks[:0], r.Enriched.Text)
		if cls {
			c := s.C.ClassifyTokens(r.Enriched.Text, toks, r.Enriched.Lang)
			r.Classified = &c
		}
		if ana {
			a := s.D.AnalyzeTokens(r, toks)
			it.Prepared = &a
		}
	}
	clear(toks) // let the last text go
	return nil
}

// Node is a running pipeline: the runner, and the sweeper that fires
// deadlines for the conversations it owns.
type Node struct {
	*runner.Runner
	Sweeper *Sweeper
}

// Run runs the sweeper and the runner until ctx ends and the runner drained.
func (n *Node) Run(ctx context.Context) error {
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go n.Sweeper.Run(sctx)
	return n.Runner.Run(ctx)
}

// AllInOne builds the all-in-one pipeline.
func AllInOne(ctx context.Context, js jetstream.JetStream, ch driver.Conn, p config.Pipeline, log *slog.Logger, stageOpts ...Option) (*Node, error) {
	if err := bus.RequireStream(ctx, js, bus.StreamEvents); err != nil {
		return nil, err
	}
	stores, err := KVStores(ctx, js)
	if err != nil {
		return nil, err
	}
	chain, det, err := Stages(stores, p, stageOpts...)
	if err != nil {
		return nil, fmt.Errorf("all-in-one stages: %w", err)
	}
	log.Info("rules loaded", "version", det.Rules.Version)
	sw, err := NewSweeper(ctx, js, chain, p, nil, log)
	if err != nil {
		return nil, err
	}
	sink := stage.Sinks{runner.EscalationSink{JS: js}, &store.Writer{Conn: ch}}
	// Decode, enrich and classify of the next batch overlap this one's
	// detect, writes and commit.
	ahead, rest := chain.SplitStateless()
	var opts []runner.Option
	if len(ahead) > 0 {
		opts = append(opts, runner.WithAhead(ahead))
	}
	r, err := runner.New(js, service.RunnerConfig(p, ConsumerName, bus.StreamEvents, bus.SubjectEvents, bus.SubjectTimers), rest, sink, log, opts...)
	if err != nil {
		return nil, err
	}
	return &Node{Runner: r, Sweeper: sw}, nil
}

// NewSweeper makes the sweeper for the detect stage in chain, hooks it to
// the stage's commits and loads the open deadlines of the owned partitions.
func NewSweeper(ctx context.Context, js jetstream.JetStream, chain stage.Chain, p config.Pipeline, owns func(int) bool, log *slog.Logger) (*Sweeper, error) {
	sw := &Sweeper{JS: js, Partitions: p.Partitions, Owns: owns, Interval: p.SweepInterval, Log: log}
	for _, s := range chain {
		if ds, ok := s.(*detect.Stage); ok {
			ds.OnCommit = sw.Track
		}
	}
	kv, err := js.KeyValue(ctx, bus.BucketConversations)
	if err != nil {
		return nil, fmt.Errorf("sweeper: %w", err)
	}
	if err := sw.Load(ctx, kv); err != nil {
		return nil, err
	}
	return sw, nil
}

// DetectConfig maps the pipeline settings to the detector's.
func DetectConfig(p config.Pipeline) detect.Config {
	c := detect.DefaultConfig
	if p.EscalateAt > 0 {
		c.EscalateAt = float32(p.EscalateAt)
	}
	return c
}
