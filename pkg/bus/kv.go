package bus

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/detect"
)

// StateStore keeps detector state in a key-value bucket (CX_CONVERSATIONS,
// CX_CUSTOMERS), with compare-and-set on the revision so two detectors can
// never both win.
type StateStore struct{ KV jetstream.KeyValue }

// OpenStateStore binds a detector state bucket.
func OpenStateStore(ctx context.Context, js jetstream.JetStream, bucket string) (*StateStore, error) {
	kv, err := js.KeyValue(ctx, bucket)
	if err != nil {
		return nil, fmt.Errorf("bucket %s (run `vigia migrate` first): %w", bucket, err)
	}
	return &StateStore{KV: kv}, nil
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
		if errors.Is(err, jetstream.ErrKeyExists) || (errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence) {
			return 0, fmt.Errorf("%w: %s: %w", detect.ErrConflict, key, err)
		}
		return 0, fmt.Errorf("kv put %s: %w", key, err)
	}
	return n, nil
}
