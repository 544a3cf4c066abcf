package detect

import (
	"math"
	"slices"
	"time"

	"github.com/vigia-cx/vigia/pkg/event"
)

// Config holds the detector's tunables.
type Config struct {
	// EscalateAt is the indifference score (0-100) from which a live
	// conversation is escalated.
	EscalateAt float32
}

// DefaultConfig is what the binaries start with.
var DefaultConfig = Config{EscalateAt: 50}

// Reasons for an escalation and for a conversation's indifference.
const (
	ReasonDeflection          = "deflection"
	ReasonTransferBounce      = "transfer_bounce"
	ReasonUnresolvedEnd       = "unresolved_end"
	ReasonIgnoredEmotion      = "ignored_emotion"
	ReasonScriptedOnly        = "scripted_only"
	ReasonPublicAmplification = "public_amplification"
)

// Score parts: each is capped so that no single kind of evidence can carry a
// conversation to 100 alone.
var partCaps = map[string]float32{
	"deflection":        60,
	"indifference":      40,
	"empathy_gap":       20,
	"transfer_bounce":   30,
	"customer_distress": 20,
	"amplification":     15,
	"unresolved_end":    15,
}

var partReason = map[string]string{
	"deflection":        ReasonDeflection,
	"indifference":      ReasonDeflection,
	"empathy_gap":       ReasonScriptedOnly,
	"transfer_bounce":   ReasonTransferBounce,
	"customer_distress": ReasonIgnoredEmotion,
	"amplification":     ReasonPublicAmplification,
	"unresolved_end":    ReasonUnresolvedEnd,
}

// partOrder fixes the order of parts in every output.
var partOrder = []string{"deflection", "indifference", "empathy_gap", "transfer_bounce", "customer_distress", "amplification", "unresolved_end"}

const (
	appliedMemory  = 256 // event ids remembered per conversation for redelivery dedupe
	evidenceMemory = 8
)

// State is what the detector remembers of a conversation between events. It
// is stored as JSON in the CX_CONVERSATIONS key-value bucket.
type State struct {
	Tenant         string              `json:"tenant"`
	ConversationID string              `json:"conversation_id"`
	Conv           event.Conversation  `json:"conv"`
	Points         map[string]float32  `json:"points,omitempty"`
	PeakEmotion    float32             `json:"peak_emotion"`
	Applied        []string            `json:"applied"`
	Escalated      []string            `json:"escalated,omitempty"`
	Evidence       []event.EvidenceRef `json:"evidence,omitempty"`
}

// NewState starts the state of a conversation.
func NewState(tenant, conversationID string) *State {
	return &State{Tenant: tenant, ConversationID: conversationID, Conv: event.Conversation{CustomerEmotionPeak: "none"}}
}

// Clone returns a deep copy, so a batch can be prepared and thrown away.
func (s *State) Clone() *State {
	c := *s
	c.Conv.Areas = slices.Clone(s.Conv.Areas)
	c.Conv.ScoreParts = slices.Clone(s.Conv.ScoreParts)
	c.Points = make(map[string]float32, len(s.Points))
	for k, v := range s.Points {
		c.Points[k] = v
	}
	c.Applied = slices.Clone(s.Applied)
	c.Escalated = slices.Clone(s.Escalated)
	c.Evidence = slices.Clone(s.Evidence)
	return &c
}

// Detector is the per-utterance rules plus the conversation logic.
type Detector struct {
	Rules  *Rules
	Config Config
}

// Signals returns the utterance-level signals of one record: rules of the
// speaker's side over the stored text. Stateless, so a redelivered event gets
// the same signals.
func (d *Detector) Signals(r *event.Record) []event.Signal {
	if r.Event.Type != event.TypeMessage || r.Enriched == nil || r.Enriched.Text == "" {
		return nil
	}
	speaker := r.Event.Data.Speaker
	if speaker != event.SpeakerAgent && speaker != event.SpeakerCustomer {
		return nil
	}
	return d.Rules.Utterance(r.Enriched.Text, r.Enriched.Lang, speaker)
}

// Apply folds one record into the state and returns the record's detection.
// An event already applied (a redelivery) leaves the state unchanged and
// raises no escalation, but still gets its signals and the current snapshot,
// so rows written again are identical.
func (d *Detector) Apply(st *State, r *event.Record) event.Detection {
	det := event.Detection{Signals: d.Signals(r), Version: d.Rules.Version}
	if slices.Contains(st.Applied, r.Event.ID) {
		det.Conversation = snapshot(st)
		return det
	}
	st.Applied = append(st.Applied, r.Event.ID)
	if len(st.Applied) > appliedMemory {
		st.Applied = st.Applied[len(st.Applied)-appliedMemory:]
	}
	c := &st.Conv
	ev := &r.Event
	c.Events++
	c.Version = uint64(c.Events)
	if c.StartedAt.IsZero() || ev.Time.Before(c.StartedAt) {
		c.StartedAt = ev.Time.UTC().Truncate(time.Millisecond)
	}
	if ev.Time.After(c.LastEventAt) {
		c.LastEventAt = ev.Time.UTC().Truncate(time.Millisecond)
	}
	if r.Enriched != nil {
		if c.Channel == "" {
			c.Channel = r.Enriched.Channel
		}
		if c.Lang == "" && (r.Enriched.Lang == "es" || r.Enriched.Lang == "en") && ev.Type == event.TypeMessage {
			c.Lang = r.Enriched.Lang
		}
	}
	setIf := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	setIf(&c.CustomerID, ev.Data.CustomerID)
	setIf(&c.Queue, ev.Data.Queue)
	noteAgent := func(id string) {
		if id == "" {
			return
		}
		if c.FirstAgentID == "" {
			c.FirstAgentID = id
		}
		c.LastAgentID = id
	}
	switch ev.Type {
	case event.TypeStarted:
		noteAgent(ev.Data.AgentID)
	case event.TypeMessage:
		switch ev.Data.Speaker {
		case event.SpeakerCustomer:
			c.CustomerMessages++
			d.customerFeeling(st, r)
		case event.SpeakerAgent:
			c.AgentMessages++
			noteAgent(ev.Data.AgentID)
		}
	case event.TypeTransfer:
		c.Transfers++
		if n := len(c.Areas); n == 0 || c.Areas[n-1] != ev.Data.ToQueue {
			if n == 0 && ev.Data.FromQueue != "" {
				c.Areas = append(c.Areas, ev.Data.FromQueue)
			}
			c.Areas = append(c.Areas, ev.Data.ToQueue)
		}
		c.Queue = ev.Data.ToQueue
		noteAgent(ev.Data.ToAgentID)
	case event.TypeEnded:
		c.Ended = true
		c.Resolution = ev.Data.Resolution
		if c.Resolution == "" {
			c.Resolution = "unknown"
		}
	}
	if c.Queue == "" && len(c.Areas) > 0 {
		c.Queue = c.Areas[len(c.Areas)-1]
	}
	for _, sg := range det.Signals {
		if st.Points == nil {
			st.Points = map[string]float32{}
		}
		if sg.Polarity == "positive" {
			c.PositiveSignals++
			continue
		}
		if sg.Category == "deflection" {
			c.Deflections++
		}
		st.Points[sg.Category] += sg.Score
		st.Evidence = append(st.Evidence, event.EvidenceRef{EventID: ev.ID, Label: sg.Label, Start: sg.Evidence.Start, End: sg.Evidence.End, Text: sg.Evidence.Text})
		if len(st.Evidence) > evidenceMemory {
			st.Evidence = st.Evidence[len(st.Evidence)-evidenceMemory:]
		}
	}
	c.ScoreParts = scoreParts(st)
	c.IndifferenceScore = total(c.ScoreParts)
	if esc, ok := d.escalation(st, r); ok {
		det.Escalations = append(det.Escalations, esc)
		st.Escalated = append(st.Escalated, esc.Data.Reason)
		c.Escalated = true
	}
	det.Conversation = snapshot(st)
	return det
}

// customerFeeling tracks the strongest negative emotion and the worst
// sentiment the customer has shown.
func (d *Detector) customerFeeling(st *State, r *event.Record) {
	cl := r.Classified
	if cl == nil {
		return
	}
	c := &st.Conv
	if cl.SentimentScore < c.WorstSentiment {
		c.WorstSentiment = cl.SentimentScore
	}
	switch cl.Emotion {
	case "anger", "sadness", "fear", "disgust", "joy", "surprise":
		// Negative emotions outrank joy for the peak: an angry customer who
		// later says thanks was still angry.
		weight := cl.EmotionScore
		if cl.Emotion == "joy" || cl.Emotion == "surprise" {
			weight *= 0.5
		}
		if weight > st.PeakEmotion {
			st.PeakEmotion = weight
			c.CustomerEmotionPeak = cl.Emotion
		}
	}
}

func scoreParts(st *State) []event.ScorePart {
	c := &st.Conv
	raw := map[string]float32{
		"deflection":    st.Points["deflection"],
		"indifference":  st.Points["indifference"],
		"empathy_gap":   st.Points["empathy_gap"],
		"amplification": st.Points["amplification"],
	}
	if c.Transfers > 1 {
		raw["transfer_bounce"] = 10 * float32(c.Transfers-1)
	}
	neglect := raw["deflection"] + raw["indifference"] + raw["empathy_gap"]
	switch c.CustomerEmotionPeak {
	case "anger", "sadness", "fear", "disgust":
		if neglect > 0 {
			raw["customer_distress"] = 20 * st.PeakEmotion
		}
	}
	if c.Ended && c.Resolution == "unresolved" {
		raw["unresolved_end"] = 15
	}
	var parts []event.ScorePart
	for _, name := range partOrder {
		v := min(raw[name], partCaps[name])
		if v > 0 {
			parts = append(parts, event.ScorePart{Name: name, Value: round1(v)})
		}
	}
	return parts
}

func total(parts []event.ScorePart) float32 {
	var t float32
	for _, p := range parts {
		t += p.Value
	}
	return round1(min(t, 100))
}

func round1(f float32) float32 { return float32(math.Round(float64(f)*10) / 10) }

// escalation decides whether this event makes the conversation cross the
// threshold for a reason not escalated before. Only live conversations are
// escalated: once a contact has ended, a supervisor can no longer save it,
// and the conversations table is where analysts find it.
func (d *Detector) escalation(st *State, r *event.Record) (event.Escalation, bool) {
	c := &st.Conv
	if c.Ended || c.IndifferenceScore < d.Config.EscalateAt || len(c.ScoreParts) == 0 {
		return event.Escalation{}, false
	}
	top := c.ScoreParts[0]
	for _, p := range c.ScoreParts[1:] {
		if p.Value > top.Value {
			top = p
		}
	}
	reason := partReason[top.Name]
	if slices.Contains(st.Escalated, reason) {
		return event.Escalation{}, false
	}
	severity := event.SeverityMedium
	switch {
	case c.IndifferenceScore >= 90:
		severity = event.SeverityCritical
	case c.IndifferenceScore >= 70:
		severity = event.SeverityHigh
	}
	if st.Points["amplification"] > 0 && severity != event.SeverityCritical {
		severity = map[string]string{event.SeverityMedium: event.SeverityHigh, event.SeverityHigh: event.SeverityCritical}[severity]
	}
	agent := c.LastAgentID
	if r.Event.Data.AgentID != "" {
		agent = r.Event.Data.AgentID
	}
	return event.Escalation{
		SpecVersion:     "1.0",
		ID:              event.EscalationID(st.Tenant, st.ConversationID, reason),
		Source:          "/vigia/detect",
		Type:            event.TypeEscalation,
		Time:            r.Event.Time.UTC(),
		Subject:         st.ConversationID,
		Tenant:          st.Tenant,
		DataContentType: "application/json",
		Data: event.EscalationData{
			ConversationID: st.ConversationID,
			Severity:       severity,
			Reason:         reason,
			Queue:          c.Queue,
			Channel:        c.Channel,
			CustomerID:     c.CustomerID,
			AgentID:        agent,
			Score:          c.IndifferenceScore,
			ScoreParts:     slices.Clone(c.ScoreParts),
			TriggerEventID: r.Event.ID,
			Evidence:       slices.Clone(st.Evidence),
			RuleVersion:    d.Rules.Version,
		},
	}, true
}

func snapshot(st *State) event.Conversation {
	c := st.Conv
	c.Areas = slices.Clone(st.Conv.Areas)
	c.ScoreParts = slices.Clone(st.Conv.ScoreParts)
	return c
}

// New loads the rules (built-in plus rulesDir) and makes a detector.
func New(rulesDir string, cfg Config) (*Detector, error) {
	rs, err := LoadRules(rulesDir)
	if err != nil {
		return nil, err
	}
	return &Detector{Rules: rs, Config: cfg}, nil
}
