package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/detect"
	"github.com/vigia-cx/vigia/pkg/stage"
)

// Sweeper makes time-based signals fire when no event arrives: a reply SLA
// that passes with the customer unanswered, a contact left open. It keeps an
// in-memory index of each owned conversation's next deadline — fed by every
// committed state, rebuilt from the CX_CONVERSATIONS bucket on start, so it
// survives restarts — and publishes a timer record on cx.timers.<partition>
// when one passes. The record travels the pipeline like an event, in order
// with the conversation's other events, and the detector decides what it
// means. Timer ids are deterministic, so two sweepers never fire one twice.
type Sweeper struct {
	JS         jetstream.JetStream
	Partitions int
	// Owns says which partitions this instance handles (nil: all).
	Owns func(partition int) bool
	// Now is the clock; tests replace it.
	Now      func() time.Time
	Interval time.Duration
	Log      *slog.Logger

	mu      sync.Mutex
	entries map[string]stage.Timer
	fired   map[string]bool
}

func (s *Sweeper) init() {
	if s.entries == nil {
		s.entries, s.fired = map[string]stage.Timer{}, map[string]bool{}
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Interval <= 0 {
		s.Interval = time.Second
	}
}

func (s *Sweeper) owns(tenant, conv string) bool {
	return s.Owns == nil || s.Owns(bus.Partition(tenant, conv, s.Partitions))
}

// Track records a committed state's deadline (detect.Stage.OnCommit).
func (s *Sweeper) Track(key string, st *detect.State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	if st.Due.IsZero() {
		delete(s.entries, key)
		return
	}
	s.entries[key] = stage.Timer{Tenant: st.Tenant, ConversationID: st.ConversationID, Kind: st.DueKind, Due: st.Due}
}

// Load rebuilds the index from the conversation-state bucket.
func (s *Sweeper) Load(ctx context.Context, kv jetstream.KeyValue) error {
	w, err := kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return fmt.Errorf("sweeper: watch %s: %w", bus.BucketConversations, err)
	}
	defer func() { _ = w.Stop() }()
	n := 0
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e := <-w.Updates():
			if e == nil { // initial values done
				if s.Log != nil {
					s.Log.Info("sweeper loaded open deadlines", "conversations", n)
				}
				return nil
			}
			var st detect.State
			if err := json.Unmarshal(e.Value(), &st); err != nil {
				return fmt.Errorf("sweeper: decode %s: %w", e.Key(), err)
			}
			if !st.Due.IsZero() && s.owns(st.Tenant, st.ConversationID) {
				s.Track(e.Key(), &st)
				n++
			}
		}
	}
}

// Sweep publishes a timer for every deadline that has passed and has not
// fired yet; it returns how many it published.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	s.mu.Lock()
	s.init()
	now := s.Now().UTC()
	var due []stage.Timer
	for _, t := range s.entries {
		if !t.Due.After(now) && !s.fired[stage.TimerID(t)] {
			t.FiredAt = now
			due = append(due, t)
		}
	}
	s.mu.Unlock()
	if len(due) == 0 {
		return 0, nil
	}
	msgs := make([]*nats.Msg, 0, len(due))
	for _, t := range due {
		data, err := json.Marshal(t)
		if err != nil {
			return 0, fmt.Errorf("sweeper: encode timer: %w", err)
		}
		h := nats.Header{}
		h.Set(jetstream.MsgIDHeader, stage.TimerID(t))
		subj := stage.TimerSubjectPrefix + fmt.Sprint(bus.Partition(t.Tenant, t.ConversationID, s.Partitions))
		msgs = append(msgs, &nats.Msg{Subject: subj, Header: h, Data: data})
	}
	for _, m := range msgs {
		if _, err := s.JS.PublishMsg(ctx, m); err != nil {
			return 0, fmt.Errorf("sweeper: publish %s: %w", m.Subject, err)
		}
	}
	s.mu.Lock()
	for _, t := range due {
		s.fired[stage.TimerID(t)] = true
	}
	// Fired ids are only needed while their entry may still be current.
	if len(s.fired) > 4*len(s.entries)+1024 {
		live := map[string]bool{}
		for _, t := range s.entries {
			if id := stage.TimerID(t); s.fired[id] {
				live[id] = true
			}
		}
		s.fired = live
	}
	s.mu.Unlock()
	return len(due), nil
}

// Run sweeps every Interval until ctx ends.
func (s *Sweeper) Run(ctx context.Context) {
	s.mu.Lock()
	s.init()
	s.mu.Unlock()
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil && s.Log != nil {
				s.Log.Warn("sweep failed; will retry", "err", err)
			} else if n > 0 && s.Log != nil {
				s.Log.Debug("timers fired", "n", n)
			}
		}
	}
}
