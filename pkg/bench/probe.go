package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// VisibilityProbe finds when each event's row became visible in
// ClickHouse. Rows carry no per-row arrival time finer than a second, so
// the probe uses what the generator controls: event times grow with publish
// order and are distinct per millisecond bucket, and the probe knows how
// many events each bucket holds. It polls the per-bucket row counts at and
// above the oldest incomplete bucket; a bucket is visible at the start of
// the first poll that sees all its rows, which bounds each latency from
// above by one poll interval.
type VisibilityProbe struct {
	Conn     driver.Conn
	Table    string // interaction_events, qualified with the database
	Interval time.Duration

	buckets []bucket
	byMs    map[int64]int
	visible int
	// Curve is (time, events visible) after each poll, for the throughput.
	Curve []CurvePoint
	Polls int
}

type bucket struct {
	ms     int64
	lo, hi int       // event indices [lo, hi)
	at     time.Time // when all its rows were first seen
}

// CurvePoint is how many events were done (visible, acked) at a time.
type CurvePoint struct {
	At   time.Time
	Rows int
}

// NewVisibilityProbe prepares a probe for msgs (in publish order).
func NewVisibilityProbe(conn driver.Conn, table string, msgs []Msg, interval time.Duration) (*VisibilityProbe, error) {
	p := &VisibilityProbe{Conn: conn, Table: table, Interval: interval, byMs: map[int64]int{}}
	for i, m := range msgs {
		n := len(p.buckets)
		if n > 0 && p.buckets[n-1].ms == m.TimeMs {
			p.buckets[n-1].hi = i + 1
			continue
		}
		if n > 0 && p.buckets[n-1].ms > m.TimeMs {
			return nil, fmt.Errorf("event %d: times must grow with publish order", i)
		}
		p.byMs[m.TimeMs] = n
		p.buckets = append(p.buckets, bucket{ms: m.TimeMs, lo: i, hi: i + 1})
	}
	return p, nil
}

// Run polls until every event is visible, ctx ends or the deadline passes.
func (p *VisibilityProbe) Run(ctx context.Context, deadline time.Time) error {
	low := 0
	tick := time.NewTicker(p.Interval)
	defer tick.Stop()
	for low < len(p.buckets) {
		at := time.Now()
		if at.After(deadline) {
			return fmt.Errorf("%d of %d events visible in %s when the deadline passed", p.visible, p.total(), p.Table)
		}
		counts, err := p.poll(ctx, p.buckets[low].ms)
		if err != nil {
			return err
		}
		p.Polls++
		for ms, n := range counts {
			k, ok := p.byMs[ms]
			if !ok || !p.buckets[k].at.IsZero() || n < uint64(p.buckets[k].hi-p.buckets[k].lo) {
				continue
			}
			p.buckets[k].at = at
			p.visible += p.buckets[k].hi - p.buckets[k].lo
		}
		for low < len(p.buckets) && !p.buckets[low].at.IsZero() {
			low++
		}
		p.Curve = append(p.Curve, CurvePoint{At: at, Rows: p.visible})
		if low == len(p.buckets) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

func (p *VisibilityProbe) total() int {
	if len(p.buckets) == 0 {
		return 0
	}
	return p.buckets[len(p.buckets)-1].hi
}

func (p *VisibilityProbe) poll(ctx context.Context, fromMs int64) (map[int64]uint64, error) {
	q := fmt.Sprintf("SELECT event_time_ms, count() FROM %s WHERE event_time_ms >= %d GROUP BY event_time_ms", p.Table, fromMs)
	rows, err := p.Conn.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("visibility poll: %w", err)
	}
	defer rows.Close()
	out := map[int64]uint64{}
	for rows.Next() {
		var ms, n uint64
		if err := rows.Scan(&ms, &n); err != nil {
			return nil, fmt.Errorf("visibility poll: %w", err)
		}
		out[int64(ms)] = n
	}
	return out, rows.Err()
}

// Latencies returns publish → visible for every visible event; pub must be
// final (the publisher returned).
func (p *VisibilityProbe) Latencies(pub *Published) []time.Duration {
	lat := make([]time.Duration, 0, p.visible)
	for _, b := range p.buckets {
		if b.at.IsZero() {
			continue
		}
		for i := b.lo; i < b.hi; i++ {
			lat = append(lat, b.at.Sub(pub.At[i]))
		}
	}
	return lat
}

// Visible returns how many events are visible.
func (p *VisibilityProbe) Visible() int { return p.visible }

// AllVisibleAt is when the last event became visible (zero if not all did).
func (p *VisibilityProbe) AllVisibleAt() time.Time {
	if len(p.Curve) == 0 || p.visible < p.total() {
		return time.Time{}
	}
	return p.Curve[len(p.Curve)-1].At
}

// Throughput is the sustained rate: events made visible per second from
// the moment warm (a fraction of all events) were visible until all were.
// Start-up (connections, first batch, caches) stays out; the tail latency
// of the last events stays in, since a run is not over until they land.
func Throughput(curve []CurvePoint, total int, warm float64) float64 {
	if len(curve) == 0 || total == 0 {
		return 0
	}
	last := curve[len(curve)-1]
	if last.Rows < total {
		return 0
	}
	want := int(warm * float64(total))
	for _, c := range curve {
		if c.Rows >= want && c.Rows < total {
			d := last.At.Sub(c.At).Seconds()
			if d <= 0 {
				return 0
			}
			return float64(total-c.Rows) / d
		}
	}
	return 0
}

// EscalationProbe records when each escalation was published, matched to
// the publish time of the event that triggered it.
type EscalationProbe struct {
	mu       sync.Mutex
	index    map[string]int
	arrivals []arrival
	ids      map[string]int
	unknown  int
	sub      *nats.Subscription
}

type arrival struct {
	at      time.Time
	trigger string
}

// NewEscalationProbe subscribes to every escalation subject.
func NewEscalationProbe(nc *nats.Conn, subject string, msgs []Msg) (*EscalationProbe, error) {
	p := &EscalationProbe{index: make(map[string]int, len(msgs)), ids: map[string]int{}}
	for i := range msgs {
		p.index[msgs[i].ID] = i
	}
	sub, err := nc.Subscribe(subject, func(m *nats.Msg) {
		at := time.Now()
		var esc struct {
			ID   string `json:"id"`
			Data struct {
				TriggerEventID string `json:"trigger_event_id"`
			} `json:"data"`
		}
		_ = json.Unmarshal(m.Data, &esc)
		p.mu.Lock()
		p.arrivals = append(p.arrivals, arrival{at: at, trigger: esc.Data.TriggerEventID})
		p.ids[esc.ID]++
		p.mu.Unlock()
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", subject, err)
	}
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", subject, err)
	}
	if err := nc.Flush(); err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", subject, err)
	}
	p.sub = sub
	return p, nil
}

// Stop ends the subscription.
func (p *EscalationProbe) Stop() { _ = p.sub.Unsubscribe() }

// Result returns the latencies of escalations whose trigger is a published
// event, how many distinct escalations arrived, and how many arrived twice
// or had a trigger the probe did not publish (timers).
func (p *EscalationProbe) Result(pub *Published) (lat []time.Duration, distinct, repeated, unknown int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, a := range p.arrivals {
		i, ok := p.index[a.trigger]
		if !ok {
			unknown++
			continue
		}
		lat = append(lat, a.at.Sub(pub.At[i]))
	}
	for _, n := range p.ids {
		if n > 1 {
			repeated += n - 1
		}
	}
	return lat, len(p.ids), repeated, unknown
}

// AckProbe follows a consumer's ack floor: every stream sequence at or
// below it is acked, so each event's publish → ack latency is bounded from
// above by one poll interval. It is used on a fresh stream with one
// publisher, where event i is stored at sequence i+1 (Published.Seq says
// whether that held).
type AckProbe struct {
	Consumer jetstream.Consumer
	Interval time.Duration
	// Curve is (time, ack floor) after each poll.
	Curve []CurvePoint
}

// Run polls until n events are acked, ctx ends or the deadline passes.
func (p *AckProbe) Run(ctx context.Context, n int, deadline time.Time) error {
	tick := time.NewTicker(p.Interval)
	defer tick.Stop()
	for {
		at := time.Now()
		if at.After(deadline) {
			return fmt.Errorf("ack floor at %d of %d when the deadline passed", p.floor(), n)
		}
		info, err := p.Consumer.Info(ctx)
		if err != nil {
			return fmt.Errorf("ack probe: %w", err)
		}
		p.Curve = append(p.Curve, CurvePoint{At: at, Rows: int(min(info.AckFloor.Stream, uint64(n)))})
		if info.AckFloor.Stream >= uint64(n) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func (p *AckProbe) floor() int {
	if len(p.Curve) == 0 {
		return 0
	}
	return p.Curve[len(p.Curve)-1].Rows
}

// Latencies returns publish → acked for every acked event, or an error if
// the stream did not store event i at sequence i+1.
func (p *AckProbe) Latencies(pub *Published) ([]time.Duration, error) {
	for i, s := range pub.Seq {
		if s != uint64(i+1) {
			return nil, fmt.Errorf("event %d stored at sequence %d: not a fresh single-publisher stream", i, s)
		}
	}
	var lat []time.Duration
	done := 0
	for _, c := range p.Curve {
		for ; done < c.Rows; done++ {
			lat = append(lat, c.At.Sub(pub.At[done]))
		}
	}
	return lat, nil
}
