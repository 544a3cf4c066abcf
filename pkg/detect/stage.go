package detect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/stage"
)

// ErrNoState is returned by a StateStore for a conversation it has never seen.
var ErrNoState = errors.New("no state for conversation")

// ErrConflict is returned by a StateStore when the revision is stale:
// another detector instance wrote the conversation meanwhile.
var ErrConflict = errors.New("conversation state changed concurrently")

// StateStore persists conversation state between batches and restarts: the
// JetStream key-value bucket in the services (pkg/bus), MemoryStore on the
// command line. Put is compare-and-set on revision (0 = must not exist).
type StateStore interface {
	Get(ctx context.Context, key string) (data []byte, revision uint64, err error)
	Put(ctx context.Context, key string, data []byte, revision uint64) (newRevision uint64, err error)
}

type cached struct {
	state    *State
	revision uint64
}

// Stage is the detect stage: it applies each record to its conversation's
// state, prepared on copies; Commit stores the new states only after the
// batch's output is durable, so a crash or a failed write replays from the
// last committed state and nothing is counted twice.
type Stage struct {
	Detector *Detector
	Store    StateStore

	mu      sync.Mutex
	cache   *lru.Cache[string, cached]
	pending map[string]cached
}

// NewStage makes a detect stage that keeps up to cacheSize conversations in
// memory in front of store.
func NewStage(d *Detector, store StateStore, cacheSize int) (*Stage, error) {
	c, err := lru.New[string, cached](cacheSize)
	if err != nil {
		return nil, fmt.Errorf("state cache: %w", err)
	}
	return &Stage{Detector: d, Store: store, cache: c, pending: map[string]cached{}}, nil
}

// Name implements stage.Stage.
func (*Stage) Name() string { return "detect" }

// StateKey is the key of a conversation's state: tenant and conversation id
// are both subject-safe, so the key is a valid KV key.
func StateKey(tenant, conversationID string) string { return tenant + "." + conversationID }

// Process implements stage.Stage.
func (s *Stage) Process(ctx context.Context, items []*stage.Item) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, it := range items {
		r := it.Record
		tenant := r.Event.TenantOrDefault()
		key := StateKey(tenant, r.Event.ConversationID())
		cur, ok := s.pending[key]
		if !ok {
			base, err := s.load(ctx, key, tenant, r.Event.ConversationID())
			if err != nil {
				return err
			}
			cur = cached{state: base.state.Clone(), revision: base.revision}
		}
		det := s.Detector.Apply(cur.state, r)
		r.Detected = &det
		s.pending[key] = cur
	}
	return nil
}

func (s *Stage) load(ctx context.Context, key, tenant, conv string) (cached, error) {
	if c, ok := s.cache.Get(key); ok {
		return c, nil
	}
	data, rev, err := s.Store.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNoState):
		return cached{state: NewState(tenant, conv)}, nil
	case err != nil:
		return cached{}, fmt.Errorf("load state %s: %w", key, err)
	}
	st := &State{}
	if err := json.Unmarshal(data, st); err != nil {
		return cached{}, fmt.Errorf("decode state %s: %w", key, err)
	}
	c := cached{state: st, revision: rev}
	s.cache.Add(key, c)
	return c, nil
}

// Commit implements stage.Committer: store every conversation the batch
// changed, compare-and-set on the revision it was read at.
func (s *Stage) Commit(ctx context.Context, _ []*stage.Item) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, c := range s.pending {
		data, err := json.Marshal(c.state)
		if err != nil {
			return fmt.Errorf("encode state %s: %w", key, err)
		}
		rev, err := s.Store.Put(ctx, key, data, c.revision)
		if err != nil {
			s.forget()
			return fmt.Errorf("store state %s: %w", key, err)
		}
		s.cache.Add(key, cached{state: c.state, revision: rev})
		delete(s.pending, key)
	}
	return nil
}

// Abort implements stage.Committer.
func (s *Stage) Abort(_ []*stage.Item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forget()
}

// forget drops prepared states and their cache entries, so the next attempt
// reads what the store really holds (another instance may have written).
func (s *Stage) forget() {
	for key := range s.pending {
		s.cache.Remove(key)
		delete(s.pending, key)
	}
}

// MemoryStore is a StateStore in process memory, for the command line and
// for runs that need no durability.
type MemoryStore struct {
	mu   sync.Mutex
	data map[string]memEntry
}

type memEntry struct {
	data []byte
	rev  uint64
}

// Get implements StateStore.
func (m *MemoryStore) Get(_ context.Context, key string) ([]byte, uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.data[key]
	if !ok {
		return nil, 0, ErrNoState
	}
	return e.data, e.rev, nil
}

// Put implements StateStore.
func (m *MemoryStore) Put(_ context.Context, key string, data []byte, rev uint64) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data == nil {
		m.data = map[string]memEntry{}
	}
	if m.data[key].rev != rev {
		return 0, fmt.Errorf("%w: %s at revision %d, not %d", ErrConflict, key, m.data[key].rev, rev)
	}
	m.data[key] = memEntry{data: data, rev: rev + 1}
	return rev + 1, nil
}

var _ stage.Committer = (*Stage)(nil)

// Escalations of a batch, in order, for the publishing sink.
func Escalations(items []*stage.Item) []event.Escalation {
	var out []event.Escalation
	for _, it := range items {
		if it.OK() && it.Record.Detected != nil {
			out = append(out, it.Record.Detected.Escalations...)
		}
	}
	return out
}
