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

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/stage"
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
	// MaxAckPending bounds messages in flight; at least twice BatchSize, so
	// the next batch fills while one is written.
	MaxAckPending int
	// ShutdownTimeout bounds the drain after the context is cancelled.
	ShutdownTimeout time.Duration
	// MaxRetryInterval caps the backoff between retries of a failed write.
	MaxRetryInterval time.Duration
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
	if c.MaxAckPending < 2*c.BatchSize {
		return c, fmt.Errorf("runner %s: MaxAckPending %d must be at least 2× BatchSize %d", c.Name, c.MaxAckPending, c.BatchSize)
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
	if c.MaxRetryInterval <= 0 {
		c.MaxRetryInterval = 5 * time.Second
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
	stage stage.Stage
	sink  stage.Sink
	log   *slog.Logger
	Stats Stats
}

// New validates cfg and makes a runner.
func New(js jetstream.JetStream, cfg Config, st stage.Stage, sink stage.Sink, log *slog.Logger) (*Runner, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Runner{cfg: cfg, js: js, stage: st, sink: sink, log: log.With("runner", cfg.Name)}, nil
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
		Description:    "vigia " + r.stage.Name(),
	}
}

// Run consumes until ctx is cancelled, then drains: no new pulls, buffered
// messages are processed and acked, within ShutdownTimeout. It returns nil
// after a clean drain.
func (r *Runner) Run(ctx context.Context) error {
	cons, err := r.js.CreateOrUpdateConsumer(ctx, r.cfg.Stream, r.ConsumerConfig())
	if err != nil {
		return fmt.Errorf("consumer %s on %s: %w", r.cfg.Name, r.cfg.Stream, err)
	}
	msgs := make(chan jetstream.Msg, 2*r.cfg.BatchSize)
	cc, err := cons.Consume(func(m jetstream.Msg) { msgs <- m },
		jetstream.PullMaxMessages(2*r.cfg.BatchSize),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			if !errors.Is(err, jetstream.ErrNoHeartbeat) {
				r.log.Warn("consume", "err", err)
			}
		}))
	if err != nil {
		return fmt.Errorf("consume %s: %w", r.cfg.Name, err)
	}
	// Work continues past ctx for the drain; the deadline starts with it.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	go func() {
		<-ctx.Done()
		r.log.Info("draining", "timeout", r.cfg.ShutdownTimeout)
		cc.Drain()
		time.AfterFunc(r.cfg.ShutdownTimeout, cancelWork)
	}()
	r.log.Info("consuming", "stream", r.cfg.Stream, "filter", r.cfg.Filter, "batch", r.cfg.BatchSize, "wait", r.cfg.BatchWait)
	batch := make([]jetstream.Msg, 0, r.cfg.BatchSize)
	for {
		batch, closed := r.collect(msgs, cc.Closed(), batch[:0])
		if len(batch) > 0 {
			r.handle(work, batch)
		}
		if closed && len(msgs) == 0 {
			if work.Err() != nil {
				return fmt.Errorf("runner %s: drain did not finish within %s", r.cfg.Name, r.cfg.ShutdownTimeout)
			}
			r.log.Info("drained", "received", r.Stats.Received.Load(), "written", r.Stats.Written.Load(), "dead_lettered", r.Stats.DeadLettered.Load())
			return nil
		}
	}
}

// collect waits for a first message, then fills the batch until it is full
// or BatchWait has passed since that first message.
func (r *Runner) collect(msgs <-chan jetstream.Msg, closed <-chan struct{}, batch []jetstream.Msg) ([]jetstream.Msg, bool) {
	select {
	case m := <-msgs:
		batch = append(batch, m)
	case <-closed:
		// Messages delivered just before the close are still in the channel.
		for len(batch) < r.cfg.BatchSize {
			select {
			case m := <-msgs:
				batch = append(batch, m)
			default:
				return batch, true
			}
		}
		return batch, true
	}
	timer := time.NewTimer(r.cfg.BatchWait)
	defer timer.Stop()
	for len(batch) < r.cfg.BatchSize {
		select {
		case m := <-msgs:
			batch = append(batch, m)
		case <-timer.C:
			return batch, false
		case <-closed:
			return r.collectRest(msgs, batch), true
		}
	}
	return batch, false
}

func (r *Runner) collectRest(msgs <-chan jetstream.Msg, batch []jetstream.Msg) []jetstream.Msg {
	for len(batch) < r.cfg.BatchSize {
		select {
		case m := <-msgs:
			batch = append(batch, m)
		default:
			return batch
		}
	}
	return batch
}

type inflight struct {
	msg        jetstream.Msg
	item       *stage.Item
	deliveries uint64
	streamSeq  uint64
}

// handle processes one batch end to end. Every message leaves it acked,
// terminated after a durable dead letter, or nak'ed for redelivery.
func (r *Runner) handle(ctx context.Context, msgs []jetstream.Msg) {
	r.Stats.Batches.Add(1)
	r.Stats.Received.Add(int64(len(msgs)))
	fl := make([]inflight, len(msgs))
	items := make([]*stage.Item, 0, len(msgs))
	for i, m := range msgs {
		it := &stage.Item{Subject: m.Subject(), Raw: m.Data(), Header: m.Headers()}
		fl[i] = inflight{msg: m, item: it}
		if md, err := m.Metadata(); err == nil {
			fl[i].deliveries, fl[i].streamSeq = md.NumDelivered, md.Sequence.Stream
		}
		if fl[i].deliveries >= uint64(r.cfg.MaxDeliver) {
			// Earlier attempts crashed or kept failing: stop trying.
			it.Fail(r.cfg.Name, fmt.Errorf("delivered %d times without success (max %d)", fl[i].deliveries, r.cfg.MaxDeliver))
			continue
		}
		items = append(items, it)
	}
	err := r.retry(ctx, fl, func() error { return r.process(ctx, items) })
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
		r.abort(fl, err)
		return
	}
	var written int64
	for _, f := range fl {
		if f.item.OK() {
			_ = f.msg.Ack()
			written++
			continue
		}
		r.deadLetter(ctx, f)
	}
	r.Stats.Written.Add(written)
}

// process runs the stage; a panic is isolated to the items that cause it.
func (r *Runner) process(ctx context.Context, items []*stage.Item) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = nil
			r.abortStage(items)
			r.log.Error("stage panicked; isolating items", "panic", p)
			for _, it := range items {
				r.processOne(ctx, it)
			}
		}
	}()
	if err := r.stage.Process(ctx, items); err != nil {
		r.abortStage(items)
		return err
	}
	return nil
}

func (r *Runner) processOne(ctx context.Context, it *stage.Item) {
	defer func() {
		if p := recover(); p != nil {
			it.Fail(r.stage.Name(), fmt.Errorf("stage panicked: %v", p))
		}
	}()
	if err := r.stage.Process(ctx, []*stage.Item{it}); err != nil {
		it.Fail(r.stage.Name(), err)
	}
}

func (r *Runner) abortStage(items []*stage.Item) {
	if cm, ok := r.stage.(stage.Committer); ok {
		cm.Abort(items)
	}
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
		r.log.Warn("batch failed; retrying", "err", err, "in", wait, "messages", len(fl))
		if time.Since(lastProgress) > r.cfg.AckWait/4 {
			for _, f := range fl {
				_ = f.msg.InProgress()
			}
			lastProgress = time.Now()
		}
	})
}

// abort gives the batch back to JetStream for redelivery.
func (r *Runner) abort(fl []inflight, err error) {
	r.log.Warn("batch not written; returned for redelivery", "err", err, "messages", len(fl))
	items := make([]*stage.Item, len(fl))
	for i, f := range fl {
		items[i] = f.item
	}
	r.abortStage(items)
	for _, f := range fl {
		_ = f.msg.Nak()
	}
}

// deadLetter publishes the original message with the reason to
// cx.dlq.<name> and terminates it once the dead letter is stored. If the
// dead letter cannot be stored, the message is nak'ed: never dropped.
func (r *Runner) deadLetter(ctx context.Context, f inflight) {
	reason := f.item.Failure.Error()
	h := nats.Header{}
	h.Set(bus.HeaderDLQReason, reason)
	h.Set(bus.HeaderDLQStage, nonEmpty(f.item.FailedStage, r.cfg.Name))
	h.Set(bus.HeaderOrigSubject, f.msg.Subject())
	h.Set(bus.HeaderOrigStream, r.cfg.Stream)
	h.Set(bus.HeaderOrigSeq, strconv.FormatUint(f.streamSeq, 10))
	h.Set(bus.HeaderDeliveries, strconv.FormatUint(f.deliveries, 10))
	h.Set(jetstream.MsgIDHeader, r.cfg.Name+":"+r.cfg.Stream+":"+strconv.FormatUint(f.streamSeq, 10))
	dl := &nats.Msg{Subject: bus.SubjectDLQPrefix + r.cfg.Name, Header: h, Data: f.msg.Data()}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := r.js.PublishMsg(pctx, dl); err != nil {
		r.log.Error("dead letter not stored; will retry", "err", err, "seq", f.streamSeq)
		_ = f.msg.NakWithDelay(time.Second)
		return
	}
	r.Stats.DeadLettered.Add(1)
	r.log.Warn("dead-lettered", "seq", f.streamSeq, "subject", f.msg.Subject(), "reason", reason)
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
