// Package bus owns vigia's use of NATS: connecting, the embedded server of
// the all-in-one binary and the tests, and the streams, consumers and
// key-value bucket described in schemas/asyncapi.yaml.
package bus

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Stream and bucket names (schemas/asyncapi.yaml).
const (
	StreamEvents        = "CX_EVENTS"
	StreamPipeline      = "CX_PIPELINE"
	StreamEscalations   = "CX_ESCALATIONS"
	StreamDLQ           = "CX_DLQ"
	BucketConversations = "CX_CONVERSATIONS"
	BucketCustomers     = "CX_CUSTOMERS"
)

// Subjects.
const (
	SubjectEvents      = "cx.events.>"
	SubjectTimers      = "cx.timers.>"
	SubjectEscalations = "cx.escalation.>"
	SubjectDLQPrefix   = "cx.dlq."
)

// Headers of dead letters.
const (
	HeaderDLQReason   = "Vigia-Dlq-Reason"
	HeaderDLQStage    = "Vigia-Dlq-Stage"
	HeaderOrigSubject = "Vigia-Original-Subject"
	HeaderOrigStream  = "Vigia-Original-Stream"
	HeaderOrigSeq     = "Vigia-Original-Seq"
	HeaderDeliveries  = "Vigia-Deliveries"
	// HeaderReplayOf marks a message `vigia dlq replay` put back: the
	// sequence of the dead letter it came from.
	HeaderReplayOf = "Vigia-Replay-Of"
)

// StageSubject is where a pipeline stage publishes a record in
// separate-services mode: cx.<stage>.<partition>.
func StageSubject(stage string, partition int) string {
	return "cx." + stage + "." + strconv.Itoa(partition)
}

// Partition maps a conversation to one of n partitions, so that all events
// of a conversation travel on one subject and stay in order.
func Partition(tenant, conversationID string, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(tenant))
	h.Write([]byte{0})
	h.Write([]byte(conversationID))
	return int(h.Sum32() % uint32(n))
}

// Connect dials NATS with reconnects forever (a restarted server must not
// kill the services) and logs connection changes. A server that refuses
// the credentials is an error at once, not an endless silent retry: bad
// configuration must fail the start, an absent server must not.
func Connect(url, name string, log *slog.Logger, opts ...nats.Option) (*nats.Conn, error) {
	var lastErr atomic.Value // string: log a failing reconnect once per cause
	base := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.RetryOnFailedConnect(true),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil && lastErr.Swap(err.Error()) != err.Error() {
				log.Warn("nats reconnect failed; retrying", "err", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) {
			lastErr.Store("")
			log.Info("nats reconnected", "url", c.ConnectedUrlRedacted())
		}),
	}
	nc, err := nats.Connect(url, append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("connect to nats: %w", err)
	}
	// nats.go gives up on a server after repeated authorization errors and
	// closes the connection; see whether that happens on the first try.
	deadline := time.Now().Add(3 * time.Second)
	for nc.Status() == nats.RECONNECTING || nc.Status() == nats.CONNECTING {
		if e := nc.LastError(); e != nil && isAuthError(e) {
			nc.Close()
			return nil, fmt.Errorf("connect to nats %s: %w", redactURL(url), e)
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if nc.IsClosed() {
		return nil, fmt.Errorf("connect to nats %s: %w", redactURL(url), nc.LastError())
	}
	return nc, nil
}

func isAuthError(err error) bool {
	return errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) ||
		errors.Is(err, nats.ErrAuthRevoked) || errors.Is(err, nats.ErrPermissionViolation)
}

// redactURL drops user information from a NATS URL for error messages.
func redactURL(u string) string {
	if i := strings.Index(u, "@"); i >= 0 {
		if j := strings.Index(u, "://"); j >= 0 && j < i {
			return u[:j+3] + "[redacted]" + u[i:]
		}
		return "[redacted]" + u[i:]
	}
	return u
}

// Topology sizes the streams; zero values take the defaults.
type Topology struct {
	Replicas       int
	EventsMaxAge   time.Duration
	PipelineMaxAge time.Duration
	StateTTL       time.Duration
	Storage        jetstream.StorageType
}

func (t Topology) withDefaults() Topology {
	if t.Replicas == 0 {
		t.Replicas = 1
	}
	if t.EventsMaxAge == 0 {
		t.EventsMaxAge = 7 * 24 * time.Hour
	}
	if t.PipelineMaxAge == 0 {
		t.PipelineMaxAge = 24 * time.Hour
	}
	if t.StateTTL == 0 {
		t.StateTTL = 30 * 24 * time.Hour
	}
	return t
}

// EnsureTopology creates or updates the streams and the state bucket. It is
// run by `vigia migrate` and by the all-in-one binary, never by each service.
func EnsureTopology(ctx context.Context, js jetstream.JetStream, t Topology) error {
	t = t.withDefaults()
	for _, sc := range Streams(t) {
		if _, err := js.CreateOrUpdateStream(ctx, sc); err != nil {
			return fmt.Errorf("stream %s: %w", sc.Name, err)
		}
	}
	for _, b := range Buckets(t) {
		if _, err := js.CreateOrUpdateKeyValue(ctx, b); err != nil {
			return fmt.Errorf("bucket %s: %w", b.Bucket, err)
		}
		if err := allowAtomicPublish(ctx, js, "KV_"+b.Bucket); err != nil {
			return fmt.Errorf("bucket %s: %w", b.Bucket, err)
		}
	}
	return nil
}

// allowAtomicPublish lets a bucket take a batch of writes as one atomic
// publish, which the server stores with one fsync instead of one per key
// (StateStore.PutMany). Servers before 2.12 ignore the flag; PutMany then
// falls back to pipelined single writes.
func allowAtomicPublish(ctx context.Context, js jetstream.JetStream, stream string) error {
	st, err := js.Stream(ctx, stream)
	if err != nil {
		return err
	}
	cfg := st.CachedInfo().Config
	if cfg.AllowAtomicPublish {
		return nil
	}
	cfg.AllowAtomicPublish = true
	_, err = js.UpdateStream(ctx, cfg)
	return err
}

// Streams are the stream definitions of schemas/asyncapi.yaml.
func Streams(t Topology) []jetstream.StreamConfig {
	t = t.withDefaults()
	streams := []jetstream.StreamConfig{
		{Name: StreamEvents, Subjects: []string{SubjectEvents, SubjectTimers}, MaxAge: t.EventsMaxAge, Duplicates: 10 * time.Minute,
			Description: "interaction events from channel systems, and due conversation deadlines"},
		// Atomic: each stage publishes a batch of records as one commit,
		// stored with one fsync (runner.RecordSink).
		{Name: StreamPipeline, Subjects: []string{"cx.enriched.>", "cx.classified.>", "cx.detected.>"}, MaxAge: t.PipelineMaxAge,
			Duplicates: 10 * time.Minute, AllowAtomicPublish: true, Description: "records between stages (separate-services mode)"},
		{Name: StreamEscalations, Subjects: []string{SubjectEscalations}, MaxAge: 30 * 24 * time.Hour, Duplicates: 24 * time.Hour,
			Description: "escalations for alerting consumers"},
		{Name: StreamDLQ, Subjects: []string{SubjectDLQPrefix + ">"}, MaxAge: 30 * 24 * time.Hour, Duplicates: 10 * time.Minute,
			Description: "dead letters with reason headers"},
	}
	for i := range streams {
		streams[i].Replicas = t.Replicas
		streams[i].Storage = t.Storage
		streams[i].Retention = jetstream.LimitsPolicy
	}
	return streams
}

// Buckets are the key-value buckets of the detect stage.
func Buckets(t Topology) []jetstream.KeyValueConfig {
	t = t.withDefaults()
	buckets := []jetstream.KeyValueConfig{
		{Bucket: BucketConversations, Description: "detect stage: conversation state", TTL: t.StateTTL},
		{Bucket: BucketCustomers, Description: "detect stage: each customer's recent contacts", TTL: t.StateTTL},
	}
	for i := range buckets {
		buckets[i].History, buckets[i].Replicas, buckets[i].Storage = 1, t.Replicas, t.Storage
	}
	return buckets
}

// RequireStream fails with a clear message when the topology was not created.
func RequireStream(ctx context.Context, js jetstream.JetStream, name string) error {
	if _, err := js.Stream(ctx, name); err != nil {
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("stream %s does not exist: run `vigia migrate` first: %w", name, err)
		}
		return fmt.Errorf("stream %s: %w", name, err)
	}
	return nil
}
