// Package bench measures vigia against the raw systems it is built on: a
// realistic event generator, an open-loop publisher, the raw JetStream →
// ClickHouse mover that is the pipeline's ceiling, visibility and latency
// probes, per-process CPU and memory from /proc, and the statistics. The
// `vigia bench` command (services/vigia/bench_*.go) orchestrates the runs;
// the per-stage Go benchmarks reuse the generator.
package bench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/vigia-cx/vigia/pkg/detect"
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/transcript"
)

// GenConfig configures the event generator. The same config always yields
// the same events, byte for byte.
type GenConfig struct {
	Seed int64
	// Prefix starts every conversation id, so runs never share ids.
	Prefix string
	Tenant string
	// Concurrency is how many conversations are open at once; their events
	// interleave, as on a real contact-center floor, so a batch of the
	// pipeline touches many conversations (default 1000).
	Concurrency int
	// Base is the event time of the first event.
	Base time.Time
	// EventsPerSecond spaces the event times: event i happens at
	// Base + i/EventsPerSecond, truncated to the millisecond ClickHouse
	// stores (default 8000). With an open-loop publisher at the same rate,
	// an event's time is its scheduled publish time.
	EventsPerSecond float64
	// MinBytes and MaxBytes bound the encoded size of message events
	// (default 1024 and 2048). Lifecycle events (started, ended, transfer,
	// survey) are smaller, as they are in production.
	MinBytes, MaxBytes int
}

func (c GenConfig) withDefaults() GenConfig {
	if c.Concurrency <= 0 {
		c.Concurrency = 1000
	}
	if c.EventsPerSecond <= 0 {
		c.EventsPerSecond = 8000
	}
	if c.MinBytes <= 0 {
		c.MinBytes = 1024
	}
	if c.MaxBytes < c.MinBytes {
		c.MaxBytes = max(2048, c.MinBytes)
	}
	if c.Prefix == "" {
		c.Prefix = "bench"
	}
	if c.Base.IsZero() {
		c.Base = time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	}
	// Event times are stored to the millisecond; finer digits would only
	// make the JSON longer than what is published.
	c.Base = c.Base.Truncate(time.Millisecond)
	return c
}

// Msg is one generated event, encoded, with what a publisher needs.
type Msg struct {
	Subject string
	ID      string
	Data    []byte
	// TimeMs is the event time in Unix milliseconds, as stored in
	// interaction_events.event_time_ms: the probe groups rows by it.
	TimeMs int64
	Type   string
	// Index is the event's position in the generated order.
	Index int
}

// GenStats describes what was generated.
type GenStats struct {
	Events        int   `json:"events"`
	Conversations int   `json:"conversations"`
	Messages      int   `json:"messages"`
	Bytes         int64 `json:"bytes"`
	MinBytes      int   `json:"min_bytes"`
	MaxBytes      int   `json:"max_bytes"`
	// MessagesInRange counts message events within [MinBytes, MaxBytes].
	MessagesInRange int `json:"messages_in_range"`
	// Deflecting and DoubleDeflecting count conversations with one, and
	// with two, deflection phrases; the second kind is meant to escalate.
	Deflecting       int            `json:"deflecting"`
	DoubleDeflecting int            `json:"double_deflecting"`
	ByChannel        map[string]int `json:"by_channel"`
	ByLang           map[string]int `json:"by_lang"`
}

// Generator yields events of interleaved conversations in publish order.
type Generator struct {
	cfg   GenConfig
	rng   *rand.Rand
	slots []*openConv
	next  int // conversations started
	index int // events emitted
	stats GenStats
}

type openConv struct {
	id      string
	channel string
	events  []event.Event
	pos     int
}

// NewGenerator makes a generator.
func NewGenerator(cfg GenConfig) *Generator {
	cfg = cfg.withDefaults()
	g := &Generator{cfg: cfg, rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x76696769615f6265)),
		stats: GenStats{ByChannel: map[string]int{}, ByLang: map[string]int{}, MinBytes: 1 << 30}}
	g.slots = make([]*openConv, cfg.Concurrency)
	return g
}

// Stats returns what was generated so far.
func (g *Generator) Stats() GenStats { return g.stats }

// Next returns the next event.
func (g *Generator) Next() (Msg, error) {
	k := g.rng.IntN(len(g.slots))
	c := g.slots[k]
	if c == nil || c.pos >= len(c.events) {
		var err error
		if c, err = g.start(); err != nil {
			return Msg{}, err
		}
		g.slots[k] = c
	}
	ev := c.events[c.pos]
	i := g.index
	ms := g.cfg.Base.UnixMilli() + int64(float64(i)*1000/g.cfg.EventsPerSecond)
	ev.Time = time.UnixMilli(ms).UTC()
	// The id keeps its deterministic recipe, with the time actually used.
	ev.ID = transcript.DeterministicUUIDv7(c.id, c.pos, ev.Time)
	c.pos++
	data, err := json.Marshal(&ev)
	if err != nil {
		return Msg{}, fmt.Errorf("encode event: %w", err)
	}
	g.index++
	g.account(&ev, len(data))
	return Msg{Subject: transcript.Subject(c.channel, &ev), ID: ev.ID, Data: data, TimeMs: ms, Type: ev.Type, Index: i}, nil
}

// Take returns the next n events.
func (g *Generator) Take(n int) ([]Msg, error) {
	out := make([]Msg, 0, n)
	for range n {
		m, err := g.Next()
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func (g *Generator) account(ev *event.Event, size int) {
	s := &g.stats
	s.Events++
	s.Bytes += int64(size)
	s.MinBytes, s.MaxBytes = min(s.MinBytes, size), max(s.MaxBytes, size)
	if ev.Type == event.TypeMessage {
		s.Messages++
		if size >= g.cfg.MinBytes && size <= g.cfg.MaxBytes {
			s.MessagesInRange++
		}
	}
}

// Conversation returns the n-th conversation the generator would start,
// whole, for benchmarks that replay one conversation in order. It does not
// advance the generator.
func (g *Generator) Conversation(n int) (transcript.Conversation, error) {
	sub := NewGenerator(g.cfg)
	return sub.conversation(n)
}

func (g *Generator) start() (*openConv, error) {
	n := g.next
	g.next++
	c, err := g.conversation(n)
	if err != nil {
		return nil, err
	}
	evs, err := c.Events()
	if err != nil {
		return nil, fmt.Errorf("generated conversation %s: %w", c.ID, err)
	}
	g.stats.Conversations++
	g.stats.ByChannel[c.Channel]++
	g.stats.ByLang[langOf(c.ID)]++
	return &openConv{id: c.ID, channel: c.Channel, events: evs}, nil
}

var (
	channels = []string{"call", "chat", "email"}
	queues   = map[string][]string{
		"es": {"facturacion", "soporte", "ventas", "retencion", "soporte_tecnico"},
		"en": {"billing", "support", "sales", "retention", "tech_support"},
	}
	transferLines = map[string][]string{
		"es": {"Llamada transferida a Soporte Técnico", "Chat derivado a Facturación", "Caso escalado a Retención"},
		"en": {"Call transferred to Billing", "Chat transferred to Tech Support", "Case escalated to Retention"},
	}
	// second is the repeated deflection that, with a first one, carries a
	// conversation over the escalation threshold.
	second   = map[string]string{"es": "son políticas de la compañía", "en": "it's company policy"}
	carriers = map[string][]string{
		"es": {"Mire, %s, lo siento mucho.", "Le explico: %s y no hay más que hacer.", "Pues %s, de verdad."},
		"en": {"Look, %s, I'm sorry about that.", "Well, %s and that's all there is to it.", "Honestly, %s."},
	}
)

// langOf recovers the language the conversation id encodes.
func langOf(id string) string {
	if strings.Contains(id, "-es-") {
		return "es"
	}
	return "en"
}

// conversation builds the n-th conversation deterministically from the
// seed and n alone, so Conversation(n) and the stream agree.
func (g *Generator) conversation(n int) (transcript.Conversation, error) {
	rng := rand.New(rand.NewPCG(uint64(g.cfg.Seed)^0x9e3779b97f4a7c15, uint64(n)))
	lang := []string{"es", "en"}[n%2]
	ch := channels[(n/2)%3]
	c := transcript.Conversation{
		ID:         fmt.Sprintf("%s-%s-%07d", g.cfg.Prefix, lang, n),
		Channel:    ch,
		Tenant:     g.cfg.Tenant,
		CustomerID: fmt.Sprintf("cust-%06d", rng.IntN(max(50, n/3+1))),
		Queue:      queues[lang][rng.IntN(len(queues[lang]))],
		Source:     "/channels/" + ch + "/bench",
		Resolution: []string{"resolved", "resolved", "unresolved"}[rng.IntN(3)],
	}
	// Half the channel systems declare the language, half leave it to the
	// enrich stage's detection, which costs more.
	if rng.IntN(2) == 0 {
		c.Lang = lang
	}
	agent := fmt.Sprintf("ag-%03d", 100+rng.IntN(200))
	turns := 8 + rng.IntN(7)
	var phrase string
	if n%3 == 0 {
		var same []string
		for _, p := range detect.CorePhrases {
			if p.Lang == lang {
				same = append(same, p.Phrase)
			}
		}
		phrase = same[(n/3)%len(same)]
		g.stats.Deflecting++
		if n%6 == 0 {
			g.stats.DoubleDeflecting++
		}
	}
	at := g.cfg.Base
	agentTurn := 0
	var injects []string // per turn, "" for none
	for k := 0; k < turns; k++ {
		at = at.Add(time.Duration(5+rng.IntN(40)) * time.Second)
		if k == turns/2 && rng.IntN(10) == 0 {
			lines := transferLines[lang]
			c.Turns = append(c.Turns, transcript.Turn{Role: "system", TS: at, Text: lines[rng.IntN(len(lines))]})
			injects = append(injects, "")
			agent = fmt.Sprintf("ag-%03d", 100+rng.IntN(200))
			continue
		}
		t := transcript.Turn{TS: at, Text: "-"}
		inject := ""
		if k%2 == 0 {
			t.Role = "customer"
		} else {
			t.Role, t.AgentID = "agent", agent
			agentTurn++
			if phrase != "" && agentTurn == 2 {
				inject = pick(rng, carriers[lang], phrase)
			}
			if phrase != "" && n%6 == 0 && agentTurn == 3 {
				inject = pick(rng, carriers[lang], second[lang])
			}
		}
		c.Turns = append(c.Turns, t)
		injects = append(injects, inject)
	}
	// The texts are sized against what each event's JSON adds to them, so
	// every message event lands in [MinBytes, MaxBytes].
	evs, err := c.Events()
	if err != nil {
		return c, fmt.Errorf("generated conversation %s: %w", c.ID, err)
	}
	msgEvents := evs[:0:0]
	for _, ev := range evs {
		if ev.Type == event.TypeMessage {
			msgEvents = append(msgEvents, ev)
		}
	}
	m := 0
	for k := range c.Turns {
		t := &c.Turns[k]
		if t.Role == "system" {
			continue
		}
		ev := msgEvents[m]
		m++
		// Times are re-stamped at emission, with milliseconds that JSON
		// writes in 0 to 4 bytes (".123", trailing zeros trimmed): the
		// template takes the longest, the lower bound allows the shortest.
		ev.Time = ev.Time.Truncate(time.Second).Add(123 * time.Millisecond)
		ev.Data.Text = "-"
		raw, err := json.Marshal(&ev)
		if err != nil {
			return c, fmt.Errorf("generated conversation %s: %w", c.ID, err)
		}
		overhead := len(raw) - 1
		t.Text = g.utterance(rng, lang, t.Role, injects[k], g.cfg.MinBytes-overhead+4, g.cfg.MaxBytes-overhead)
	}
	if rng.IntN(4) == 0 {
		c.Survey = &transcript.Survey{Kind: []string{"csat", "nps"}[rng.IntN(2)], Score: 1 + rng.IntN(5),
			Comment: pool(lang, "customer")[rng.IntN(len(pool(lang, "customer")))]}
	}
	return c, nil
}

func pick(rng *rand.Rand, carriers []string, phrase string) string {
	return fmt.Sprintf(carriers[rng.IntN(len(carriers))], phrase)
}

// utterance builds a message of sentences from the role's pool with a
// length in [lo, hi] bytes; inject, if set, is put at a random sentence
// boundary.
func (g *Generator) utterance(rng *rand.Rand, lang, role, inject string, lo, hi int) string {
	const longest = 130 // no pool sentence is longer: the last one added still fits
	target := lo
	if hi-longest > lo {
		target = lo + rng.IntN(hi-longest-lo+1)
	}
	lines := pool(lang, role)
	var parts []string
	size := -1
	if inject != "" {
		size += len(inject) + 1
	}
	for size < target {
		s := lines[rng.IntN(len(lines))]
		parts = append(parts, s)
		size += len(s) + 1
	}
	if inject != "" {
		at := rng.IntN(len(parts) + 1)
		parts = append(parts[:at], append([]string{inject}, parts[at:]...)...)
	}
	return strings.Join(parts, " ")
}

func pool(lang, role string) []string {
	switch {
	case lang == "es" && role == "customer":
		return customerES
	case lang == "es":
		return agentES
	case role == "customer":
		return customerEN
	default:
		return agentEN
	}
}

// The pools are written like real transcripts: fillers, typos of speech,
// emotion, numbers, products. None contains a deflection phrase; those are
// injected where the generator wants them, so escalations are predictable.
var customerES = []string{
	"Hola, buenas tardes, les escribo porque me cobraron dos veces la factura de este mes.",
	"Llevo una semana esperando el pedido y nadie me da una respuesta clara.",
	"No me funciona el internet desde ayer en la noche, y trabajo desde la casa.",
	"Estoy muy molesta, es la tercera vez que llamo por lo mismo.",
	"¿Me pueden decir cuándo llega el técnico? Me dijeron que el martes y no vino nadie.",
	"El número de pedido es 4471-2290, lo compré el quince de octubre.",
	"La verdad ya no sé qué más hacer, me siento ignorado por ustedes.",
	"Me llegó el producto roto, la caja estaba abierta y faltaba el cargador.",
	"Quiero cancelar el servicio, ya no me interesa seguir pagando por algo que no funciona.",
	"Pagué con tarjeta y el banco me muestra el cargo dos veces, uno de 89.900 y otro igual.",
	"Eh, bueno, o sea, lo que pasa es que la aplicación se cierra cada vez que intento entrar.",
	"Necesito la factura a nombre de mi empresa para poder pasarla a contabilidad.",
	"Me prometieron una llamada de vuelta y nunca me llamaron, estoy cansada de esperar.",
	"Gracias por la ayuda, quedo atento a la confirmación por correo.",
	"Mi mamá es adulta mayor y no puede estar sin teléfono tantos días.",
	"¿Por qué me subieron la tarifa sin avisarme? En el contrato decía otro valor.",
	"Ya reinicié el módem como tres veces y sigue parpadeando la luz roja.",
	"Tengo miedo de que me corten el servicio por una deuda que no es mía.",
	"El envío dice entregado pero yo no recibí nada, estuve en la casa todo el día.",
	"Perfecto, muchas gracias, muy amable, me resolvió el problema.",
	"Me parece una falta de respeto que me tengan tanto tiempo en espera.",
	"Quisiera saber si puedo cambiar el plan a uno más barato sin pagar multa.",
	"La señal en mi barrio es pésima desde que pusieron la antena nueva.",
	"Le mandé las fotos del daño al correo que me dieron, ¿las recibieron?",
	"No entiendo por qué el reembolso tarda tanto, ya pasaron quince días hábiles.",
	"Estoy preocupado porque el pago no aparece y mañana vence la cuota.",
}

var agentES = []string{
	"Buenos días, con gusto le ayudo, ¿me confirma su número de documento por favor?",
	"Déjeme revisar su cuenta un momento, no se retire.",
	"Ya le generé el caso con número de seguimiento 88-5521, le llegará por correo.",
	"Yo me encargo personalmente y le llamo mañana a las diez para confirmarle.",
	"¿Hay algo más en lo que le pueda ayudar el día de hoy?",
	"Veo en el sistema que el pedido salió de la bodega el jueves.",
	"Le confirmo que el cobro duplicado ya aparece marcado para devolución.",
	"Entiendo su molestia y le pido disculpas por el tiempo de espera.",
	"Voy a programar la visita del técnico para el viernes en la mañana.",
	"Su plan actual incluye cincuenta gigas de navegación y minutos ilimitados.",
	"Le envío ahora mismo el enlace para descargar la factura electrónica.",
	"Permítame verificar con el área de logística el estado de la guía.",
	"Listo, ya quedó actualizada su dirección de entrega.",
	"El reembolso se refleja entre cinco y diez días hábiles según su banco.",
	"Le recomiendo desconectar el módem treinta segundos y volverlo a conectar.",
	"Muchas gracias por su paciencia, ya casi terminamos.",
	"Le dejo registrada la solicitud de cambio de plan sin penalidad.",
	"Aquí veo que usted nos llamó el lunes por el mismo tema, disculpe la demora.",
	"Le acabo de enviar un correo con el resumen de lo que hablamos.",
	"Claro que sí, la garantía cubre el cambio del equipo sin costo.",
	"Vamos a hacer una prueba de línea desde aquí, deme un minuto.",
	"Su saldo pendiente es de cuarenta y cinco mil pesos con fecha límite el treinta.",
}

var customerEN = []string{
	"Hi, good afternoon, I'm writing because I was charged twice on this month's bill.",
	"My order is a week late and nobody gives me a straight answer.",
	"The internet has been down since last night and I work from home.",
	"I'm really annoyed, this is the third time I call about the same thing.",
	"Can you tell me when the technician is coming? They said Tuesday and nobody showed up.",
	"The order number is 4471-2290, I bought it on October fifteenth.",
	"Honestly I don't know what else to do, I feel completely ignored.",
	"The product arrived broken, the box was open and the charger was missing.",
	"I want to cancel the service, I'm not paying for something that doesn't work.",
	"I paid by card and my bank shows the charge twice, two times 89.90.",
	"Um, so, like, the app closes every single time I try to log in.",
	"I need the invoice in my company's name so accounting can process it.",
	"They promised to call me back and never did, I'm tired of waiting.",
	"Thanks for the help, I'll watch my email for the confirmation.",
	"My mother is elderly and she can't be without a phone for this many days.",
	"Why did my rate go up without any notice? The contract said something else.",
	"I've already restarted the modem three times and the red light keeps blinking.",
	"I'm scared they'll cut my service over a debt that isn't mine.",
	"Tracking says delivered but I got nothing, I was home all day.",
	"Perfect, thank you so much, that solved it.",
	"It's really disrespectful to keep me on hold this long.",
	"Can I switch to a cheaper plan without paying the early termination fee?",
	"Reception in my neighborhood has been terrible since they put up the new tower.",
	"I sent the photos of the damage to the email you gave me, did you get them?",
	"I don't understand why the refund takes so long, it's been fifteen business days.",
	"I'm worried because the payment doesn't show up and the installment is due tomorrow.",
}

var agentEN = []string{
	"Good morning, happy to help, can you confirm the account holder's name please?",
	"Let me check your account for a moment, please stay on the line.",
	"I've opened a case with tracking number 88-5521, you'll get it by email.",
	"I'll take care of this myself and call you tomorrow at 10 to confirm.",
	"Is there anything else I can help you with today?",
	"I can see the order left the warehouse on Thursday.",
	"I can confirm the duplicate charge is already flagged for a refund.",
	"I understand this is frustrating and I apologize for the wait.",
	"I'm going to schedule the technician for Friday morning.",
	"Your current plan includes fifty gigabytes of data and unlimited minutes.",
	"I'm sending you the link to download the invoice right now.",
	"Let me check with logistics on the status of the shipment.",
	"Done, your delivery address is updated.",
	"The refund shows up in five to ten business days depending on your bank.",
	"I'd suggest unplugging the modem for thirty seconds and plugging it back in.",
	"Thank you for your patience, we're almost done.",
	"I've logged the plan change request with no penalty.",
	"I can see you called us on Monday about the same issue, sorry for the delay.",
	"I just sent you an email with a summary of what we discussed.",
	"Of course, the warranty covers replacing the device at no cost.",
	"We're going to run a line test from here, give me one minute.",
	"Your outstanding balance is forty-five dollars, due on the thirtieth.",
}
