package detect

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/stage"
)

// ErrNoState is returned by a StateStore for a key it has never seen.
var ErrNoState = errors.New("no state for key")

// ErrConflict is returned by a StateStore when the revision is stale:
// another detector instance wrote the key meanwhile.
var ErrConflict = errors.New("state changed concurrently")

// StateStore persists state between batches and restarts: JetStream
// key-value buckets in the services (pkg/bus), MemoryStore on the command
// line. Put is compare-and-set on revision (0 = must not exist).
type StateStore interface {
	Get(ctx context.Context, key string) (data []byte, revision uint64, err error)
	Put(ctx context.Context, key string, data []byte, revision uint64) (newRevision uint64, err error)
}

// Put is one compare-and-set write of a batch: Key at Revision (0 = must
// not exist) becomes Data. PutMany fills NewRevision or Err.
type Put struct {
	Key         string
	Data        []byte
	Revision    uint64
	NewRevision uint64
	Err         error
}

// BatchStateStore is a StateStore that can pipeline a batch's writes: one
// round trip for all of them instead of one each, which is what lets the
// detect stage keep up when a batch touches hundreds of conversations.
type BatchStateStore interface {
	StateStore
	// PutMany performs every put, each compare-and-set on its own, and
	// reports each outcome in place; the error is for the batch as a whole
	// (the store unreachable), when no outcome is known.
	PutMany(ctx context.Context, puts []Put) error
}

type cached[T any] struct {
	value    *T
	revision uint64
}

type pendingHistory struct {
	cached[History]
	changed map[string]Contact // this batch's upserts, replayed on a conflict
}

// Stage is the detect stage: it applies each record to its conversation's
// state and its customer's history, prepared on copies; Commit stores them
// only after the batch's output is durable, so a crash or a failed write
// replays from the last committed state and nothing is counted twice.
type Stage struct {
	Detector  *Detector
	States    StateStore
	Customers StateStore
	// OnCommit, if set, sees every committed conversation state: the timer
	// index of the sweeper follows deadlines through it.
	OnCommit func(key string, st *State)

	mu        sync.Mutex
	states    *lru.Cache[string, cached[State]]
	histories *lru.Cache[string, cached[History]]
	pending   map[string]cached[State]
	pendingH  map[string]*pendingHistory
}

// NewStage makes a detect stage that keeps up to cacheSize conversations
// (and as many customers) in memory in front of the stores.
func NewStage(d *Detector, states, customers StateStore, cacheSize int) (*Stage, error) {
	s, err := lru.New[string, cached[State]](cacheSize)
	if err != nil {
		return nil, fmt.Errorf("state cache: %w", err)
	}
	h, err := lru.New[string, cached[History]](cacheSize)
	if err != nil {
		return nil, fmt.Errorf("history cache: %w", err)
	}
	return &Stage{Detector: d, States: states, Customers: customers, states: s, histories: h,
		pending: map[string]cached[State]{}, pendingH: map[string]*pendingHistory{}}, nil
}

// Name implements stage.Stage.
func (*Stage) Name() string { return "detect" }

// StateKey is the key of a conversation's state. Ids may hold characters
// key-value keys do not allow (':'), so the id is base64url-encoded.
func StateKey(tenant, conversationID string) string {
	return tenant + "." + base64.RawURLEncoding.EncodeToString([]byte(conversationID))
}

// CustomerKey is the key of a customer's history.
func CustomerKey(tenant, customerID string) string {
	return tenant + "." + base64.RawURLEncoding.EncodeToString([]byte(customerID))
}

// Process implements stage.Stage.
func (s *Stage) Process(ctx context.Context, items []*stage.Item) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The words of every message are read on all cores while the states
	// the batch lacks are fetched; only folding them in is ordered.
	analyses := make([]Analysis, len(items))
	var panicked stage.Panics
	analyzed := make(chan struct{})
	go func() {
		defer close(analyzed)
		defer panicked.Catch()
		s.Detector.AnalyzeAll(items, analyses)
	}()
	// Even when prefetch panics, the analysis must be done with the items
	// before the runner retries them one by one.
	waited := false
	wait := func() {
		if !waited {
			waited = true
			<-analyzed
		}
	}
	defer wait()
	err := s.prefetch(ctx, items)
	wait()
	panicked.Rethrow()
	if err != nil {
		return err
	}
	for i, it := range items {
		r := it.Record
		tenant := r.Event.TenantOrDefault()
		key := StateKey(tenant, r.Event.ConversationID())
		cur, ok := s.pending[key]
		if !ok {
			base, err := load(ctx, s.States, s.states, key, func() *State { return NewState(tenant, r.Event.ConversationID()) })
			if err != nil {
				return err
			}
			cur = cached[State]{value: base.value.Clone(), revision: base.revision}
		}
		if slices.Contains(cur.value.Applied, r.Event.ID) {
			// A redelivery (a crash before the ack, a replay): its output
			// was written before the state that holds it was committed.
			it.Settled = true
			continue
		}
		var hist *pendingHistory
		if cust := customerOf(r, cur.value); cust != "" && s.Customers != nil {
			hk := CustomerKey(tenant, cust)
			if hist = s.pendingH[hk]; hist == nil {
				base, err := load(ctx, s.Customers, s.histories, hk, func() *History { return &History{} })
				if err != nil {
					return err
				}
				h := *base.value
				h.Contacts = append([]Contact(nil), base.value.Contacts...)
				hist = &pendingHistory{cached: cached[History]{value: &h, revision: base.revision}}
				s.pendingH[hk] = hist
			}
		}
		var h *History
		if hist != nil {
			h = hist.value
		}
		det, changed := s.Detector.ApplyAnalyzed(cur.value, h, r, &analyses[i])
		if changed {
			if hist.changed == nil {
				hist.changed = map[string]Contact{}
			}
			for _, c := range h.Contacts {
				if c.ConversationID == cur.value.ConversationID {
					hist.changed[c.ConversationID] = c
				}
			}
		}
		r.Detected = &det
		s.pending[key] = cur
	}
	return nil
}

// minParallelAnalyses is the batch below which starting goroutines costs
// more than analyzing in line.
const minParallelAnalyses = 32

// AnalyzeAll fills out[i] with Analyze(items[i].Record), spread over the
// cores, or with the analysis a stage ahead left in the item.
func (d *Detector) AnalyzeAll(items []*stage.Item, out []Analysis) {
	todo := make([]int, 0, len(items))
	for i, it := range items {
		if a, ok := it.Prepared.(*Analysis); ok {
			out[i] = *a
			it.Prepared = nil // the detection owns its signals now
		} else {
			todo = append(todo, i)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(todo)/minParallelAnalyses)
	if workers <= 1 {
		for _, i := range todo {
			out[i] = d.Analyze(items[i].Record)
		}
		return
	}
	// Contiguous chunks keep each worker's writes to out apart.
	var (
		wg       sync.WaitGroup
		panicked stage.Panics
	)
	chunk := (len(todo) + workers - 1) / workers
	for lo := 0; lo < len(todo); lo += chunk {
		part := todo[lo:min(lo+chunk, len(todo))]
		wg.Go(func() {
			defer panicked.Catch()
			for _, i := range part {
				out[i] = d.Analyze(items[i].Record)
			}
		})
	}
	wg.Wait()
	panicked.Rethrow()
}

func customerOf(r *event.Record, st *State) string {
	if r.Event.Data.CustomerID != "" {
		return r.Event.Data.CustomerID
	}
	return st.Conv.CustomerID
}

func load[T any](ctx context.Context, store StateStore, cache *lru.Cache[string, cached[T]], key string, fresh func() *T) (cached[T], error) {
	if c, ok := cache.Get(key); ok {
		return c, nil
	}
	c, err := read(ctx, store, key, fresh)
	if err == nil && c.revision > 0 {
		cache.Add(key, c)
	}
	return c, err
}

// read fetches one key from the store: its value and revision, or a fresh
// value at revision 0 when it has none.
func read[T any](ctx context.Context, store StateStore, key string, fresh func() *T) (cached[T], error) {
	data, rev, err := store.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNoState):
		return cached[T]{value: fresh()}, nil
	case err != nil:
		return cached[T]{}, fmt.Errorf("load %s: %w", key, err)
	}
	v := fresh()
	if err := json.Unmarshal(data, v); err != nil {
		return cached[T]{}, fmt.Errorf("decode %s: %w", key, err)
	}
	return cached[T]{value: v, revision: rev}, nil
}

// prefetchParallel bounds the concurrent reads of one batch.
const prefetchParallel = 32

// prefetch reads the states and histories a batch needs and the cache does
// not hold, concurrently: a batch of new conversations would otherwise wait
// for one sequential round trip per key. Absent keys are cached as fresh
// values at revision 0, which is what Process would start from anyway.
func (s *Stage) prefetch(ctx context.Context, items []*stage.Item) error {
	convs := map[string]func() *State{}
	for _, it := range items {
		r := it.Record
		tenant, id := r.Event.TenantOrDefault(), r.Event.ConversationID()
		key := StateKey(tenant, id)
		if _, ok := s.pending[key]; !ok && !s.states.Contains(key) {
			convs[key] = func() *State { return NewState(tenant, id) }
		}
	}
	if err := fetchAll(ctx, s.States, s.states, convs); err != nil {
		return err
	}
	if s.Customers == nil {
		return nil
	}
	custs := map[string]func() *History{}
	for _, it := range items {
		r := it.Record
		tenant := r.Event.TenantOrDefault()
		key := StateKey(tenant, r.Event.ConversationID())
		st := s.pending[key].value
		if st == nil {
			c, ok := s.states.Peek(key)
			if !ok {
				continue // evicted meanwhile: Process reads it
			}
			st = c.value
		}
		if cust := customerOf(r, st); cust != "" {
			hk := CustomerKey(tenant, cust)
			if _, ok := s.pendingH[hk]; !ok && !s.histories.Contains(hk) {
				custs[hk] = func() *History { return &History{} }
			}
		}
	}
	return fetchAll(ctx, s.Customers, s.histories, custs)
}

// fetchAll reads keys concurrently into cache.
func fetchAll[T any](ctx context.Context, store StateStore, cache *lru.Cache[string, cached[T]], keys map[string]func() *T) error {
	if len(keys) == 0 {
		return nil
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		sem      = make(chan struct{}, prefetchParallel)
	)
	for key, fresh := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			c, err := read(ctx, store, key, fresh)
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				return
			}
			cache.Add(key, c)
		}()
	}
	wg.Wait()
	return firstErr
}

// Commit implements stage.Committer: store every conversation the batch
// changed, compare-and-set on the revision it was read at, then the
// customers' histories. A history conflict (another instance recorded
// another contact of the same customer) is merged: re-read, re-apply this
// batch's upserts, retry.
func (s *Stage) Commit(ctx context.Context, _ []*stage.Item) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.pending))
	puts := make([]Put, 0, len(s.pending))
	for key, c := range s.pending {
		data, err := json.Marshal(c.value)
		if err != nil {
			return fmt.Errorf("encode state %s: %w", key, err)
		}
		keys = append(keys, key)
		puts = append(puts, Put{Key: key, Data: data, Revision: c.revision})
	}
	if err := putAll(ctx, s.States, puts); err != nil {
		s.forget()
		return fmt.Errorf("store states: %w", err)
	}
	for i, p := range puts {
		if p.Err != nil {
			// Any conflict redoes the whole batch from the stored state:
			// the others' puts succeeded, and their events are found
			// there as applied when the batch comes back.
			s.forget()
			return fmt.Errorf("store state %s: %w", p.Key, p.Err)
		}
		c := s.pending[keys[i]]
		s.states.Add(keys[i], cached[State]{value: c.value, revision: p.NewRevision})
		delete(s.pending, keys[i])
		if s.OnCommit != nil {
			s.OnCommit(keys[i], c.value)
		}
	}
	if err := s.commitHistories(ctx); err != nil {
		s.forget()
		return err
	}
	return nil
}

// putAll writes puts with one pipelined call when the store can, else one
// by one.
func putAll(ctx context.Context, store StateStore, puts []Put) error {
	if len(puts) == 0 {
		return nil
	}
	if bs, ok := store.(BatchStateStore); ok {
		return bs.PutMany(ctx, puts)
	}
	for i := range puts {
		puts[i].NewRevision, puts[i].Err = store.Put(ctx, puts[i].Key, puts[i].Data, puts[i].Revision)
		if puts[i].Err != nil && !errors.Is(puts[i].Err, ErrConflict) {
			return puts[i].Err
		}
	}
	return nil
}

// commitHistories stores the customers' histories the batch changed, all
// at once; the ones another instance changed meanwhile are merged and
// retried one by one.
func (s *Stage) commitHistories(ctx context.Context) error {
	keys := make([]string, 0, len(s.pendingH))
	puts := make([]Put, 0, len(s.pendingH))
	for key, h := range s.pendingH {
		if len(h.changed) == 0 {
			delete(s.pendingH, key)
			continue
		}
		data, err := json.Marshal(h.value)
		if err != nil {
			return fmt.Errorf("encode history %s: %w", key, err)
		}
		keys = append(keys, key)
		puts = append(puts, Put{Key: key, Data: data, Revision: h.revision})
	}
	if err := putAll(ctx, s.Customers, puts); err != nil {
		return fmt.Errorf("store histories: %w", err)
	}
	for i, p := range puts {
		h := s.pendingH[keys[i]]
		switch {
		case p.Err == nil:
			s.histories.Add(keys[i], cached[History]{value: h.value, revision: p.NewRevision})
		case errors.Is(p.Err, ErrConflict):
			if err := s.commitHistory(ctx, keys[i], h); err != nil {
				return err
			}
		default:
			return fmt.Errorf("store history %s: %w", keys[i], p.Err)
		}
		delete(s.pendingH, keys[i])
	}
	return nil
}

func (s *Stage) commitHistory(ctx context.Context, key string, h *pendingHistory) error {
	if err := s.mergeHistory(ctx, key, h); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		data, err := json.Marshal(h.value)
		if err != nil {
			return fmt.Errorf("encode history %s: %w", key, err)
		}
		rev, err := s.Customers.Put(ctx, key, data, h.revision)
		if err == nil {
			s.histories.Add(key, cached[History]{value: h.value, revision: rev})
			return nil
		}
		if !errors.Is(err, ErrConflict) || attempt >= 5 {
			return fmt.Errorf("store history %s: %w", key, err)
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
		if err := s.mergeHistory(ctx, key, h); err != nil {
			return err
		}
	}
}

// mergeHistory re-reads a customer's history another instance changed and
// re-applies this batch's contacts to it.
func (s *Stage) mergeHistory(ctx context.Context, key string, h *pendingHistory) error {
	s.histories.Remove(key)
	fresh, err := load(ctx, s.Customers, s.histories, key, func() *History { return &History{} })
	if err != nil {
		return err
	}
	merged := &History{Contacts: append([]Contact(nil), fresh.value.Contacts...)}
	for _, c := range h.changed {
		merged.upsert(c)
	}
	h.value, h.revision = merged, fresh.revision
	return nil
}

// Abort implements stage.Committer.
func (s *Stage) Abort(_ []*stage.Item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forget()
}

// forget drops prepared states and their cache entries, so the next attempt
// reads what the stores really hold (another instance may have written).
func (s *Stage) forget() {
	for key := range s.pending {
		s.states.Remove(key)
		delete(s.pending, key)
	}
	for key := range s.pendingH {
		s.histories.Remove(key)
		delete(s.pendingH, key)
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
