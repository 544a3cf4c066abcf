// Package runner binds a stage.Stage and a stage.Sink to a durable JetStream
// consumer. It owns everything the stages must not: batching by count and
// time, ack only after the sink made the output durable, retry with backoff,
// isolation and dead-lettering of poison messages, and a two-phase shutdown
// (stop pulling, then finish what was pulled within a deadline).
package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/stage"
	"github.com/vigia-cx/vigia/pkg/telemetry"
)

// Config of one runner.
type Config struct {
	// Name is the durable consumer's name and the dead-letter subject's
	// last token (cx.dlq.<name>).
	Name   string
	Stream string
	Filter []string
	// BatchSize and BatchWait close a batch at whichever comes first.
	BatchSize int
	BatchWait time.Duration
	// AckWait must exceed BatchWait plus a write; InProgress extends it
	// while a write is being retried.
	AckWait time.Duration
	// MaxDeliver bounds redeliveries: a message delivered this often is
	// dead-lettered instead of being tried once more.
	MaxDeliver int
	// MaxAckPending bounds messages in flight; at least three times
	// BatchSize: one batch is handled, the next is prepared by the ahead
	// stage, and a third is fetched meanwhile.
	MaxAckPending int
	// ShutdownTimeout bounds the drain after the context is cancelled; it
	// must cover the (up to three) batches already fetched.
	ShutdownTimeout time.Duration
	// MaxRetryInterval caps the backoff between retries of a failed write.
	MaxRetryInterval time.Duration
	// LagInterval is how often the consumer's pending counts are polled for
	// the lag gauges.
	LagInterval time.Duration
}

func (c Config) withDefaults() (Config, error) {
	if c.Name == "" || c.Stream == "" {
		return c, errors.New("runner: Name and Stream are required")
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 500
	}
	if c.BatchWait <= 0 {
		c.BatchWait = 200 * time.Millisecond
	}
	if c.AckWait <= 0 {
		c.AckWait = 30 * time.Second
	}
	if c.AckWait < 4*c.BatchWait {
		return c, fmt.Errorf("runner %s: AckWait %s must be at least 4× BatchWait %s", c.Name, c.AckWait, c.BatchWait)
	}
	if c.MaxDeliver <= 0 {
		c.MaxDeliver = 5
	}
	if c.MaxDeliver < 2 {
		return c, fmt.Errorf("runner %s: MaxDeliver must be at least 2", c.Name)
	}
	if c.MaxAckPending <= 0 {
		c.MaxAckPending = 4 * c.BatchSize
	}
	if c.MaxAckPending < 3*c.BatchSize {
		return c, fmt.Errorf("runner %s: MaxAckPending %d must be at least 3× BatchSize %d", c.Name, c.MaxAckPending, c.BatchSize)
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
	if c.MaxRetryInterval <= 0 {
		c.MaxRetryInterval = 5 * time.Second
	}
	if c.LagInterval <= 0 {
		c.LagInterval = 5 * time.Second
	}
	return c, nil
}

// Stats are counters since start, for logs, health and tests.
type Stats struct {
	Received, Written, DeadLettered, Batches, Retries atomic.Int64
}

// Runner consumes one durable consumer.
type Runner struct {
	cfg   Config
	js    jetstream.JetStream
	ahead stage.Stage // nil: none
	stage stage.Stage
	sink  stage.Sink
	log   *slog.Logger
	Stats Stats
	m     metrics
	// Span names, built once rather than per batch.
	batchSpan, msgSpan string
}

// metrics are the runner's series, resolved once: the hot path then only
// adds to counters, without label lookups.
type metrics struct {
	received, acked, redelivered, retries prometheus.Counter
	batchSize, batchDur                   prometheus.Observer
	pending, ackPending                   prometheus.Gauge
}

// Option adjusts a runner.
type Option func(*Runner)

// WithAhead runs st on each batch as soon as it is fetched, while the batch
// before it is still in the main stage, its sinks or its commit: the CPU of
// one overlaps the other's waiting on ClickHouse and NATS. st must judge
// each item alone, with no state and nothing to commit (decode, enrich and
// classify do; detect does not). Its output survives a retry of the main
// stage, which must therefore not change what st produced.
func WithAhead(st stage.Stage) Option { return func(r *Runner) { r.ahead = st } }

// New validates cfg and makes a runner.
func New(js jetstream.JetStream, cfg Config, st stage.Stage, sink stage.Sink, log *slog.Logger, opts ...Option) (*Runner, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	n := cfg.Name
	r := &Runner{cfg: cfg, js: js, stage: st, sink: sink, log: log.With("runner", n),
		m: metrics{
			received:    telemetry.MessagesReceived.WithLabelValues(n),
			acked:       telemetry.MessagesAcked.WithLabelValues(n),
			redelivered: telemetry.MessagesRedelivered.WithLabelValues(n),
			retries:     telemetry.BatchRetries.WithLabelValues(n),
			batchSize:   telemetry.BatchMessages.WithLabelValues(n),
			batchDur:    telemetry.BatchDuration.WithLabelValues(n),
			pending:     telemetry.ConsumerPending.WithLabelValues(n),
			ackPending:  telemetry.ConsumerAckPending.WithLabelValues(n),
		},
		batchSpan: n + " batch", msgSpan: n + " process",
	}
	for _, o := range opts {
		o(r)
	}
	return r, nil
}

// ConsumerConfig is the durable consumer the runner binds to.
func (r *Runner) ConsumerConfig() jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:        r.cfg.Name,
		FilterSubjects: r.cfg.Filter,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        r.cfg.AckWait,
		MaxDeliver:     r.cfg.MaxDeliver,
		MaxAckPending:  r.cfg.MaxAckPending,
		DeliverPolicy:  jetstream.DeliverAllPolicy,
		Description:    "vigia " + r.stageName(),
	}
}

// Run consumes until ctx is cancelled, then drains: no new pulls, the
// messages already pulled are processed and acked, within ShutdownTimeout.
// It returns nil after a clean drain, and when ctx ends before consuming
// began (a SIGTERM during start-up is not a failure).
//
// Messages come from one Fetch per batch, with the next batch fetched while
// the previous one is handled. A pull request that is answered in full is
// what makes the drain exact: with a long-lived subscription, messages the
// server was still sending when it closed would sit unacked until AckWait.
func (r *Runner) Run(ctx context.Context) error {
	cons, err := r.js.CreateOrUpdateConsumer(ctx, r.cfg.Stream, r.ConsumerConfig())
	if err != nil {
		if ctx.Err() != nil {
			r.log.Info("stopped before consuming")
			return nil
		}
		return fmt.Errorf("consumer %s on %s: %w", r.cfg.Name, r.cfg.Stream, err)
	}
	// Work continues past ctx for the drain; the deadline starts with it.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	go r.pollLag(ctx, cons)
	go func() {
		<-ctx.Done()
		r.log.Info("draining", "timeout", r.cfg.ShutdownTimeout)
		time.AfterFunc(r.cfg.ShutdownTimeout, cancelWork)
	}()
	r.log.Info("consuming", "stream", r.cfg.Stream, "filter", r.cfg.Filter, "batch", r.cfg.BatchSize, "wait", r.cfg.BatchWait)
	fetched := make(chan []jetstream.Msg)
	go r.fetch(ctx, work, cons, fetched)
	prepared := make(chan *batch)
	go r.prepareAll(work, fetched, prepared)
	for b := range prepared {
		r.handle(work, b)
	}
	if work.Err() != nil {
		return fmt.Errorf("runner %s: drain did not finish within %s", r.cfg.Name, r.cfg.ShutdownTimeout)
	}
	r.log.Info("drained", "received", r.Stats.Received.Load(), "written", r.Stats.Written.Load(), "dead_lettered", r.Stats.DeadLettered.Load())
	return nil
}

// fetch pulls batches until ctx ends, then closes out. A batch waiting for
// the handler (which may be retrying a write for minutes) is kept in
// progress, so its AckWait does not run out while it waits its turn.
func (r *Runner) fetch(ctx, work context.Context, cons jetstream.Consumer, out chan<- []jetstream.Msg) {
	defer close(out)
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval, bo.MaxInterval, bo.MaxElapsedTime = 50*time.Millisecond, 2*time.Second, 0
	keepAlive := time.NewTicker(r.cfg.AckWait / 4)
	defer keepAlive.Stop()
	for ctx.Err() == nil {
		res, err := cons.Fetch(r.cfg.BatchSize, jetstream.FetchMaxWait(r.cfg.BatchWait))
		if err != nil {
			r.log.Warn("fetch", "err", err)
			select {
			case <-time.After(bo.NextBackOff()):
			case <-ctx.Done():
			}
			continue
		}
		batch := make([]jetstream.Msg, 0, r.cfg.BatchSize)
		for m := range res.Messages() {
			batch = append(batch, m)
		}
		if err := res.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) {
			r.log.Warn("fetch", "err", err, "messages", len(batch))
		}
		if len(batch) == 0 {
			continue
		}
		bo.Reset()
		if !handOver(work, keepAlive.C, out, batch, batch) {
			r.m.redelivered.Add(float64(len(batch)))
			return
		}
	}
}

// handOver sends v on out, keeping msgs in progress while it waits its
// turn. It returns false, with msgs nak'ed, when the drain deadline passes
// first: they were never handled, so they go back at once rather than after
// AckWait.
func handOver[T any](work context.Context, keepAlive <-chan time.Time, out chan<- T, v T, msgs []jetstream.Msg) bool {
	for {
		select {
		case out <- v:
			return true
		case <-keepAlive:
			for _, m := range msgs {
				_ = m.InProgress()
			}
		case <-work.Done():
			for _, m := range msgs {
				_ = m.Nak()
			}
			return false
		}
	}
}

// batch is a fetched batch on its way through the runner.
type batch struct {
	fl     []inflight
	items  []*stage.Item // those still worth trying
	traced int
	// span is the batch's, from its preparation to its ack, so the ahead
	// stage's spans are its children too.
	span trace.Span
	// err is the ahead stage's failure: the batch goes back for redelivery.
	err error
}

// endSpans ends the spans of a batch that will never be handled: its
// messages went back for redelivery.
func (b *batch) endSpans() {
	for _, f := range b.fl {
		if f.span != nil {
			f.span.SetStatus(codes.Error, "returned for redelivery")
			f.span.End()
		}
	}
	b.span.SetStatus(codes.Error, "returned for redelivery")
	b.span.End()
}

// prepareAll turns fetched batches into items and runs the ahead stage on
// each, one batch ahead of handle, then closes out.
func (r *Runner) prepareAll(work context.Context, in <-chan []jetstream.Msg, out chan<- *batch) {
	defer close(out)
	keepAlive := time.NewTicker(r.cfg.AckWait / 4)
	defer keepAlive.Stop()
	for msgs := range in {
		b := r.prepare(work, msgs)
		if !handOver(work, keepAlive.C, out, b, msgs) {
			b.endSpans()
			r.m.redelivered.Add(float64(len(msgs)))
			for msgs := range in { // the fetcher naks its own and stops
				for _, m := range msgs {
					_ = m.Nak()
				}
				r.m.redelivered.Add(float64(len(msgs)))
			}
			return
		}
	}
}

func (r *Runner) prepare(ctx context.Context, msgs []jetstream.Msg) *batch {
	r.Stats.Batches.Add(1)
	r.Stats.Received.Add(int64(len(msgs)))
	r.m.received.Add(float64(len(msgs)))
	r.m.batchSize.Observe(float64(len(msgs)))
	b := &batch{fl: make([]inflight, len(msgs)), items: make([]*stage.Item, 0, len(msgs))}
	for i, m := range msgs {
		it := &stage.Item{Subject: m.Subject(), Raw: m.Data(), Header: m.Headers()}
		b.fl[i] = inflight{msg: m, item: it}
		if md, err := m.Metadata(); err == nil {
			b.fl[i].deliveries, b.fl[i].streamSeq = md.NumDelivered, md.Sequence.Stream
		}
		if it.Header != nil {
			if b.fl[i].remote = telemetry.RemoteSpanContext(it.Header); b.fl[i].remote.IsValid() {
				b.traced++
			}
		}
		if b.fl[i].deliveries >= uint64(r.cfg.MaxDeliver) {
			// Earlier attempts crashed or kept failing: stop trying.
			it.Fail(r.cfg.Name, fmt.Errorf("delivered %d times without success (max %d)", b.fl[i].deliveries, r.cfg.MaxDeliver))
			continue
		}
		b.items = append(b.items, it)
	}
	ctx, b.span = r.startSpans(ctx, b.fl, b.traced)
	if r.ahead != nil {
		b.err = r.retry(ctx, b.fl, func() error { return r.process(ctx, r.ahead, b.items) })
	}
	return b
}

// pollLag keeps the lag gauges current until ctx ends. Polled, not pushed:
// the server knows the counts, and asking every few seconds costs one
// request per consumer.
func (r *Runner) pollLag(ctx context.Context, cons jetstream.Consumer) {
	t := time.NewTicker(r.cfg.LagInterval)
	defer t.Stop()
	for {
		ictx, cancel := context.WithTimeout(ctx, 2*time.Second)
		info, err := cons.Info(ictx)
		cancel()
		if err == nil {
			r.m.pending.Set(float64(info.NumPending))
			r.m.ackPending.Set(float64(info.NumAckPending))
		} else if ctx.Err() == nil {
			r.log.Debug("consumer info", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type inflight struct {
	msg        jetstream.Msg
	item       *stage.Item
	deliveries uint64
	streamSeq  uint64
	// remote is the trace context the message arrived with (zero if none);
	// span is this hop's span for it, when the message is traced and
	// sampled and a tracer provider records.
	remote trace.SpanContext
	span   trace.Span
}

// handle processes one batch end to end. Every message leaves it acked,
// terminated after a durable dead letter, or nak'ed for redelivery.
//
// Tracing: one span per batch, the parent of the stage and insert spans,
// linked to the messages' incoming contexts. A message that arrives with a
// sampled traceparent also gets a span of its own, a child of that
// traceparent, whose context replaces the traceparent the outputs carry:
// an event's trace then shows each hop. Untraced messages cost nothing
// per message; without a recording provider the incoming trace context is
// carried through unchanged.
func (r *Runner) handle(ctx context.Context, b *batch) {
	start := time.Now()
	defer func() { r.m.batchDur.Observe(time.Since(start).Seconds()) }()
	fl, items, span := b.fl, b.items, b.span
	ctx = trace.ContextWithSpan(ctx, span)
	defer span.End()
	if b.err != nil {
		span.SetStatus(codes.Error, "returned for redelivery")
		r.abort(ctx, fl, b.err)
		return
	}
	if r.ahead != nil {
		items = stage.Live(items) // the ahead stage's failures are dead-lettered below
	}
	err := r.retry(ctx, fl, func() error { return r.process(ctx, r.stage, items) })
	if err == nil {
		err = r.retry(ctx, fl, func() error { return r.writeIsolating(ctx, fl, stage.Live(items)) })
	}
	if err == nil {
		// Not retried in place: a failed commit (another instance wrote the
		// state) means the batch must be redone from the stored state.
		if cm, ok := r.stage.(stage.Committer); ok {
			err = cm.Commit(ctx, items)
		}
	}
	if err != nil {
		span.SetStatus(codes.Error, "returned for redelivery")
		r.abort(ctx, fl, err)
		return
	}
	var written int64
	for _, f := range fl {
		if f.item.OK() {
			_ = f.msg.Ack()
			written++
			if f.span != nil {
				f.span.End()
			}
			continue
		}
		r.deadLetter(ctx, f)
	}
	r.Stats.Written.Add(written)
	r.m.acked.Add(float64(written))
	if span.IsRecording() {
		span.SetAttributes(attribute.Int64("vigia.acked", written))
	}
}

// startSpans starts the batch span and the traced messages' spans, and
// points the traced items' headers at their new spans so the sinks carry
// this hop's context onward.
func (r *Runner) startSpans(ctx context.Context, fl []inflight, traced int) (context.Context, trace.Span) {
	tr := telemetry.Tracer()
	ctx, span := tr.Start(ctx, r.batchSpan)
	// A no-op provider's root span is invalid: nothing records, and the
	// incoming contexts pass through untouched.
	if !span.SpanContext().IsValid() {
		return ctx, span
	}
	if span.IsRecording() {
		span.SetAttributes(
			attribute.String("messaging.system", "nats"),
			attribute.String("messaging.consumer.group.name", r.cfg.Name),
			attribute.Int("messaging.batch.message_count", len(fl)),
			attribute.Int("vigia.traced", traced),
		)
	}
	if traced == 0 {
		return ctx, span
	}
	batch := trace.Link{SpanContext: span.SpanContext()}
	for i := range fl {
		f := &fl[i]
		if !f.remote.IsValid() {
			continue
		}
		if span.IsRecording() {
			span.AddLink(trace.Link{SpanContext: f.remote})
		}
		if !f.remote.IsSampled() {
			continue // the parent's decision: carried through as it came
		}
		mctx, ms := tr.Start(trace.ContextWithRemoteSpanContext(ctx, f.remote), r.msgSpan,
			trace.WithSpanKind(trace.SpanKindConsumer),
			trace.WithLinks(batch),
			trace.WithAttributes(
				attribute.String("messaging.system", "nats"),
				attribute.String("messaging.destination.name", f.msg.Subject()),
				attribute.String("messaging.consumer.group.name", r.cfg.Name),
				attribute.Int64("messaging.nats.stream_sequence", int64(f.streamSeq)),
				attribute.Int64("messaging.nats.deliveries", int64(f.deliveries)),
			))
		f.span = ms
		// A copy: the received message's own headers stay as they came.
		h := make(map[string][]string, len(f.item.Header)+1)
		for k, v := range f.item.Header {
			h[k] = v
		}
		delete(h, "tracestate")
		telemetry.Inject(mctx, h)
		f.item.Header = h
	}
	return ctx, span
}

// process runs the stage; a panic is isolated to the items that cause it.
func (r *Runner) process(ctx context.Context, st stage.Stage, items []*stage.Item) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = nil
			abortStage(st, items)
			r.log.ErrorContext(ctx, "stage panicked; isolating items", "stage", st.Name(), "panic", p)
			for _, it := range items {
				processOne(ctx, st, it)
			}
		}
	}()
	if err := st.Process(ctx, items); err != nil {
		abortStage(st, items)
		return err
	}
	return nil
}

func processOne(ctx context.Context, st stage.Stage, it *stage.Item) {
	defer func() {
		if p := recover(); p != nil {
			it.Fail(st.Name(), fmt.Errorf("stage panicked: %v", p))
		}
	}()
	if it.OK() {
		if err := st.Process(ctx, []*stage.Item{it}); err != nil {
			it.Fail(st.Name(), err)
		}
	}
}

func abortStage(st stage.Stage, items []*stage.Item) {
	if cm, ok := st.(stage.Committer); ok {
		cm.Abort(items)
	}
}

// stageName names the whole of what the runner runs on a message.
func (r *Runner) stageName() string {
	if r.ahead != nil && r.stage.Name() != "" {
		return r.ahead.Name() + "+" + r.stage.Name()
	}
	if r.ahead != nil {
		return r.ahead.Name()
	}
	return r.stage.Name()
}

// writeIsolating writes items; on a permanent failure it splits the batch in
// halves until the rows that cannot be written are found, and fails only
// those. The good rows of a batch are never held hostage by a bad one.
func (r *Runner) writeIsolating(ctx context.Context, fl []inflight, items []*stage.Item) error {
	if len(items) == 0 {
		return nil
	}
	err := r.sink.Write(ctx, items)
	if err == nil || !errors.Is(err, stage.ErrPermanent) {
		return err
	}
	if len(items) == 1 {
		items[0].Fail("write", err)
		return nil
	}
	mid := len(items) / 2
	if err := r.writeIsolating(ctx, fl, items[:mid]); err != nil {
		return err
	}
	return r.writeIsolating(ctx, fl, items[mid:])
}

// retry runs op until it succeeds or ctx ends, backing off exponentially and
// telling JetStream the messages are in progress so AckWait never expires
// while ClickHouse or NATS is away: the backlog waits in the stream.
func (r *Runner) retry(ctx context.Context, fl []inflight, op func() error) error {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = 50 * time.Millisecond
	bo.MaxInterval = r.cfg.MaxRetryInterval
	bo.MaxElapsedTime = 0
	lastProgress := time.Now()
	return backoff.RetryNotify(op, backoff.WithContext(bo, ctx), func(err error, wait time.Duration) {
		r.Stats.Retries.Add(1)
		r.m.retries.Inc()
		r.log.WarnContext(ctx, "batch failed; retrying", "err", err, "in", wait, "messages", len(fl))
		if time.Since(lastProgress) > r.cfg.AckWait/4 {
			for _, f := range fl {
				_ = f.msg.InProgress()
			}
			lastProgress = time.Now()
		}
	})
}

// abort gives the batch back to JetStream for redelivery.
func (r *Runner) abort(ctx context.Context, fl []inflight, err error) {
	r.log.WarnContext(ctx, "batch not written; returned for redelivery", "err", err, "messages", len(fl))
	items := make([]*stage.Item, len(fl))
	for i, f := range fl {
		items[i] = f.item
	}
	abortStage(r.stage, items)
	for _, f := range fl {
		_ = f.msg.Nak()
		if f.span != nil {
			f.span.SetStatus(codes.Error, "returned for redelivery")
			f.span.End()
		}
	}
	r.m.redelivered.Add(float64(len(fl)))
}

// deadLetter publishes the original message with the reason to
// cx.dlq.<name> and terminates it once the dead letter is stored. If the
// dead letter cannot be stored, the message is nak'ed: never dropped.
func (r *Runner) deadLetter(ctx context.Context, f inflight) {
	reason := f.item.Failure.Error()
	failedStage := nonEmpty(f.item.FailedStage, r.cfg.Name)
	if f.span != nil {
		ctx = trace.ContextWithSpan(ctx, f.span)
		f.span.SetStatus(codes.Error, truncate(reason, 200))
		f.span.SetAttributes(attribute.String("vigia.failed_stage", failedStage))
		defer f.span.End()
	} else if f.remote.IsValid() {
		ctx = trace.ContextWithRemoteSpanContext(ctx, f.remote)
	}
	h := nats.Header{}
	// The dead letter keeps the message's trace, to find it from the DLQ.
	carry(f.item.Header, h)
	h.Set(bus.HeaderDLQReason, reason)
	h.Set(bus.HeaderDLQStage, failedStage)
	h.Set(bus.HeaderOrigSubject, f.msg.Subject())
	h.Set(bus.HeaderOrigStream, r.cfg.Stream)
	h.Set(bus.HeaderOrigSeq, strconv.FormatUint(f.streamSeq, 10))
	h.Set(bus.HeaderDeliveries, strconv.FormatUint(f.deliveries, 10))
	h.Set(jetstream.MsgIDHeader, r.cfg.Name+":"+r.cfg.Stream+":"+strconv.FormatUint(f.streamSeq, 10))
	dl := &nats.Msg{Subject: bus.SubjectDLQPrefix + r.cfg.Name, Header: h, Data: f.msg.Data()}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := r.js.PublishMsg(pctx, dl); err != nil {
		r.log.ErrorContext(ctx, "dead letter not stored; will retry", "err", err, "seq", f.streamSeq)
		_ = f.msg.NakWithDelay(time.Second)
		r.m.redelivered.Inc()
		return
	}
	r.Stats.DeadLettered.Add(1)
	telemetry.DeadLetters.WithLabelValues(r.cfg.Name, failedStage).Inc()
	r.log.WarnContext(ctx, "dead-lettered", "seq", f.streamSeq, "subject", f.msg.Subject(), "reason", reason)
	_ = f.msg.TermWithReason(truncate(reason, 200))
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
