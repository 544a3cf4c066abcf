package detect

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/text"
)

// Config holds the detector's tunables.
type Config struct {
	// EscalateAt is the indifference score (0-100) from which a live
	// conversation is escalated.
	EscalateAt float32
	// SLA is the longest acceptable wait for an agent reply, by channel.
	SLA map[string]time.Duration
	// AbandonAfter is the silence after which an open contact is abandoned.
	AbandonAfter map[string]time.Duration
	// RepeatWindow is how far back an earlier contact about the same intent
	// makes this one a repeat; RepeatWindowAnyIntent applies when the intent
	// of either contact is unknown.
	RepeatWindow          time.Duration
	RepeatWindowAnyIntent time.Duration
}

// DefaultConfig is what the binaries start with.
var DefaultConfig = Config{
	EscalateAt: 50,
	SLA: map[string]time.Duration{"call": 2 * time.Minute, "chat": 5 * time.Minute, "email": 24 * time.Hour,
		// Public social channels answer in public, asynchronously.
		"social": time.Hour},
	AbandonAfter:          map[string]time.Duration{"call": 15 * time.Minute, "chat": 30 * time.Minute, "email": 7 * 24 * time.Hour},
	RepeatWindow:          7 * 24 * time.Hour,
	RepeatWindowAnyIntent: 72 * time.Hour,
}

// slaOf is the reply SLA of a conversation: its channel's, or the social
// one when it came from a public social channel.
func (c Config) slaOf(conv *event.Conversation) time.Duration {
	if conv.PublicChannel {
		if d, ok := c.SLA["social"]; ok {
			return d
		}
	}
	return c.sla(conv.Channel)
}

func (c Config) sla(channel string) time.Duration {
	if d, ok := c.SLA[channel]; ok {
		return d
	}
	return c.SLA["chat"]
}

func (c Config) abandonAfter(channel string) time.Duration {
	if d, ok := c.AbandonAfter[channel]; ok {
		return d
	}
	return c.AbandonAfter["chat"]
}

// Reasons for a conversation's indifference (stable names).
const (
	ReasonDeflection     = "deflection"
	ReasonTransferBounce = "transfer_bounce"
	ReasonRepeatContact  = "repeat_contact"
	ReasonSlowReply      = "slow_reply"
	ReasonUnresolvedEnd  = "unresolved_end"
	ReasonIgnoredEmotion = "ignored_emotion"
	ReasonScriptedOnly   = "scripted_only"
	// ReasonPublicAmplification escalates a public-posting threat; it is a
	// priority, not a kind of indifference.
	ReasonPublicAmplification = "public_amplification"
)

// agentReasons are the reasons that say the agent or the process did not
// care; an unresolved end or a repeat contact alone may be bad luck.
var agentReasons = map[string]bool{ReasonDeflection: true, ReasonTransferBounce: true, ReasonSlowReply: true,
	ReasonIgnoredEmotion: true, ReasonScriptedOnly: true}

// Score parts, each capped so that no single kind of evidence can carry a
// conversation to 100 alone, in the order they are reported.
var partCaps = [...]struct {
	name   string
	cap    float32
	reason string
}{
	{"deflection", 60, ReasonDeflection},
	{"indifference", 40, ReasonDeflection},
	{"empathy_gap", 20, ReasonScriptedOnly},
	{"ignored_emotion", 20, ReasonIgnoredEmotion},
	{"transfer_bounce", 30, ReasonTransferBounce},
	{"slow_reply", 20, ReasonSlowReply},
	{"repeat_information", 10, ReasonTransferBounce},
	{"repeat_contact", 10, ReasonRepeatContact},
	{"customer_distress", 20, ReasonIgnoredEmotion},
	{"amplification", 15, ReasonPublicAmplification},
	{"unresolved_end", 15, ReasonUnresolvedEnd},
}

const (
	appliedMemory   = 256 // event ids remembered per conversation for redelivery dedupe
	evidenceMemory  = 8
	strongEmotion   = 0.45 // classifier emotion score from which a customer's emotion needs an answer
	ignoredAfter    = 2    // agent turns without acknowledgement that make an emotion ignored
	historyContacts = 10   // contacts kept per customer
)

// Kinds of timer a conversation can be waiting for.
const (
	TimerReply   = "reply_sla"
	TimerAbandon = "abandon"
)

// TypeTimer is the type of the internal record a deadline produces.
const TypeTimer = event.TypeTimer

// State is what the detector remembers of a conversation between events,
// stored as JSON in the CX_CONVERSATIONS bucket.
type State struct {
	Tenant         string              `json:"tenant"`
	ConversationID string              `json:"conversation_id"`
	Conv           event.Conversation  `json:"conv"`
	Points         map[string]float32  `json:"points,omitempty"`
	Counts         map[string]int      `json:"counts,omitempty"`
	PeakEmotion    float32             `json:"peak_emotion"`
	Applied        []string            `json:"applied"`
	Escalated      []string            `json:"escalated,omitempty"`
	Evidence       []event.EvidenceRef `json:"evidence,omitempty"`
	// PendingSince is the time of the oldest customer message no agent has
	// answered yet; PendingEvent its event.
	PendingSince time.Time `json:"pending_since,omitempty"`
	PendingEvent string    `json:"pending_event,omitempty"`
	// PendingNeedsReply is false when everything the customer said since
	// the last agent turn was a thanks or a short sign-off.
	PendingNeedsReply bool `json:"pending_needs_reply,omitempty"`
	// EmotionOpen is a strong customer emotion the agent has not answered;
	// EmotionTurns counts agent turns since.
	EmotionOpen  bool   `json:"emotion_open,omitempty"`
	EmotionEvent string `json:"emotion_event,omitempty"`
	EmotionTurns int    `json:"emotion_turns,omitempty"`
	// CustomerWords are the content words of recent customer messages, to
	// notice a customer having to say the same thing again.
	CustomerWords [][]string `json:"customer_words,omitempty"`
	// LastSpeaker and LastCustomerSentiment feed resolution inference.
	LastSpeaker       string            `json:"last_speaker,omitempty"`
	LastCustomerScore float32           `json:"last_customer_score"`
	LastCustomerThank bool              `json:"last_customer_thank,omitempty"`
	LastAgentDeflect  bool              `json:"last_agent_deflect,omitempty"`
	HistoryDone       bool              `json:"history_done,omitempty"`
	LoadParts         []event.ScorePart `json:"load_parts,omitempty"`
	// Due is the next deadline (reply SLA or abandonment) and its kind;
	// the sweeper fires a timer record when it passes.
	Due     time.Time `json:"due,omitempty"`
	DueKind string    `json:"due_kind,omitempty"`
}

// NewState starts the state of a conversation.
func NewState(tenant, conversationID string) *State {
	return &State{Tenant: tenant, ConversationID: conversationID, Conv: event.Conversation{CustomerEmotionPeak: "none"}}
}

// Clone returns a deep copy, so a batch can be prepared and thrown away.
func (s *State) Clone() *State {
	c := *s
	c.Conv = snapshot(s)
	c.Points = cloneMap(s.Points)
	c.Counts = cloneMap(s.Counts)
	c.Applied = slices.Clone(s.Applied)
	c.Escalated = slices.Clone(s.Escalated)
	c.Evidence = slices.Clone(s.Evidence)
	c.CustomerWords = slices.Clone(s.CustomerWords)
	c.LoadParts = slices.Clone(s.LoadParts)
	return &c
}

func cloneMap[V any](m map[string]V) map[string]V {
	if m == nil {
		return nil
	}
	c := make(map[string]V, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// History is a customer's recent contacts, stored in CX_CUSTOMERS.
type History struct {
	Contacts []Contact `json:"contacts"`
}

// Contact is one earlier (or the current) contact of a customer.
type Contact struct {
	ConversationID string    `json:"conversation_id"`
	StartedAt      time.Time `json:"started_at"`
	Channel        string    `json:"channel,omitempty"`
	Intent         string    `json:"intent,omitempty"`
	Ended          bool      `json:"ended,omitempty"`
	Resolved       bool      `json:"resolved,omitempty"`
	Score          float32   `json:"score"`
	EmotionPeak    string    `json:"emotion_peak,omitempty"`
}

// upsert records c, keeping the newest historyContacts; it reports whether
// anything changed, so unchanged histories are not written back.
func (h *History) upsert(c Contact) bool {
	for i := range h.Contacts {
		if h.Contacts[i].ConversationID == c.ConversationID {
			if h.Contacts[i] == c {
				return false
			}
			h.Contacts[i] = c
			return true
		}
	}
	h.Contacts = append(h.Contacts, c)
	sort.SliceStable(h.Contacts, func(i, j int) bool { return h.Contacts[i].StartedAt.After(h.Contacts[j].StartedAt) })
	if len(h.Contacts) > historyContacts {
		h.Contacts = h.Contacts[:historyContacts]
	}
	return true
}

// Detector is the per-utterance rules plus the conversation logic.
type Detector struct {
	Rules  *Rules
	Config Config
}

// New loads the rules (built-in plus rulesDir) and makes a detector.
func New(rulesDir string, cfg Config) (*Detector, error) {
	rs, err := LoadRules(rulesDir)
	if err != nil {
		return nil, err
	}
	if cfg.SLA == nil {
		cfg.SLA = DefaultConfig.SLA
	}
	if cfg.AbandonAfter == nil {
		cfg.AbandonAfter = DefaultConfig.AbandonAfter
	}
	if cfg.RepeatWindow == 0 {
		cfg.RepeatWindow = DefaultConfig.RepeatWindow
	}
	if cfg.RepeatWindowAnyIntent == 0 {
		cfg.RepeatWindowAnyIntent = DefaultConfig.RepeatWindowAnyIntent
	}
	return &Detector{Rules: rs, Config: cfg}, nil
}

// Analysis is what detection reads from one message's words: the part of
// Apply that needs no state, so a batch's analyses can run on all cores
// ahead of the ordered, per-conversation part.
type Analysis struct {
	// Signals are the utterance's phrase-rule signals.
	Signals []event.Signal
	// Action and Ack say an agent's message promised an action or
	// acknowledged the customer (labels that are not signals themselves).
	Action, Ack bool
	// Tokens is the number of tokens in the text.
	Tokens int
	// Words are a customer message's content words for the repeated-message
	// check (nil for fewer than five).
	Words []string
}

// Analyzes says whether Analyze reads r's text: a message from the agent
// or the customer. Other records have an empty analysis.
func Analyzes(r *event.Record) bool {
	ev := &r.Event
	return ev.Type == event.TypeMessage && r.Enriched != nil && r.Enriched.Text != "" &&
		(ev.Data.Speaker == event.SpeakerAgent || ev.Data.Speaker == event.SpeakerCustomer)
}

// Analyze is the stateless part of Apply for one record.
func (d *Detector) Analyze(r *event.Record) Analysis {
	if !Analyzes(r) {
		return Analysis{}
	}
	// Nothing keeps the tokens past this call (signals hold offsets and
	// substrings of the text, content words their own copy), so their
	// slice is reused.
	tb := tokenPool.Get().(*[]text.Token)
	toks := text.AppendTokens((*tb)[:0], r.Enriched.Text)
	a := d.AnalyzeTokens(r, toks)
	if cap(toks) <= maxPooledTokens {
		clear(toks) // let the text go
		*tb = toks[:0]
		tokenPool.Put(tb)
	}
	return a
}

// AnalyzeTokens is Analyze with the tokens of r's text (text.AppendTokens
// of r.Enriched.Text) already made, for a caller that shares them.
func (d *Detector) AnalyzeTokens(r *event.Record, toks []text.Token) Analysis {
	var a Analysis
	if !Analyzes(r) {
		return a
	}
	ev := &r.Event
	var flagsBuf [8]string
	var flags []string
	a.Signals, flags = d.Rules.analyze(r.Enriched.Text, toks, r.Enriched.Lang, ev.Data.Speaker, flagsBuf[:0])
	a.Action, a.Ack = hasLabel(flags, "_action"), hasLabel(flags, "_ack")
	a.Tokens = len(toks)
	if ev.Data.Speaker == event.SpeakerCustomer {
		a.Words = contentWords(r, toks)
	}
	return a
}

// Apply folds one record into the state (and the customer's history, which
// may be nil) and returns the record's detection. An event already applied
// (a redelivery) leaves both unchanged and raises no escalation, but still
// gets its utterance signals and the current snapshot, so rows written again
// are identical.
func (d *Detector) Apply(st *State, hist *History, r *event.Record) (det event.Detection, historyChanged bool) {
	a := d.Analyze(r)
	return d.ApplyAnalyzed(st, hist, r, &a)
}

// ApplyAnalyzed is Apply with the record's Analyze already done; a is
// consumed (its signals become the detection's).
func (d *Detector) ApplyAnalyzed(st *State, hist *History, r *event.Record, a *Analysis) (det event.Detection, historyChanged bool) {
	det = event.Detection{Version: d.Rules.Version, Signals: a.Signals}
	ev := &r.Event
	if slices.Contains(st.Applied, ev.ID) {
		det.Conversation = snapshot(st)
		return det, false
	}
	st.Applied = append(st.Applied, ev.ID)
	if len(st.Applied) > appliedMemory {
		st.Applied = st.Applied[len(st.Applied)-appliedMemory:]
	}
	c := &st.Conv
	at := ev.Time.UTC().Truncate(time.Millisecond)
	if ev.Type != TypeTimer {
		c.Events++
		c.Version = uint64(c.Events)
		if c.StartedAt.IsZero() || at.Before(c.StartedAt) {
			c.StartedAt = at
		}
		if at.After(c.LastEventAt) {
			c.LastEventAt = at
		}
	}
	if r.Enriched != nil {
		if c.Channel == "" {
			c.Channel = r.Enriched.Channel
		}
		if c.Lang == "" && (r.Enriched.Lang == "es" || r.Enriched.Lang == "en") && ev.Type == event.TypeMessage {
			c.Lang = r.Enriched.Lang
		}
	}
	if c.CustomerID == "" {
		c.CustomerID = ev.Data.CustomerID
	}
	if ev.Data.Queue != "" {
		c.Queue = ev.Data.Queue
	}
	if !c.PublicChannel && isPublicSource(ev.Source) {
		c.PublicChannel = true
	}
	var extra []event.Signal
	switch ev.Type {
	case event.TypeStarted:
		d.noteAgent(st, ev.Data.AgentID)
	case event.TypeMessage:
		switch ev.Data.Speaker {
		case event.SpeakerCustomer:
			extra = d.customerMessage(st, r, det.Signals, a)
		case event.SpeakerAgent:
			extra = d.agentMessage(st, r, det.Signals, a.Action, a.Ack)
		case event.SpeakerSystem:
			extra = d.systemMessage(st, r)
		}
	case event.TypeTransfer:
		extra = d.transfer(st, ev.Data.FromQueue, ev.Data.ToQueue, ev.Data.ToAgentID, ev.ID)
	case event.TypeEnded:
		// A stated outcome wins over an inferred one, even when a closing
		// system line already ended the contact; "unknown" states nothing.
		if res := ev.Data.Resolution; res == "resolved" || res == "unresolved" {
			c.Resolution = res
		}
		extra = d.finish(st, ev.ID)
	case TypeTimer:
		extra = d.expire(st, r)
	}
	det.Signals = append(det.Signals, extra...)
	for _, sg := range det.Signals {
		d.count(st, ev.ID, sg)
	}
	if hist != nil && c.CustomerID != "" {
		historyChanged = d.useHistory(st, hist)
	}
	d.rescore(st)
	d.schedule(st)
	if esc, ok := d.escalation(st, hist, r); ok {
		det.Escalations = append(det.Escalations, esc)
		st.Escalated = append(st.Escalated, esc.Data.Reason)
		c.Escalated = true
	}
	det.Conversation = snapshot(st)
	return det, historyChanged
}

// tokenPool holds token slices for Analyze; one from a huge text is dropped
// rather than kept.
var tokenPool = sync.Pool{New: func() any { return new([]text.Token) }}

const maxPooledTokens = 1 << 14

func isPublicSource(source string) bool {
	s := strings.ToLower(source)
	for _, p := range []string{"twitter", "/x/", "facebook", "instagram", "tiktok", "social", "reddit", "review"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

func (d *Detector) noteAgent(st *State, id string) {
	c := &st.Conv
	if id == "" {
		return
	}
	if c.FirstAgentID == "" {
		c.FirstAgentID = id
	}
	if c.LastAgentID != "" && c.LastAgentID != id {
		c.Handovers++
	}
	c.LastAgentID = id
}

func (d *Detector) bump(st *State, key string, n int) {
	if st.Counts == nil {
		st.Counts = map[string]int{}
	}
	st.Counts[key] += n
}

// customerMessage folds a customer message in; a is its text's analysis
// (empty when it has no text).
func (d *Detector) customerMessage(st *State, r *event.Record, sigs []event.Signal, a *Analysis) []event.Signal {
	c := &st.Conv
	c.CustomerMessages++
	st.LastSpeaker = event.SpeakerCustomer
	at := r.Event.Time.UTC()
	if st.PendingSince.IsZero() {
		st.PendingSince, st.PendingEvent = at, r.Event.ID
	}
	var out []event.Signal
	st.LastCustomerThank = false
	for _, s := range sigs {
		switch s.Label {
		case "gratitude":
			st.LastCustomerThank = true
		case "repeat_cue":
			c.RepeatContact = true
		}
	}
	if !st.LastCustomerThank && r.Enriched != nil && a.Tokens >= 4 {
		st.PendingNeedsReply = true
	}
	if cl := r.Classified; cl != nil {
		if c.CustomerMessages == 1 {
			c.SentimentStart = cl.SentimentScore
		}
		c.SentimentEnd = cl.SentimentScore
		st.LastCustomerScore = cl.SentimentScore
		if cl.SentimentScore < c.WorstSentiment {
			c.WorstSentiment = cl.SentimentScore
		}
		if c.Intent == "" && cl.Intent != "" {
			c.Intent = cl.Intent
			st.HistoryDone = false // the repeat check depends on the intent
		}
		emotion, score := cl.Emotion, cl.EmotionScore
		if emotion != "anger" && emotion != "sadness" && emotion != "fear" && emotion != "disgust" && cl.SentimentScore <= -0.5 {
			// A strongly negative message with no named emotion is, in
			// customer service, frustration: it counts as anger for the
			// peak, not as a strong emotion the agent must answer.
			emotion, score = "anger", min(-cl.SentimentScore*0.6, strongEmotion-0.01)
		}
		switch emotion {
		case "anger", "sadness", "fear", "disgust":
			if score > st.PeakEmotion || c.CustomerEmotionPeak == "joy" || c.CustomerEmotionPeak == "surprise" || c.CustomerEmotionPeak == "none" {
				st.PeakEmotion = max(st.PeakEmotion, score)
				c.CustomerEmotionPeak = emotion
			}
			if score >= strongEmotion && !st.EmotionOpen {
				st.EmotionOpen, st.EmotionEvent, st.EmotionTurns = true, r.Event.ID, 0
			}
		case "joy", "surprise":
			if c.CustomerEmotionPeak == "none" {
				c.CustomerEmotionPeak = cl.Emotion
			}
		}
		// An angry or sad customer who ends up grateful was turned around.
		if (st.LastCustomerThank || cl.Sentiment == "positive") && st.PeakEmotion >= strongEmotion &&
			(c.CustomerEmotionPeak == "anger" || c.CustomerEmotionPeak == "sadness" || c.CustomerEmotionPeak == "fear") &&
			st.Counts["turnaround"] == 0 && c.AgentMessages > 0 {
			out = append(out, conversationSignal("turnaround", "positive", "positive", 0, r, "customer turned from "+c.CustomerEmotionPeak+" to thanks"))
		}
	}
	if words := a.Words; len(words) >= 5 {
		for _, prev := range st.CustomerWords {
			if jaccard(prev, words) >= 0.6 {
				out = append(out, conversationSignal("repeat_information", "process", "negative", 5, r, "customer repeats an earlier message"))
				break
			}
		}
		st.CustomerWords = append(st.CustomerWords, words)
		if len(st.CustomerWords) > 4 {
			st.CustomerWords = st.CustomerWords[1:]
		}
	}
	return out
}

// agentMessage folds an agent message in; acted and acked say whether its
// text matched the internal _action and _ack labels.
func (d *Detector) agentMessage(st *State, r *event.Record, sigs []event.Signal, acted, acked bool) []event.Signal {
	c := &st.Conv
	c.AgentMessages++
	st.LastSpeaker = event.SpeakerAgent
	d.noteAgent(st, r.Event.Data.AgentID)
	var out []event.Signal
	if !st.PendingSince.IsZero() {
		wait := r.Event.Time.UTC().Sub(st.PendingSince)
		secs := uint32(max(0, wait.Seconds()))
		c.MaxReplySeconds = max(c.MaxReplySeconds, secs)
		if wait > d.Config.slaOf(c) {
			out = append(out, conversationSignal("slow_reply", "process", "negative", 10, r,
				fmt.Sprintf("agent replied after %s (SLA %s)", wait.Round(time.Second), d.Config.slaOf(c))))
		}
		st.PendingSince, st.PendingEvent, st.PendingNeedsReply = time.Time{}, "", false
	}
	st.LastAgentDeflect = false
	for _, s := range sigs {
		switch s.Label {
		case "ownership", "follow_up_promise", "apology_with_action", "personalization":
			acted = true
		}
		switch s.Label {
		case "scripted_empathy", "apology_with_action":
			acked = true
		}
		if s.Category == "deflection" || s.Category == "indifference" {
			st.LastAgentDeflect = true
		}
	}
	if acted {
		d.bump(st, "action", 1)
	}
	if acked {
		d.bump(st, "empathy", 1)
	}
	if st.EmotionOpen {
		if acked {
			st.EmotionOpen = false
		} else if st.EmotionTurns++; st.EmotionTurns >= ignoredAfter && st.Counts["ignored_emotion"] == 0 {
			st.EmotionOpen = false
			out = append(out, conversationSignal("ignored_emotion", "empathy_gap", "negative", 20, r,
				"customer's "+c.CustomerEmotionPeak+" not acknowledged in "+fmt.Sprint(ignoredAfter)+" agent turns"))
		}
	}
	return out
}

func (d *Detector) systemMessage(st *State, r *event.Record) []event.Signal {
	line := r.Event.Data.Text
	if r.Enriched != nil && r.Enriched.Text != "" {
		line = r.Enriched.Text
	}
	if to, ok := TransferTarget(line); ok {
		return d.transfer(st, "", to, "", r.Event.ID)
	}
	if ClosedLine(line) {
		return d.finish(st, r.Event.ID)
	}
	return nil
}

func (d *Detector) transfer(st *State, from, to, toAgent, eventID string) []event.Signal {
	c := &st.Conv
	c.Transfers++
	if len(c.Areas) == 0 {
		start := from
		if start == "" {
			start = c.Queue
		}
		if start != "" {
			c.Areas = append(c.Areas, start)
		}
	}
	var out []event.Signal
	if slices.Contains(c.Areas, to) && (len(c.Areas) == 0 || c.Areas[len(c.Areas)-1] != to) {
		d.bump(st, "revisits", 1)
	}
	if len(c.Areas) == 0 || c.Areas[len(c.Areas)-1] != to {
		c.Areas = append(c.Areas, to)
	}
	c.Queue = to
	d.noteAgent(st, toAgent)
	_ = eventID
	return out
}

// finish runs when a contact ends: what was never answered, and whether it
// was resolved when nobody said.
func (d *Detector) finish(st *State, eventID string) []event.Signal {
	c := &st.Conv
	if c.Ended {
		return nil
	}
	c.Ended = true
	var out []event.Signal
	if !st.PendingSince.IsZero() && st.PendingNeedsReply {
		out = append(out, event.Signal{Label: "no_reply", Category: "process", Polarity: "negative", Score: 10,
			Evidence: event.Span{Label: "no_reply", Text: "the customer's last message was never answered"}, RuleID: "conversation/no_reply"})
		st.PendingSince, st.PendingEvent, st.PendingNeedsReply = time.Time{}, "", false
	}
	if st.EmotionOpen && st.Counts["ignored_emotion"] == 0 && c.AgentMessages > 0 {
		out = append(out, event.Signal{Label: "ignored_emotion", Category: "empathy_gap", Polarity: "negative", Score: 20,
			Evidence: event.Span{Label: "ignored_emotion", Text: "customer's " + c.CustomerEmotionPeak + " never acknowledged"}, RuleID: "conversation/ignored_emotion"})
	}
	st.EmotionOpen = false
	switch c.Resolution {
	case "resolved", "unresolved":
	default:
		c.Resolution = d.inferResolution(st)
	}
	return out
}

// inferResolution decides resolved/unresolved for a contact whose channel
// system did not say: a customer who ends grateful or positive after an agent
// who acted or did not deflect was helped; one left waiting, negative, or
// deflected at the end was not.
func (d *Detector) inferResolution(st *State) string {
	c := &st.Conv
	// A fix counts only if it came after the last deflection: "gracias" to
	// an agent who sent the customer elsewhere is resignation, not a result.
	fixed := st.Counts["fix_since_deflection"] > 0
	switch {
	case st.LastSpeaker == event.SpeakerCustomer && !st.LastCustomerThank && st.LastCustomerScore <= 0:
		return "unresolved"
	case st.LastAgentDeflect:
		return "unresolved"
	case c.Deflections > 0 && !fixed:
		return "unresolved"
	case st.LastCustomerScore <= -0.25 && !st.LastCustomerThank:
		return "unresolved"
	case fixed:
		return "resolved"
	case st.LastCustomerThank && c.Deflections == 0 && st.Counts["action"] > 0:
		return "resolved"
	}
	return "unresolved"
}

// expire handles a timer record: the deadline passed with no event.
func (d *Detector) expire(st *State, r *event.Record) []event.Signal {
	c := &st.Conv
	now := r.Event.Time.UTC()
	if c.Ended || st.Due.IsZero() || now.Before(st.Due) {
		return nil // the conversation moved on since the timer was set
	}
	switch st.DueKind {
	case TimerReply:
		if st.PendingSince.IsZero() || !st.PendingNeedsReply {
			return nil
		}
		wait := now.Sub(st.PendingSince)
		c.MaxReplySeconds = max(c.MaxReplySeconds, uint32(wait.Seconds()))
		sig := event.Signal{Label: "no_reply", Category: "process", Polarity: "negative", Score: 10,
			Evidence: event.Span{Label: "no_reply", Text: fmt.Sprintf("no agent reply for %s (SLA %s)", wait.Round(time.Second), d.Config.slaOf(c))},
			RuleID:   "conversation/no_reply"}
		// Counted once per wait: the pending message stays pending, but the
		// next deadline is abandonment, not this one again.
		st.PendingEvent = ""
		return []event.Signal{sig}
	case TimerAbandon:
		out := []event.Signal{{Label: "abandoned", Category: "process", Polarity: "negative", Score: 0,
			Evidence: event.Span{Label: "abandoned", Text: fmt.Sprintf("no activity for %s", now.Sub(c.LastEventAt).Round(time.Second))},
			RuleID:   "conversation/abandoned"}}
		return append(out, d.finish(st, r.Event.ID)...)
	}
	return nil
}

// schedule sets the next deadline: the reply SLA of an unanswered customer
// message, else abandonment of an open contact.
func (d *Detector) schedule(st *State) {
	c := &st.Conv
	st.Due, st.DueKind = time.Time{}, ""
	if c.Ended || c.StartedAt.IsZero() {
		return
	}
	if !st.PendingSince.IsZero() && st.PendingEvent != "" && st.PendingNeedsReply {
		st.Due, st.DueKind = st.PendingSince.Add(d.Config.slaOf(c)), TimerReply
		return
	}
	st.Due, st.DueKind = c.LastEventAt.Add(d.Config.abandonAfter(c.Channel)), TimerAbandon
}

func conversationSignal(label, category, polarity string, score float32, r *event.Record, why string) event.Signal {
	return event.Signal{Label: label, Category: category, Polarity: polarity, Score: score,
		Evidence: event.Span{Label: label, Text: why}, RuleID: "conversation/" + label}
}

// count folds a signal into the conversation's counters and evidence.
func (d *Detector) count(st *State, eventID string, sg event.Signal) {
	c := &st.Conv
	d.bump(st, sg.Label, 1)
	if sg.Polarity == "positive" {
		c.PositiveSignals++
		switch sg.Label {
		case "ownership", "apology_with_action", "follow_up_promise", "turnaround":
			d.bump(st, "fix_since_deflection", 1)
		}
		return
	}
	if sg.Category == "deflection" {
		c.Deflections++
	}
	if sg.Category == "deflection" || sg.Category == "indifference" {
		delete(st.Counts, "fix_since_deflection")
	}
	if st.Points == nil {
		st.Points = map[string]float32{}
	}
	switch sg.Label {
	case "slow_reply", "no_reply":
		st.Points["slow_reply"] += sg.Score
	case "ignored_emotion":
		st.Points["ignored_emotion"] += sg.Score
	case "repeat_information":
		st.Points["repeat_information"] += sg.Score
	default:
		st.Points[sg.Category] += sg.Score
	}
	if sg.Label == "repeat_cue" {
		return
	}
	st.Evidence = append(st.Evidence, event.EvidenceRef{EventID: eventID, Label: sg.Label, Start: sg.Evidence.Start, End: sg.Evidence.End, Text: sg.Evidence.Text})
	if len(st.Evidence) > evidenceMemory {
		st.Evidence = st.Evidence[len(st.Evidence)-evidenceMemory:]
	}
}

// useHistory records this contact in the customer's history and, once per
// contact (again when the intent becomes known), reads the earlier ones: a
// repeat contact, and the emotional load the customer brings.
func (d *Detector) useHistory(st *State, hist *History) bool {
	c := &st.Conv
	self := Contact{ConversationID: st.ConversationID, StartedAt: c.StartedAt, Channel: c.Channel, Intent: c.Intent,
		Ended: c.Ended, Resolved: c.Resolution == "resolved", EmotionPeak: c.CustomerEmotionPeak}
	if c.Ended {
		self.Score = c.IndifferenceScore
	}
	if !st.HistoryDone {
		st.HistoryDone = true
		var load float64
		st.LoadParts = st.LoadParts[:0]
		rank := 0
		for _, p := range hist.Contacts {
			if p.ConversationID == st.ConversationID || !p.StartedAt.Before(c.StartedAt) {
				continue
			}
			age := c.StartedAt.Sub(p.StartedAt)
			sameIntent := p.Intent != "" && p.Intent == c.Intent
			if (sameIntent && age <= d.Config.RepeatWindow) || ((p.Intent == "" || c.Intent == "") && age <= d.Config.RepeatWindowAnyIntent) {
				c.RepeatContact = true
			}
			// The last experience weighs most: by rank, and fading with a
			// two-week half-life.
			bad := float64(p.Score) / 100
			if p.Ended && !p.Resolved {
				bad = math.Max(bad, 0.6)
			}
			switch p.EmotionPeak {
			case "anger", "sadness", "fear", "disgust":
				bad = math.Max(bad, 0.3)
			}
			w := 1 / float64(rank+1) * math.Pow(0.5, age.Hours()/(14*24))
			rank++
			if v := 100 * w * bad; v >= 0.5 {
				load += v
				st.LoadParts = append(st.LoadParts, event.ScorePart{Name: p.ConversationID, Value: round1(float32(v))})
			}
		}
		c.EmotionalLoad = round1(float32(math.Min(100, load)))
	}
	return hist.upsert(self)
}

// Indices of the score parts in partCaps that rescore computes or reads.
var (
	partDeflection       = partIndex("deflection")
	partIndifference     = partIndex("indifference")
	partEmpathyGap       = partIndex("empathy_gap")
	partIgnoredEmotion   = partIndex("ignored_emotion")
	partTransferBounce   = partIndex("transfer_bounce")
	partRepeatContact    = partIndex("repeat_contact")
	partCustomerDistress = partIndex("customer_distress")
	partUnresolvedEnd    = partIndex("unresolved_end")
)

func partIndex(name string) int {
	for i, p := range partCaps {
		if p.name == name {
			return i
		}
	}
	panic("detect: no score part " + name)
}

func (d *Detector) rescore(st *State) {
	c := &st.Conv
	// raw holds the uncapped value of every reported part, in partCaps
	// order; points of other names are never reported.
	var raw [len(partCaps)]float32
	for i, p := range partCaps {
		raw[i] = st.Points[p.name]
	}
	if bounce := float32(c.Transfers) - 1 + float32(st.Counts["revisits"]); bounce > 0 {
		raw[partTransferBounce] = 10 * bounce
	}
	if c.RepeatContact {
		raw[partRepeatContact] = 10
	}
	neglect := raw[partDeflection] + raw[partIndifference] + raw[partEmpathyGap] + raw[partIgnoredEmotion]
	switch c.CustomerEmotionPeak {
	case "anger", "sadness", "fear", "disgust":
		if neglect > 0 {
			raw[partCustomerDistress] = 20 * st.PeakEmotion
		}
	}
	if c.Ended && c.Resolution == "unresolved" {
		raw[partUnresolvedEnd] = 15
	}
	if d.scriptedOnly(st) {
		raw[partEmpathyGap] = max(raw[partEmpathyGap], 10)
	}
	c.ScoreParts = c.ScoreParts[:0]
	var total float32
	for i, p := range partCaps {
		if v := min(raw[i], p.cap); v > 0 {
			c.ScoreParts = append(c.ScoreParts, event.ScorePart{Name: p.name, Value: round1(v)})
			total += round1(v)
		}
	}
	c.IndifferenceScore = round1(min(total, 100))
	c.Reasons = d.reasons(st)
	c.Indifferent = false
	for _, r := range c.Reasons {
		if agentReasons[r] {
			c.Indifferent = true
		}
	}
	c.PositiveMoment = st.Counts["gratitude"] > 0 || st.Counts["turnaround"] > 0 || st.Counts["ownership"] > 0 ||
		st.Counts["personalization"] > 0 || st.Counts["follow_up_promise"] > 0 || st.Counts["apology_with_action"] > 0
}

// scriptedOnly: empathy formulas, and in the whole contact no action.
func (d *Detector) scriptedOnly(st *State) bool {
	return st.Counts["scripted_empathy"] > 0 && st.Counts["action"] == 0 && (st.Conv.Ended || st.Counts["scripted_empathy"] >= 2)
}

func (d *Detector) reasons(st *State) []string {
	c := &st.Conv
	var out []string
	if c.Deflections > 0 || st.Points["indifference"] > 0 {
		out = append(out, ReasonDeflection)
	}
	if c.Transfers >= 2 || st.Counts["revisits"] > 0 {
		out = append(out, ReasonTransferBounce)
	}
	if c.RepeatContact {
		out = append(out, ReasonRepeatContact)
	}
	if st.Counts["slow_reply"] > 0 || st.Counts["no_reply"] > 0 {
		out = append(out, ReasonSlowReply)
	}
	if c.Ended && c.Resolution == "unresolved" {
		out = append(out, ReasonUnresolvedEnd)
	}
	if st.Counts["ignored_emotion"] > 0 {
		out = append(out, ReasonIgnoredEmotion)
	}
	if d.scriptedOnly(st) {
		out = append(out, ReasonScriptedOnly)
	}
	return out
}

func round1(f float32) float32 { return float32(math.Round(float64(f)*10) / 10) }

// escalation decides whether this event makes the conversation cross the
// threshold for a reason not escalated before. Only live conversations are
// escalated: once a contact has ended a supervisor can no longer save it,
// and the conversations table is where analysts find it. Public exposure
// (a threat to post, a public channel) and a heavy emotional load lower the
// threshold and raise the severity.
func (d *Detector) escalation(st *State, hist *History, r *event.Record) (event.Escalation, bool) {
	c := &st.Conv
	if c.Ended || len(c.ScoreParts) == 0 {
		return event.Escalation{}, false
	}
	public := st.Points["amplification"] > 0 || c.PublicChannel
	threshold := d.Config.EscalateAt
	if public {
		threshold -= 15
	}
	if c.EmotionalLoad >= 50 {
		threshold -= 10
	}
	if c.IndifferenceScore < threshold {
		return event.Escalation{}, false
	}
	top := c.ScoreParts[0]
	for _, p := range c.ScoreParts[1:] {
		if p.Value > top.Value {
			top = p
		}
	}
	reason := ""
	for _, p := range partCaps {
		if p.name == top.Name {
			reason = p.reason
		}
	}
	if slices.Contains(st.Escalated, reason) {
		return event.Escalation{}, false
	}
	level := 1 // medium
	switch {
	case c.IndifferenceScore >= 90:
		level = 3
	case c.IndifferenceScore >= 70:
		level = 2
	}
	if public {
		level++
	}
	if c.EmotionalLoad >= 50 {
		level++
	}
	severity := []string{event.SeverityLow, event.SeverityMedium, event.SeverityHigh, event.SeverityCritical}[min(level, 3)]
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
			EmotionalLoad:  c.EmotionalLoad,
			Reasons:        slices.Clone(c.Reasons),
			RecentContacts: recentContacts(st, hist),
		},
	}, true
}

func recentContacts(st *State, hist *History) []event.RecentContact {
	if hist == nil {
		return nil
	}
	var out []event.RecentContact
	for _, p := range hist.Contacts {
		if p.ConversationID == st.ConversationID || !p.StartedAt.Before(st.Conv.StartedAt) {
			continue
		}
		out = append(out, event.RecentContact{ConversationID: p.ConversationID, StartedAt: p.StartedAt, Channel: p.Channel,
			Intent: p.Intent, Resolved: p.Resolved, Score: p.Score})
		if len(out) == 5 {
			break
		}
	}
	return out
}

func snapshot(st *State) event.Conversation {
	c := st.Conv
	c.Areas = slices.Clone(st.Conv.Areas)
	c.ScoreParts = slices.Clone(st.Conv.ScoreParts)
	c.Reasons = slices.Clone(st.Conv.Reasons)
	return c
}

// contentWords are a customer message's folded words minus the shortest
// ones, unique and sorted, for the repeated-message check; toks are the
// tokens of its text. Fewer than five words are never compared, so none are
// returned then.
func contentWords(r *event.Record, toks []text.Token) []string {
	if r.Enriched == nil {
		return nil
	}
	var buf [64]string
	words := buf[:0]
	for _, t := range toks {
		if len(t.Norm) > 3 {
			words = append(words, t.Norm)
		}
	}
	if len(words) < 5 {
		return nil
	}
	slices.Sort(words)
	words = slices.Compact(words)
	if len(words) < 5 {
		return nil
	}
	// The words outlive the message in the conversation's state: copy them
	// into one string of their own rather than keep the whole text alive.
	n := 0
	for _, w := range words {
		n += len(w)
	}
	var b strings.Builder
	b.Grow(n)
	for _, w := range words {
		b.WriteString(w)
	}
	all := b.String()
	out := make([]string, len(words))
	off := 0
	for i, w := range words {
		out[i] = all[off : off+len(w)]
		off += len(w)
	}
	return out
}

func jaccard(a, b []string) float64 {
	i, j, inter := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}
