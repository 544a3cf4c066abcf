package bench

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/vigia-cx/vigia/pkg/detect"
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/stage"
)

func TestGeneratorIsDeterministicValidAndSized(t *testing.T) {
	cfg := GenConfig{Seed: 7, Prefix: "t", Concurrency: 50, Base: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	a, err := NewGenerator(cfg).Take(3000)
	if err != nil {
		t.Fatal(err)
	}
	g := NewGenerator(cfg)
	b, err := g.Take(3000)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for i := range a {
		if !bytes.Equal(a[i].Data, b[i].Data) || a[i].Subject != b[i].Subject {
			t.Fatalf("event %d differs between two runs of the same config", i)
		}
		if ids[a[i].ID] {
			t.Fatalf("event %d: duplicate id %s", i, a[i].ID)
		}
		ids[a[i].ID] = true
		if i > 0 && a[i].TimeMs < a[i-1].TimeMs {
			t.Fatalf("event %d: time goes back", i)
		}
		ev, err := event.Decode(a[i].Data)
		if err != nil {
			t.Fatalf("event %d is not a valid v1 event: %v\n%s", i, err, a[i].Data)
		}
		if ev.Time.UnixMilli() != a[i].TimeMs {
			t.Fatalf("event %d: time %s, Msg says %d", i, ev.Time, a[i].TimeMs)
		}
	}
	st := g.Stats()
	if st.Messages == 0 || float64(st.MessagesInRange) < 0.98*float64(st.Messages) {
		t.Errorf("%d of %d message events within [1024, 2048] bytes", st.MessagesInRange, st.Messages)
	}
	if st.ByLang["es"] == 0 || st.ByLang["en"] == 0 || len(st.ByChannel) != 3 {
		t.Errorf("mix: %v %v", st.ByLang, st.ByChannel)
	}
	t.Logf("%d events, %d conversations, mean %d bytes (min %d, max %d), %d/%d messages in range, by channel %v",
		st.Events, st.Conversations, st.Bytes/int64(st.Events), st.MinBytes, st.MaxBytes, st.MessagesInRange, st.Messages, st.ByChannel)
}

// The generated floor must make the pipeline escalate, or the escalation
// latency would measure nothing.
func TestGeneratedConversationsEscalate(t *testing.T) {
	g := NewGenerator(GenConfig{Seed: 1, Prefix: "t", Concurrency: 200})
	msgs, err := g.Take(6000)
	if err != nil {
		t.Fatal(err)
	}
	chain, _, err := Chain()
	if err != nil {
		t.Fatal(err)
	}
	items, err := RunChain(context.Background(), chain, msgs, 500)
	if err != nil {
		t.Fatal(err)
	}
	escalated := map[string]bool{}
	signals := 0
	for i, it := range items {
		if !it.OK() {
			t.Fatalf("event %d failed in %s: %v", i, it.FailedStage, it.Failure)
		}
		signals += len(it.Record.Detected.Signals)
		for _, e := range detect.Escalations([]*stage.Item{it}) {
			escalated[e.Subject] = true
		}
	}
	st := g.Stats()
	t.Logf("%d conversations started, %d with two deflections, %d escalated, %d signals", st.Conversations, st.DoubleDeflecting, len(escalated), signals)
	if len(escalated) == 0 || len(escalated) < st.DoubleDeflecting/3 {
		t.Errorf("%d conversations escalated; want at least a third of the %d that deflect twice", len(escalated), st.DoubleDeflecting)
	}
}

func TestPoolSentencesFitTheSizeRule(t *testing.T) {
	for _, p := range [][]string{customerES, agentES, customerEN, agentEN} {
		for _, s := range p {
			if len(s) > 130 {
				t.Errorf("%d bytes, more than utterance allows for: %q", len(s), s)
			}
		}
	}
}
