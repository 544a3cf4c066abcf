package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Published is what the publisher knows of each event.
type Published struct {
	// At is the event's publish time, the start of every latency: the
	// earlier of its scheduled time in an open-loop run and the moment it
	// was handed to the client. A publisher falling behind the schedule
	// thus shows as latency, not as a gentler offered load (no coordinated
	// omission); with rate 0 it is the hand-over time.
	At []time.Time
	// Seq is the stream sequence JetStream stored each event at.
	Seq []uint64
	// Start and End bracket the publishing.
	Start, End time.Time
	// MaxLag and P99Lag say how far actual publishing fell behind the
	// schedule; large values mean the publisher, not the system under
	// test, limited the offered load.
	MaxLag, P99Lag time.Duration
	Failed         int
}

// Rate returns the achieved publish rate.
func (p *Published) Rate() float64 {
	d := p.End.Sub(p.Start).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(len(p.At)) / d
}

// Publish sends msgs to JetStream, open loop at rate events/s (0: as fast
// as the client's async window allows), and waits for every ack. Each
// message carries Nats-Msg-Id, so a retried publish is stored once.
func Publish(ctx context.Context, js jetstream.JetStream, msgs []Msg, rate float64) (*Published, error) {
	res := &Published{At: make([]time.Time, len(msgs)), Seq: make([]uint64, len(msgs))}
	type pending struct {
		i int
		f jetstream.PubAckFuture
	}
	// Acks are collected apart from publishing, so waiting for one never
	// delays the schedule.
	futures := make(chan pending, 1<<16)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		retry   []int
		ackErrs error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for p := range futures {
			select {
			case ack := <-p.f.Ok():
				res.Seq[p.i] = ack.Sequence
			case err := <-p.f.Err():
				mu.Lock()
				retry = append(retry, p.i)
				ackErrs = err
				mu.Unlock()
			case <-time.After(30 * time.Second):
				mu.Lock()
				retry = append(retry, p.i)
				ackErrs = fmt.Errorf("no publish ack within 30s")
				mu.Unlock()
			}
		}
	}()
	lags := make([]time.Duration, 0, len(msgs))
	res.Start = time.Now().Add(20 * time.Millisecond)
	var interval time.Duration
	if rate > 0 {
		interval = time.Duration(float64(time.Second) / rate)
	}
	var err error
	for i := range msgs {
		sched := res.Start.Add(time.Duration(i) * interval)
		if rate > 0 {
			if d := time.Until(sched); d > 0 {
				// Sleep only when more than a millisecond ahead; timer
				// granularity makes shorter sleeps overshoot.
				if d > time.Millisecond {
					time.Sleep(d)
				}
			}
		}
		now := time.Now()
		if rate > 0 && now.After(sched) {
			res.At[i] = sched
			lags = append(lags, now.Sub(sched))
		} else {
			// Up to a millisecond early, or unscheduled: the real time
			// is the honest start.
			res.At[i] = now
			lags = append(lags, 0)
		}
		f, perr := js.PublishMsgAsync(natsMsg(&msgs[i]), jetstream.WithStallWait(stallWait))
		if perr != nil {
			err = fmt.Errorf("publish %d: %w", i, perr)
			break
		}
		futures <- pending{i, f}
		if i%1024 == 0 && ctx.Err() != nil {
			err = ctx.Err()
			break
		}
	}
	close(futures)
	wg.Wait()
	res.End = time.Now()
	if err != nil {
		return res, err
	}
	// A failed async publish is repeated synchronously: the same id is
	// stored once, whatever happened to the first attempt.
	for _, i := range retry {
		var ack *jetstream.PubAck
		for attempt := 0; attempt < 5; attempt++ {
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			ack, err = js.PublishMsg(pctx, natsMsg(&msgs[i]))
			cancel()
			if err == nil {
				break
			}
		}
		if err != nil {
			return res, fmt.Errorf("publish %d after async failure (%v): %w", i, ackErrs, err)
		}
		res.Seq[i] = ack.Sequence
		res.Failed++
	}
	if lat := Summarize(lags); lat.N > 0 {
		res.MaxLag = time.Duration(lat.Max * float64(time.Millisecond))
		res.P99Lag = time.Duration(lat.P99 * float64(time.Millisecond))
	}
	return res, nil
}

// stallWait is how long a publish may wait for room in the client's async
// window. A server that acks slowly (fsync per write) is backpressure the
// publisher must absorb, and it shows as publish lag, not as an error.
const stallWait = time.Minute

func natsMsg(m *Msg) *nats.Msg {
	h := nats.Header{}
	h.Set(jetstream.MsgIDHeader, m.ID)
	return &nats.Msg{Subject: m.Subject, Header: h, Data: m.Data}
}

// PublishBacklog publishes n generated events as fast as possible without
// holding them all in memory: the backlog of a catch-up run.
func PublishBacklog(ctx context.Context, js jetstream.JetStream, g *Generator, n int) (time.Duration, error) {
	start := time.Now()
	const window = 4096
	futures := make([]jetstream.PubAckFuture, 0, window)
	msgs := make([]Msg, 0, window)
	flush := func() error {
		for k, f := range futures {
			select {
			case <-f.Ok():
			case <-f.Err():
				// Stored once whatever the first attempt did: same id.
				pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				_, err := js.PublishMsg(pctx, natsMsg(&msgs[k]))
				cancel()
				if err != nil {
					return fmt.Errorf("backlog publish: %w", err)
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		futures, msgs = futures[:0], msgs[:0]
		return nil
	}
	for range n {
		m, err := g.Next()
		if err != nil {
			return 0, err
		}
		f, err := js.PublishMsgAsync(natsMsg(&m), jetstream.WithStallWait(stallWait))
		if err != nil {
			return 0, fmt.Errorf("backlog publish: %w", err)
		}
		futures, msgs = append(futures, f), append(msgs, m)
		if len(futures) == window {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := flush(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}
