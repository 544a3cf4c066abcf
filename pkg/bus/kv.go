package bus

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/detect"
)

// StateStore keeps detector state in a key-value bucket (CX_CONVERSATIONS,
// CX_CUSTOMERS), with compare-and-set on the revision so two detectors can
// never both win.
type StateStore struct {
	KV jetstream.KeyValue
	// JS publishes PutMany's pipelined writes.
	JS jetstream.JetStream
	// Atomic is set when the bucket's stream allows atomic batch publish:
	// PutMany then sends a batch as one commit, stored with one fsync.
	Atomic bool
}

// OpenStateStore binds a detector state bucket.
func OpenStateStore(ctx context.Context, js jetstream.JetStream, bucket string) (*StateStore, error) {
	kv, err := js.KeyValue(ctx, bucket)
	if err != nil {
		return nil, fmt.Errorf("bucket %s (run `vigia migrate` first): %w", bucket, err)
	}
	st := &StateStore{KV: kv, JS: js}
	if info, err := js.Stream(ctx, "KV_"+bucket); err == nil {
		st.Atomic = info.CachedInfo().Config.AllowAtomicPublish
	}
	return st, nil
}

// Get implements detect.StateStore.
func (s *StateStore) Get(ctx context.Context, key string) ([]byte, uint64, error) {
	e, err := s.KV.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, detect.ErrNoState
	}
	if err != nil {
		return nil, 0, fmt.Errorf("kv get: %w", err)
	}
	return e.Value(), e.Revision(), nil
}

// Put implements detect.StateStore.
func (s *StateStore) Put(ctx context.Context, key string, data []byte, rev uint64) (uint64, error) {
	var (
		n   uint64
		err error
	)
	if rev == 0 {
		n, err = s.KV.Create(ctx, key, data)
	} else {
		n, err = s.KV.Update(ctx, key, data, rev)
	}
	if err != nil {
		var apiErr *jetstream.APIError
		if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) ||
			(errors.As(err, &apiErr) && wrongLastSeq(apiErr.ErrorCode)) {
			return 0, fmt.Errorf("%w: %s: %w", detect.ErrConflict, key, err)
		}
		return 0, fmt.Errorf("kv put %s: %w", key, err)
	}
	return n, nil
}

// PutMany implements detect.BatchStateStore. Each put is what KeyValue.Update
// publishes (the key's subject, expected last subject sequence = revision),
// sent asynchronously so the batch costs one round trip, not one per key.
func (s *StateStore) PutMany(ctx context.Context, puts []detect.Put) error {
	if s.Atomic {
		for start := 0; start < len(puts); start += AtomicBatchMax {
			chunk := puts[start:min(start+AtomicBatchMax, len(puts))]
			ok, err := s.putAtomic(ctx, chunk)
			if err != nil {
				return err
			}
			if !ok {
				// The server refused atomic publish (an older server, the
				// flag removed): write this chunk the pipelined way.
				if err := s.putPipelined(ctx, chunk); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return s.putPipelined(ctx, puts)
}

// wrongLastSeq tells a compare-and-set that lost: 10071 from a single
// server, 10164 from replicated streams and atomic batches.
func wrongLastSeq(code jetstream.ErrorCode) bool {
	return code == jetstream.JSErrCodeStreamWrongLastSequence || code == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}

// putAtomic sends puts as one atomic batch: each message carries its
// compare-and-set revision, the last one commits, and the server applies
// all or none, with one fsync for the lot. ok is false when nothing was
// stored and the puts must go the pipelined way: a stale revision somewhere
// in the batch (the server does not say which), or a server without atomic
// publish.
func (s *StateStore) putAtomic(ctx context.Context, puts []detect.Put) (ok bool, err error) {
	prefix := "$KV." + s.KV.Bucket() + "."
	msgs := make([]*nats.Msg, len(puts))
	for i, p := range puts {
		m := nats.NewMsg(prefix + p.Key)
		m.Data = p.Data
		m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(p.Revision, 10))
		msgs[i] = m
	}
	last, err := PublishAtomic(ctx, s.JS.Conn(), msgs)
	var refused *BatchError
	switch {
	case errors.As(err, &refused) && wrongLastSeq(jetstream.ErrorCode(refused.ErrCode)):
		// Nothing was stored. The pipelined path says which keys are
		// stale, and knows how to create over a delete marker.
		return false, nil
	case errors.As(err, &refused) && refused.Code == 400 && strings.Contains(strings.ToLower(refused.Description), "atomic") && !refused.Duplicate():
		s.Atomic = false
		return false, nil
	case err != nil:
		return false, fmt.Errorf("kv batch put of %d keys: %w", len(puts), err)
	}
	first := last - uint64(len(puts)) + 1
	for j := range puts {
		puts[j].NewRevision = first + uint64(j)
	}
	return true, nil
}

// putPipelined publishes every put asynchronously and collects the acks.
func (s *StateStore) putPipelined(ctx context.Context, puts []detect.Put) error {
	prefix := "$KV." + s.KV.Bucket() + "."
	futures := make([]jetstream.PubAckFuture, len(puts))
	for i, p := range puts {
		h := nats.Header{}
		h.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(p.Revision, 10))
		f, err := s.JS.PublishMsgAsync(&nats.Msg{Subject: prefix + p.Key, Header: h, Data: p.Data})
		if err != nil {
			return fmt.Errorf("kv put %s: %w", p.Key, err)
		}
		futures[i] = f
	}
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for i, f := range futures {
		select {
		case ack := <-f.Ok():
			puts[i].NewRevision = ack.Sequence
		case err := <-f.Err():
			var apiErr *jetstream.APIError
			if !errors.As(err, &apiErr) || !wrongLastSeq(apiErr.ErrorCode) {
				return fmt.Errorf("kv put %s: %w", puts[i].Key, err)
			}
			if puts[i].Revision == 0 {
				// Create semantics: a key whose last entry is a delete
				// marker may be created again; Put knows how.
				puts[i].NewRevision, puts[i].Err = s.Put(ctx, puts[i].Key, puts[i].Data, 0)
				if puts[i].Err != nil && !errors.Is(puts[i].Err, detect.ErrConflict) {
					return puts[i].Err
				}
				continue
			}
			puts[i].Err = fmt.Errorf("%w: %s: %w", detect.ErrConflict, puts[i].Key, err)
		case <-timeout.C:
			return fmt.Errorf("kv put: no ack within 10s for %d of %d keys", len(puts)-i, len(puts))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

var _ detect.BatchStateStore = (*StateStore)(nil)
