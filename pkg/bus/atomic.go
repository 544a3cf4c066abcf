package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// AtomicBatchMax is the server's default limit on messages per atomic batch.
const AtomicBatchMax = 1000

// Headers of atomic batch publish (ADR-50, nats-server 2.12+).
const (
	headerBatchID     = "Nats-Batch-Id"
	headerBatchSeq    = "Nats-Batch-Sequence"
	headerBatchCommit = "Nats-Batch-Commit"
)

// Error codes of a refused atomic batch that PublishAtomic's callers tell
// apart.
const (
	errCodeBatchDuplicate = 10201 // a message id already stored or twice in the batch
	errCodeBatchDisabled  = 10174 // the stream does not allow atomic publish
)

// BatchError is the server's refusal of a whole atomic batch: nothing of it
// was stored.
type BatchError struct {
	Code        int
	ErrCode     uint16
	Description string
}

func (e *BatchError) Error() string {
	return fmt.Sprintf("atomic batch refused: %s (%d)", e.Description, e.ErrCode)
}

// Duplicate reports a batch refused for a message id the stream already
// holds: most often a redelivered batch republishing what it stored before.
// Published one by one, the stream's duplicate window absorbs those.
func (e *BatchError) Duplicate() bool { return e.ErrCode == errCodeBatchDuplicate }

// Disabled reports a stream that does not take atomic batches.
func (e *BatchError) Disabled() bool { return e.ErrCode == errCodeBatchDisabled }

// PublishAtomic publishes msgs (1 to AtomicBatchMax, all on one stream that
// allows atomic publish) as one batch: the server stores all of them or
// none, with one fsync for the lot where a stream that fsyncs every write
// would do one per message. It returns the stream sequence of the last
// message; the batch is stored contiguously before it. A *BatchError means
// nothing was stored. The batch headers it sets are removed before it
// returns, so a caller can publish the same messages another way.
func PublishAtomic(ctx context.Context, nc *nats.Conn, msgs []*nats.Msg) (lastSeq uint64, err error) {
	if len(msgs) == 0 || len(msgs) > AtomicBatchMax {
		return 0, fmt.Errorf("atomic batch of %d messages: want 1 to %d", len(msgs), AtomicBatchMax)
	}
	defer func() {
		for _, m := range msgs {
			m.Header.Del(headerBatchID)
			m.Header.Del(headerBatchSeq)
			m.Header.Del(headerBatchCommit)
		}
	}()
	id := uuid.NewString()
	for i, m := range msgs {
		if m.Header == nil {
			m.Header = nats.Header{}
		}
		m.Header.Set(headerBatchID, id)
		m.Header.Set(headerBatchSeq, strconv.Itoa(i+1))
		if i < len(msgs)-1 {
			if err := nc.PublishMsg(m); err != nil {
				return 0, fmt.Errorf("atomic batch: publish %s: %w", m.Subject, err)
			}
		}
	}
	last := msgs[len(msgs)-1]
	last.Header.Set(headerBatchCommit, "1")
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	resp, err := nc.RequestMsgWithContext(rctx, last)
	cancel()
	if err != nil {
		return 0, fmt.Errorf("atomic batch commit of %d messages: %w", len(msgs), err)
	}
	var ack struct {
		Seq   uint64 `json:"seq"`
		Count int    `json:"count"`
		Error *struct {
			Code        int    `json:"code"`
			ErrCode     uint16 `json:"err_code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if err := json.Unmarshal(resp.Data, &ack); err != nil {
		return 0, fmt.Errorf("atomic batch commit: bad reply %q: %w", resp.Data, err)
	}
	if ack.Error != nil {
		return 0, &BatchError{Code: ack.Error.Code, ErrCode: ack.Error.ErrCode, Description: ack.Error.Description}
	}
	if ack.Count != len(msgs) {
		return 0, fmt.Errorf("atomic batch commit: the server stored %d of %d messages", ack.Count, len(msgs))
	}
	return ack.Seq, nil
}

// AtomicPublishAllowed says whether stream takes atomic batches (vigia
// migrate sets it on the streams written in batches; servers before 2.12
// do not know the setting).
func AtomicPublishAllowed(ctx context.Context, js jetstream.JetStream, stream string) (bool, error) {
	st, err := js.Stream(ctx, stream)
	if err != nil {
		return false, fmt.Errorf("stream %s: %w", stream, err)
	}
	return st.CachedInfo().Config.AllowAtomicPublish, nil
}
