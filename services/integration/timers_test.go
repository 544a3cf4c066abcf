package integration

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/pipeline"
	"github.com/vigia-cx/vigia/pkg/transcript"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// runNode runs an all-in-one pipeline whose sweeper reads clock.
func runNode(t *testing.T, n *natsNode, ch config.ClickHouse, clock *fakeClock) (stop func()) {
	t.Helper()
	conn, _ := openCH(t, ch)
	p := testPipelineConfig()
	p.SweepInterval = 20 * time.Millisecond
	node, err := pipeline.AllInOne(context.Background(), n.js, conn, p, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	node.Sweeper.Now = clock.Now
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- node.Run(ctx) }()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("pipeline: %v", err)
			}
		}
	}
	t.Cleanup(stop)
	return stop
}

// TestReplyDeadlineFiresAfterRestart: a customer writes and nobody answers.
// No further event comes; the pipeline restarts; when the (fake) clock passes
// the chat SLA, the sweeper of the new process fires the deadline and the
// conversation gets its slow_reply reason and no_reply signal.
func TestReplyDeadlineFiresAfterRestart(t *testing.T) {
	conn, ch := freshDatabase(t)
	n := startNATS(t)
	start := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: start}
	c := transcript.Conversation{ID: "conv-wait-1", Lang: "es", Channel: "chat", CustomerID: "cust-w",
		Turns: []transcript.Turn{
			{Role: "customer", TS: start, Text: "Hola, necesito cambiar la dirección de entrega de mi pedido"},
			{Role: "agent", TS: start.Add(time.Minute), Text: "Hola, con gusto, ¿cuál es la nueva dirección?", AgentID: "ag-1"},
			{Role: "customer", TS: start.Add(2 * time.Minute), Text: "Es la misma calle pero otro número, ¿me confirma el cambio?"},
		}}
	evs, err := c.Events()
	if err != nil {
		t.Fatal(err)
	}
	var msgs []*nats.Msg
	for i := range evs {
		msgs = append(msgs, eventMsg(t, "chat", &evs[i]))
	}
	stop := runNode(t, n, ch, clock)
	publish(t, n.js, msgs)
	waitConsumerDone(t, n.js, bus.StreamEvents, pipeline.ConsumerName, time.Minute)
	clock.Set(start.Add(4 * time.Minute)) // within the SLA: nothing may fire
	stop()
	if got := count(t, conn, "SELECT count() FROM signals FINAL WHERE label = 'no_reply'"); got != 0 {
		t.Fatalf("fired before the deadline: %d", got)
	}

	stop = runNode(t, n, ch, clock) // a new process: deadlines come back from the state bucket
	clock.Set(start.Add(8 * time.Minute))
	waitFor(t, time.Minute, "the no_reply signal", func() (bool, string) {
		got := count(t, conn, "SELECT count() FROM signals FINAL WHERE label = 'no_reply' AND conversation_id = 'conv-wait-1'")
		return got == 1, "none yet"
	})
	waitFor(t, time.Minute, "slow_reply on the conversation", func() (bool, string) {
		got := count(t, conn, "SELECT count() FROM conversations FINAL WHERE conversation_id = 'conv-wait-1' AND has(reasons, 'slow_reply')")
		return got == 1, "not yet"
	})
	stop()
	// Events still count 4: a deadline is not an interaction event.
	if got := count(t, conn, "SELECT count() FROM interaction_events FINAL WHERE conversation_id = 'conv-wait-1'"); got != uint64(len(evs)) {
		t.Errorf("interaction_events: %d, want %d", got, len(evs))
	}
	_ = event.TypeTimer
}
