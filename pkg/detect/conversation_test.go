package detect

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/text"
)

// convo drives a detector over one conversation with records built by hand:
// the clock is the events' own timestamps, so time-based rules are tested
// without waiting.
type convo struct {
	t    *testing.T
	d    *Detector
	st   *State
	hist *History
	at   time.Time
	n    int
	esc  []event.Escalation
	sigs []event.Signal
	last event.Detection
}

func newConvo(t *testing.T, channel string) *convo {
	t.Helper()
	d, err := New("", DefaultConfig)
	if err != nil {
		t.Fatal(err)
	}
	c := &convo{t: t, d: d, st: NewState("default", "c-"+t.Name()), hist: &History{}, at: time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)}
	c.apply(event.TypeStarted, event.Data{Channel: channel, CustomerID: "cust-1", Queue: "billing"}, nil, 0)
	return c
}

func (c *convo) apply(typ string, d event.Data, cl *event.Classification, after time.Duration) event.Detection {
	c.at = c.at.Add(after)
	c.n++
	r := &event.Record{Event: event.Event{ID: fmt.Sprintf("e-%d", c.n), Type: typ, Time: c.at, Subject: c.st.ConversationID, Source: "/channels/chat/test", Data: d}}
	if d.Text != "" {
		lang, _ := text.DetectLang(d.Text, text.Tokenize(d.Text))
		r.Enriched = &event.Enrichment{Tenant: "default", Channel: c.st.Conv.Channel, Text: d.Text, Lang: lang}
	} else {
		r.Enriched = &event.Enrichment{Tenant: "default", Channel: d.Channel}
	}
	r.Classified = cl
	det, _ := c.d.Apply(c.st, c.hist, r)
	c.esc = append(c.esc, det.Escalations...)
	c.sigs = append(c.sigs, det.Signals...)
	c.last = det
	return det
}

func (c *convo) customer(s string, after time.Duration, cl *event.Classification) event.Detection {
	return c.apply(event.TypeMessage, event.Data{Speaker: "customer", Text: s, CustomerID: "cust-1"}, cl, after)
}

func (c *convo) agent(s string, after time.Duration) event.Detection {
	return c.apply(event.TypeMessage, event.Data{Speaker: "agent", Text: s, AgentID: "ag-1"}, nil, after)
}

func (c *convo) timer(after time.Duration) event.Detection {
	return c.apply(event.TypeTimer, event.Data{Reason: c.st.DueKind}, nil, after)
}

func (c *convo) reasons() []string { return c.st.Conv.Reasons }

func (c *convo) has(label string) bool {
	return slices.ContainsFunc(c.sigs, func(s event.Signal) bool { return s.Label == label })
}

var angry = &event.Classification{Emotion: "anger", EmotionScore: 0.8, Sentiment: "negative", SentimentScore: -0.7}

func TestDeflectionEscalatesOncePerReasonAndRedeliveryIsIdempotent(t *testing.T) {
	c := newConvo(t, "chat")
	c.customer("Me cobraron dos veces la factura, quiero que me lo devuelvan", time.Second, angry)
	c.agent("Eso lo maneja otra área, señora.", 30*time.Second)
	c.customer("¿Y no me puede ayudar usted?", 20*time.Second, nil)
	det := c.agent("Son políticas de la compañía, el sistema no lo permite.", 20*time.Second)
	if len(c.esc) != 1 || c.esc[0].Data.Reason != ReasonDeflection {
		t.Fatalf("want one deflection escalation, got %+v", c.esc)
	}
	raw, _ := json.Marshal(c.esc[0])
	if err := event.ValidateEscalation(raw); err != nil {
		t.Fatalf("escalation does not match its schema: %v\n%s", err, raw)
	}
	before := c.st.Conv
	// The same event again (a redelivery): same signals, state unchanged.
	c.n--
	c.at = c.at.Add(-20 * time.Second)
	again := c.agent("Son políticas de la compañía, el sistema no lo permite.", 20*time.Second)
	if len(again.Escalations) != 0 || c.st.Conv.Deflections != before.Deflections || c.st.Conv.Events != before.Events {
		t.Fatalf("redelivery changed state: %+v vs %+v", c.st.Conv, before)
	}
	// Utterance signals come again; conversation-level ones were written
	// with the first delivery, before the state that remembers them.
	if ruleSignals(again.Signals) != ruleSignals(det.Signals) || ruleSignals(det.Signals) == 0 {
		t.Fatalf("redelivery lost its utterance signals: %d vs %d", ruleSignals(again.Signals), ruleSignals(det.Signals))
	}
	if !slices.Contains(c.reasons(), ReasonDeflection) || !c.st.Conv.Indifferent {
		t.Fatalf("reasons %v", c.reasons())
	}
}

func TestCustomerWordsAreNotTheAgents(t *testing.T) {
	c := newConvo(t, "chat")
	c.customer("La vez pasada me dijeron que eso lo maneja otra área y que el sistema no lo permite", time.Second, nil)
	c.agent("Yo me encargo personalmente, ya le generé el caso.", time.Minute)
	if c.st.Conv.Deflections != 0 || c.st.Conv.Indifferent {
		t.Fatalf("customer text counted against the agent: %+v", c.st.Conv)
	}
	if !c.st.Conv.PositiveMoment {
		t.Fatal("ownership is a positive moment")
	}
}

func TestSlowReplyAgainstChannelSLA(t *testing.T) {
	c := newConvo(t, "chat")
	c.customer("Hola, necesito ayuda con mi pedido que no llega", time.Second, nil)
	c.agent("Hola, reviso enseguida.", 4*time.Minute)
	if slices.Contains(c.reasons(), ReasonSlowReply) {
		t.Fatal("4 minutes is within the chat SLA")
	}
	c.customer("¿Hay novedades con el pedido? sigo esperando", time.Minute, nil)
	c.agent("Sí, ya salió a reparto.", 12*time.Minute)
	if !slices.Contains(c.reasons(), ReasonSlowReply) || c.st.Conv.MaxReplySeconds != 720 {
		t.Fatalf("12 minutes breaks the chat SLA: reasons %v, max %d", c.reasons(), c.st.Conv.MaxReplySeconds)
	}
	e := newConvo(t, "email")
	e.customer("Good morning, my invoice shows a charge I do not recognise", time.Second, nil)
	e.agent("Thanks for writing, I've corrected the invoice.", 20*time.Hour)
	if slices.Contains(e.reasons(), ReasonSlowReply) {
		t.Fatal("20 hours is within the email SLA")
	}
}

func TestReplyTimerFiresWithoutFurtherEvents(t *testing.T) {
	c := newConvo(t, "chat")
	c.customer("Hola, llevo rato esperando, alguien me atiende?", time.Second, nil)
	if c.st.DueKind != TimerReply || !c.st.Due.Equal(c.at.Add(5*time.Minute)) {
		t.Fatalf("deadline %s %s, want reply SLA at +5m", c.st.DueKind, c.st.Due)
	}
	if det := c.timer(3 * time.Minute); len(det.Signals) != 0 {
		t.Fatalf("a timer before the deadline must do nothing: %+v", det.Signals)
	}
	c.timer(3 * time.Minute) // now 6 minutes without reply
	if !c.has("no_reply") || !slices.Contains(c.reasons(), ReasonSlowReply) {
		t.Fatalf("no reply within SLA not detected: %v", c.reasons())
	}
	if c.st.DueKind != TimerAbandon {
		t.Fatalf("after the reply deadline the next one is abandonment, got %q", c.st.DueKind)
	}
	c.timer(31 * time.Minute)
	if !c.has("abandoned") || !c.st.Conv.Ended || c.st.Conv.Resolution != "unresolved" {
		t.Fatalf("abandonment: %+v", c.st.Conv)
	}
	if c.st.Conv.Events != 2 {
		t.Fatalf("timers are not events: %d", c.st.Conv.Events)
	}
}

func TestClosingThanksNeedsNoReply(t *testing.T) {
	c := newConvo(t, "chat")
	c.customer("Mi pedido llegó roto, necesito un cambio", time.Second, nil)
	c.agent("Disculpe, ya le envié uno nuevo, llega mañana.", time.Minute)
	c.customer("Mil gracias!", 30*time.Second, &event.Classification{Emotion: "joy", EmotionScore: 0.6, Sentiment: "positive", SentimentScore: 0.6})
	c.apply(event.TypeEnded, event.Data{}, nil, time.Minute)
	if c.has("no_reply") || c.st.Conv.Resolution != "resolved" || c.st.Conv.Indifferent {
		t.Fatalf("a thanked, fixed contact: %+v reasons %v", c.st.Conv, c.reasons())
	}
}

func TestIgnoredEmotionAndAcknowledgement(t *testing.T) {
	c := newConvo(t, "call")
	c.customer("ESTOY HARTA, es la tercera vez que llamo y nadie me soluciona nada", time.Second, angry)
	c.agent("Deme su número de cuenta.", 10*time.Second)
	c.customer("Ya se lo di", 5*time.Second, nil)
	c.agent("Un momento.", 10*time.Second)
	if !slices.Contains(c.reasons(), ReasonIgnoredEmotion) {
		t.Fatalf("anger never acknowledged in two agent turns: %v", c.reasons())
	}
	if !c.st.Conv.RepeatContact {
		t.Fatal("'es la tercera vez que llamo' is a repeat contact")
	}
	a := newConvo(t, "call")
	a.customer("ESTOY HARTA, nadie me soluciona nada", time.Second, angry)
	a.agent("Lamento mucho lo que ha pasado, tiene toda la razón; ya mismo le gestiono el cambio.", 10*time.Second)
	a.agent("Listo, quedó hecho.", 10*time.Second)
	if slices.Contains(a.reasons(), ReasonIgnoredEmotion) {
		t.Fatalf("an acknowledged emotion is not ignored: %v", a.reasons())
	}
}

func TestScriptedEmpathyWithoutAction(t *testing.T) {
	c := newConvo(t, "chat")
	c.customer("My package never arrived and I'm upset", time.Second, nil)
	c.agent("I understand your frustration.", time.Minute)
	c.customer("So what will you do?", time.Minute, nil)
	c.agent("We apologize for any inconvenience caused.", time.Minute)
	if !slices.Contains(c.reasons(), ReasonScriptedOnly) {
		t.Fatalf("empathy twice and no action is scripted: %v", c.reasons())
	}
	a := newConvo(t, "chat")
	a.customer("My package never arrived and I'm upset", time.Second, nil)
	a.agent("I understand your frustration.", time.Minute)
	a.agent("I'll take care of this myself and email you by Friday with the tracking number.", time.Minute)
	a.apply(event.TypeEnded, event.Data{Resolution: "resolved"}, nil, time.Minute)
	if slices.Contains(a.reasons(), ReasonScriptedOnly) {
		t.Fatalf("empathy followed by action is care: %v", a.reasons())
	}
}

func TestTransferBounce(t *testing.T) {
	c := newConvo(t, "call")
	c.customer("Quiero dar de baja la línea", time.Second, nil)
	c.apply(event.TypeMessage, event.Data{Speaker: "system", Text: "Llamada transferida a Retención"}, nil, time.Minute)
	if slices.Contains(c.reasons(), ReasonTransferBounce) {
		t.Fatal("one transfer is not a bounce")
	}
	c.apply(event.TypeTransfer, event.Data{FromQueue: "retencion", ToQueue: "facturacion"}, nil, time.Minute)
	if !slices.Contains(c.reasons(), ReasonTransferBounce) {
		t.Fatal("two transfers are")
	}
	c.apply(event.TypeMessage, event.Data{Speaker: "system", Text: "Call transferred to Billing"}, nil, time.Minute)
	if !slices.Contains(c.reasons(), ReasonTransferBounce) || c.st.Conv.Transfers != 3 {
		t.Fatalf("three transfers bounce: %+v", c.st.Conv)
	}
	if got := c.st.Conv.Areas; !slices.Equal(got, []string{"billing", "retencion", "facturacion", "billing"}) {
		t.Fatalf("areas %v", got)
	}
}

func TestRepeatContactAndEmotionalLoadFromHistory(t *testing.T) {
	c := newConvo(t, "chat")
	prev := c.at.Add(-48 * time.Hour)
	c.hist.Contacts = []Contact{
		{ConversationID: "old-1", StartedAt: prev, Ended: true, Resolved: false, Score: 80, EmotionPeak: "anger"},
		{ConversationID: "old-2", StartedAt: prev.Add(-20 * 24 * time.Hour), Ended: true, Resolved: true, Score: 10},
	}
	c.st.HistoryDone = false
	c.customer("Hola, sigo sin servicio de internet", time.Second, nil)
	if !c.st.Conv.RepeatContact || !slices.Contains(c.reasons(), ReasonRepeatContact) {
		t.Fatalf("a contact 2 days after an unresolved one is a repeat: %+v", c.st.Conv)
	}
	if c.st.Conv.EmotionalLoad < 50 || len(c.st.LoadParts) == 0 || c.st.LoadParts[0].Name != "old-1" {
		t.Fatalf("the last bad contact weighs most: load %.1f parts %+v", c.st.Conv.EmotionalLoad, c.st.LoadParts)
	}
	if !slices.ContainsFunc(c.hist.Contacts, func(x Contact) bool { return x.ConversationID == c.st.ConversationID }) {
		t.Fatal("this contact is recorded in the history")
	}
}

func TestTurnaroundIsAPositiveMoment(t *testing.T) {
	c := newConvo(t, "chat")
	c.customer("This is ridiculous, I'm furious", time.Second, angry)
	c.agent("I'm so sorry, I've already issued the refund.", time.Minute)
	c.customer("Thank you so much, you've been amazing", time.Minute, &event.Classification{Emotion: "joy", EmotionScore: 0.7, Sentiment: "positive", SentimentScore: 0.8})
	if !c.has("turnaround") || !c.st.Conv.PositiveMoment {
		t.Fatalf("an angry customer turned grateful: %+v", c.sigs)
	}
}

func TestPublicThreatRaisesPriority(t *testing.T) {
	c := newConvo(t, "chat")
	c.customer("If this isn't fixed today I'll post this on Twitter", time.Second, nil)
	c.agent("That's handled by another department.", time.Minute)
	if len(c.esc) != 1 {
		t.Fatalf("one deflection plus a public threat escalates: score %.1f, %+v", c.st.Conv.IndifferenceScore, c.esc)
	}
	if c.esc[0].Data.Severity != event.SeverityHigh && c.esc[0].Data.Severity != event.SeverityCritical {
		t.Fatalf("public exposure raises severity: %s", c.esc[0].Data.Severity)
	}
}

func ruleSignals(sigs []event.Signal) int {
	n := 0
	for _, s := range sigs {
		if len(s.RuleID) < 13 || s.RuleID[:13] != "conversation/" {
			n++
		}
	}
	return n
}
