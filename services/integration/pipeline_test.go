package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/pipeline"
)

func testPipelineConfig() config.Pipeline {
	return config.Pipeline{BatchSize: 500, BatchWait: 50 * time.Millisecond, AckWait: 30 * time.Second, MaxDeliver: 5,
		Partitions: 8, EscalateAt: 50, StateCache: 100000, ShutdownTimeout: 10 * time.Second}
}

// runAllInOne runs the all-in-one pipeline in this process until the
// returned stop is called.
func runAllInOne(t *testing.T, n *natsNode, ch config.ClickHouse) (stop func()) {
	t.Helper()
	conn, _ := openCH(t, ch)
	r, err := pipeline.AllInOne(context.Background(), n.js, conn, testPipelineConfig(), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("all-in-one: %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// TestTenThousandEventsWithDuplicates: 10,000 events, 1,000 of them
// published twice (half with the same Nats-Msg-Id, half without any, so
// both the stream's and ClickHouse's dedupe are exercised): exactly 10,000
// events stored, every conversation counted once, every phrase sample found
// with its exact span.
func TestTenThousandEventsWithDuplicates(t *testing.T) {
	conn, ch := freshDatabase(t)
	n := startNATS(t)
	msgs, samples := generate(t, 1000, "dup")
	var again []*nats.Msg
	for i := 0; i < 1000; i++ {
		m := msgs[(i*7919)%len(msgs)]
		d := &nats.Msg{Subject: m.Subject, Data: m.Data, Header: nats.Header{}}
		if i%2 == 0 {
			d.Header.Set(jetstream.MsgIDHeader, m.Header.Get(jetstream.MsgIDHeader))
		}
		again = append(again, d)
	}
	stop := runAllInOne(t, n, ch)
	start := time.Now()
	publish(t, n.js, msgs)
	publish(t, n.js, again)
	waitConsumerDone(t, n.js, bus.StreamEvents, pipeline.ConsumerName, 2*time.Minute)
	elapsed := time.Since(start)
	stop()
	t.Logf("11,000 published (10,000 distinct) and processed in %s: %.0f events/s through the all-in-one pipeline",
		elapsed.Round(time.Millisecond), 11000/elapsed.Seconds())

	if got := count(t, conn, "SELECT count() FROM interaction_events FINAL"); got != 10000 {
		t.Errorf("interaction_events FINAL: %d rows, want 10000", got)
	}
	if got := count(t, conn, "SELECT uniqExact(event_id) FROM interaction_events"); got != 10000 {
		t.Errorf("distinct event ids: %d, want 10000", got)
	}
	if got := count(t, conn, "SELECT count() FROM conversations FINAL"); got != 1000 {
		t.Errorf("conversations: %d, want 1000", got)
	}
	if got := count(t, conn, "SELECT count() FROM conversations FINAL WHERE events != 10"); got != 0 {
		t.Errorf("%d conversations counted a redelivered event twice", got)
	}
	type key struct {
		id    uuid.UUID
		label string
	}
	rows, err := conn.Query(context.Background(), "SELECT event_id, label, evidence_start, evidence_end, evidence_text FROM signals FINAL")
	if err != nil {
		t.Fatal(err)
	}
	found := map[key][3]any{}
	for rows.Next() {
		var (
			id         uuid.UUID
			label, txt string
			s, e       uint32
		)
		if err := rows.Scan(&id, &label, &s, &e, &txt); err != nil {
			t.Fatal(err)
		}
		found[key{id, label}] = [3]any{int(s), int(e), txt}
	}
	rows.Close()
	if len(samples) < 300 {
		t.Fatalf("only %d phrase samples generated", len(samples))
	}
	for _, s := range samples {
		got, ok := found[key{uuid.MustParse(s.EventID), s.Label}]
		if !ok {
			t.Errorf("no %s signal for %q (event %s)", s.Label, s.Phrase, s.EventID)
			continue
		}
		if want := [3]any{s.Start, s.End, s.Phrase}; got != want {
			t.Errorf("%q: stored span %v, want %v", s.Phrase, got, want)
		}
	}
	t.Logf("%d phrase samples, all with their exact span", len(samples))
}

// TestMalformedEventsAreDeadLettered: 20 bad events among 1,000 end up on
// the dead-letter subject with a reason; the other 980 are stored.
func TestMalformedEventsAreDeadLettered(t *testing.T) {
	conn, ch := freshDatabase(t)
	n := startNATS(t)
	good, _ := generate(t, 98, "mal") // 980 events
	bad := malformed()
	if len(bad) != 20 {
		t.Fatalf("%d malformed samples, want 20", len(bad))
	}
	var all []*nats.Msg
	for i, m := range good {
		all = append(all, m)
		if i%49 == 0 && len(bad) > 0 {
			all, bad = append(all, bad[0]), bad[1:]
		}
	}
	all = append(all, bad...)
	stop := runAllInOne(t, n, ch)
	publish(t, n.js, all)
	waitConsumerDone(t, n.js, bus.StreamEvents, pipeline.ConsumerName, time.Minute)
	stop()
	if got := count(t, conn, "SELECT count() FROM interaction_events FINAL"); got != 980 {
		t.Errorf("stored %d events, want 980", got)
	}
	dlq, err := n.js.Stream(context.Background(), bus.StreamDLQ)
	if err != nil {
		t.Fatal(err)
	}
	info, err := dlq.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 20 {
		t.Fatalf("dead letters: %d, want 20", info.State.Msgs)
	}
	for seq := uint64(1); seq <= info.State.LastSeq; seq++ {
		m, err := dlq.GetMsg(context.Background(), seq)
		if err != nil {
			t.Fatal(err)
		}
		reason := m.Header.Get(bus.HeaderDLQReason)
		if reason == "" || m.Header.Get(bus.HeaderDLQStage) == "" || m.Header.Get(bus.HeaderOrigSubject) == "" {
			t.Errorf("dead letter %d lacks reason headers: %v", seq, m.Header)
		}
		if testing.Verbose() {
			t.Logf("dead letter %d: %s", seq, reason)
		}
	}
}

// malformed returns 20 events that must be refused, each for another reason.
func malformed() []*nats.Msg {
	const ok = `{"specversion":"1.0","id":"%s","source":"/channels/chat/test","type":"%s","time":"%s","subject":"%s","data":%s}`
	id := func(i int) string { return fmt.Sprintf("019a4a2e-7c00-7abc-8def-%012d", i) }
	msg := `{"channel":"chat","speaker":"agent","text":"hola"}`
	ts := "2026-11-03T10:00:00Z"
	bodies := []string{
		`{"specversion":"1.0",`,
		`not json at all`,
		``,
		`[]`,
		fmt.Sprintf(ok, "not-a-uuid", "cx.message.v1", ts, "c1", msg),
		fmt.Sprintf(ok, "019a4a2e-7c00-4abc-8def-000000000001", "cx.message.v1", ts, "c1", msg),
		fmt.Sprintf(ok, id(3), "cx.message.v7", ts, "c1", msg),
		fmt.Sprintf(ok, id(4), "cx.message.v1", "last tuesday", "c1", msg),
		fmt.Sprintf(ok, id(5), "cx.message.v1", ts, "", msg),
		fmt.Sprintf(ok, id(6), "cx.message.v1", ts, "c 1 with spaces", msg),
		fmt.Sprintf(ok, id(7), "cx.message.v1", ts, "c1", `{"channel":"fax","speaker":"agent","text":"hola"}`),
		fmt.Sprintf(ok, id(8), "cx.message.v1", ts, "c1", `{"channel":"chat","speaker":"robot","text":"hola"}`),
		fmt.Sprintf(ok, id(9), "cx.message.v1", ts, "c1", `{"channel":"chat","speaker":"agent"}`),
		fmt.Sprintf(ok, id(10), "cx.message.v1", ts, "c1", `{"channel":"chat","speaker":"agent","text":""}`),
		fmt.Sprintf(ok, id(11), "cx.survey.response.v1", ts, "c1", `{"kind":"nps","score":11}`),
		fmt.Sprintf(ok, id(12), "cx.transfer.v1", ts, "c1", `{"from_queue":"a"}`),
		fmt.Sprintf(ok, id(13), "cx.message.v1", ts, "c1", `{"channel":"chat","speaker":"agent","text":"hola","mood":"bad"}`),
		fmt.Sprintf(ok, id(14), "cx.message.v1", ts, "c1", "{\"channel\":\"chat\",\"speaker\":\"agent\",\"text\":\"\xff\xfe\"}"),
		fmt.Sprintf(ok, id(15), "cx.message.v1", ts, "c1", `{"channel":"chat","speaker":"agent","text":"`+string(make([]byte, 0))+repeat("a", 70000)+`"}`),
		`{"id":"` + id(16) + `","type":"cx.message.v1"}`,
	}
	out := make([]*nats.Msg, len(bodies))
	for i, b := range bodies {
		out[i] = &nats.Msg{Subject: "cx.events.chat.message", Data: []byte(b)}
	}
	return out
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for i := 0; i < n; i++ {
		b = append(b, s...)
	}
	return string(b)
}
