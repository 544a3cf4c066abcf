package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/vigia-cx/vigia/pkg/detect"
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/text"
	"github.com/vigia-cx/vigia/pkg/transcript"
)

// phraseSample is an agent message that carries one of the promised
// deflection phrases at a known place.
type phraseSample struct {
	EventID string
	Label   string
	Phrase  string
	Start   int
	End     int
}

var customerLines = map[string][]string{
	"es": {"Hola, me cobraron dos veces la factura de este mes", "Llevo una semana esperando el pedido y nadie me responde",
		"No me funciona el internet desde ayer, estoy muy molesta", "Quiero cancelar el servicio, es la tercera vez que llamo",
		"¿Me pueden decir cuándo llega el técnico?", "Gracias, quedo atento"},
	"en": {"Hi, I was charged twice on this month's bill", "My order is a week late and nobody answers",
		"The internet has been down since yesterday, I'm really annoyed", "I want to cancel, this is the third time I call",
		"Can you tell me when the technician comes?", "Thanks, I'll wait"},
}

var agentLines = map[string][]string{
	"es": {"Buenos días, con gusto le ayudo", "Déjeme revisar su cuenta un momento", "Ya le generé el caso con número de seguimiento",
		"Yo me encargo personalmente y le llamo mañana a las 10", "¿Hay algo más en lo que le pueda ayudar?"},
	"en": {"Good morning, happy to help", "Let me check your account for a moment", "I've opened a case with a tracking number",
		"I'll take care of this myself and call you tomorrow at 10", "Is there anything else I can help with?"},
}

// second is the repeated deflection of escalating conversations.
var second = map[string]string{"es": "son políticas de la compañía", "en": "it's company policy"}

var carriers = map[string]string{"es": "Mire, %s, lo siento mucho.", "en": "Look, %s, I'm sorry about that."}

// generate makes nConv conversations of exactly 10 events each (started, 8
// turns, ended); every third one has an agent message carrying a phrase.
// Ids are deterministic (transcript.DeterministicUUIDv7).
func generate(t *testing.T, nConv int, prefix string) ([]*nats.Msg, []phraseSample) {
	t.Helper()
	var (
		msgs    []*nats.Msg
		samples []phraseSample
	)
	base := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	channels := []string{"call", "chat", "email"}
	for i := 0; i < nConv; i++ {
		lang := []string{"es", "en"}[i%2]
		c := transcript.Conversation{
			ID: fmt.Sprintf("%s-%05d", prefix, i), Lang: lang, Channel: channels[i%3],
			CustomerID: fmt.Sprintf("cust-%04d", i%700), Queue: []string{"billing", "soporte", "ventas"}[i%3],
			Resolution: []string{"resolved", "unresolved"}[i%2],
		}
		at := base.Add(time.Duration(i) * 7 * time.Second)
		var phrase *struct{ Lang, Phrase, Label string }
		if i%3 == 0 {
			var same []int
			for k, p := range detect.CorePhrases {
				if p.Lang == lang {
					same = append(same, k)
				}
			}
			phrase = &detect.CorePhrases[same[(i/3)%len(same)]]
		}
		for k := 0; k < 8; k++ {
			turn := transcript.Turn{TS: at.Add(time.Duration(k*20) * time.Second)}
			if k%2 == 0 {
				turn.Role, turn.Text = "customer", customerLines[lang][(i+k)%len(customerLines[lang])]
			} else {
				turn.Role, turn.AgentID = "agent", fmt.Sprintf("ag-%03d", 100+i%30)
				turn.Text = agentLines[lang][(i+k)%len(agentLines[lang])]
				if phrase != nil && k == 3 {
					turn.Text = fmt.Sprintf(carriers[lang], phrase.Phrase)
				}
				// Every sixth conversation deflects twice, which crosses the
				// escalation threshold.
				if phrase != nil && i%6 == 0 && k == 5 {
					turn.Text = fmt.Sprintf(carriers[lang], second[lang])
				}
			}
			c.Turns = append(c.Turns, turn)
		}
		evs, err := c.Events()
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 10 {
			t.Fatalf("conversation %s: %d events, want 10", c.ID, len(evs))
		}
		for j := range evs {
			ev := &evs[j]
			msgs = append(msgs, eventMsg(t, c.Channel, ev))
			if phrase != nil && ev.Type == event.TypeMessage && strings.Contains(ev.Data.Text, phrase.Phrase) && ev.Data.Speaker == "agent" {
				stored := text.Normalize(ev.Data.Text)
				start := text.RuneLen(stored[:strings.Index(stored, phrase.Phrase)])
				samples = append(samples, phraseSample{EventID: ev.ID, Label: phrase.Label, Phrase: phrase.Phrase,
					Start: start, End: start + text.RuneLen(phrase.Phrase)})
			}
		}
	}
	return msgs, samples
}
