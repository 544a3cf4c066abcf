package event

import "time"

// Record is what flows between stages: the validated event plus what each
// stage added. In separate-services mode it is the JSON payload of the
// cx.enriched/cx.classified/cx.detected subjects; in the all-in-one binary it
// stays in memory.
type Record struct {
	Event      Event           `json:"event"`
	Enriched   *Enrichment     `json:"enriched,omitempty"`
	Classified *Classification `json:"classified,omitempty"`
	Detected   *Detection      `json:"detected,omitempty"`
}

// Enrichment is the enrich stage's output.
type Enrichment struct {
	Tenant  string `json:"tenant"`
	Channel string `json:"channel"`
	// Text is the text as stored: Unicode NFC, control characters removed,
	// personal data redacted. Every evidence offset points into it.
	Text           string  `json:"text,omitempty"`
	Lang           string  `json:"lang"`
	LangConfidence float32 `json:"lang_confidence"`
	// PII lists what redaction replaced in Text, with a keyed hash of each
	// value so repeat contacts can be joined without the value.
	PII             []PII  `json:"pii,omitempty"`
	RedactorVersion string `json:"redactor_version,omitempty"`
}

// PII is one redacted value: its type, where its placeholder stands in the
// stored text (code points), and a keyed hash of the original value.
type PII struct {
	Type  string `json:"type"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Hash  string `json:"hash"`
}

// Span is evidence: the words in Enrichment.Text that carried a label. Start
// and End are offsets in Unicode code points (end exclusive), as Python's
// text[start:end] and ClickHouse's substringUTF8(text, start+1, end-start).
type Span struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
	Label string `json:"label"`
}

// Classification is the classify stage's output for a message.
type Classification struct {
	Emotion      string  `json:"emotion"`
	EmotionScore float32 `json:"emotion_score"`
	// EmotionIntensity is how strongly the emotion is expressed, 0-1
	// (shouting, intensifiers, repetition), apart from the model's confidence.
	EmotionIntensity float32 `json:"emotion_intensity"`
	Sentiment        string  `json:"sentiment"`
	SentimentScore   float32 `json:"sentiment_score"`
	// Intent is the customer's request from the intent taxonomy, "" if none.
	Intent      string  `json:"intent,omitempty"`
	IntentScore float32 `json:"intent_score,omitempty"`
	Evidence    []Span  `json:"evidence,omitempty"`
	Version     string  `json:"version"`
}

// Signal is one detected fact about a message or a conversation.
type Signal struct {
	Label    string  `json:"label"`
	Category string  `json:"category"`
	Polarity string  `json:"polarity"` // negative (indifference) or positive
	Score    float32 `json:"score"`
	Evidence Span    `json:"evidence"`
	RuleID   string  `json:"rule_id"`
}

// ScorePart is one named addend of an indifference score.
type ScorePart struct {
	Name  string  `json:"name"`
	Value float32 `json:"value"`
}

// Conversation is the detect stage's view of a contact after an event.
type Conversation struct {
	Version             uint64      `json:"version"`
	Channel             string      `json:"channel"`
	CustomerID          string      `json:"customer_id"`
	FirstAgentID        string      `json:"first_agent_id"`
	LastAgentID         string      `json:"last_agent_id"`
	Queue               string      `json:"queue"`
	Lang                string      `json:"lang"`
	StartedAt           time.Time   `json:"started_at"`
	LastEventAt         time.Time   `json:"last_event_at"`
	Events              uint32      `json:"events"`
	CustomerMessages    uint32      `json:"customer_messages"`
	AgentMessages       uint32      `json:"agent_messages"`
	Transfers           uint32      `json:"transfers"`
	Areas               []string    `json:"areas"`
	Deflections         uint32      `json:"deflections"`
	PositiveSignals     uint32      `json:"positive_signals"`
	IndifferenceScore   float32     `json:"indifference_score"`
	ScoreParts          []ScorePart `json:"score_parts"`
	CustomerEmotionPeak string      `json:"customer_emotion_peak"`
	WorstSentiment      float32     `json:"worst_sentiment"`
	Ended               bool        `json:"ended"`
	Resolution          string      `json:"resolution"`
	Escalated           bool        `json:"escalated"`
	Intent              string      `json:"intent,omitempty"`
	Reasons             []string    `json:"reasons,omitempty"`
	Indifferent         bool        `json:"indifferent"`
	PositiveMoment      bool        `json:"positive_moment"`
	SentimentStart      float32     `json:"sentiment_start"`
	SentimentEnd        float32     `json:"sentiment_end"`
	Handovers           uint32      `json:"handovers"`
	MaxReplySeconds     uint32      `json:"max_reply_seconds"`
	RepeatContact       bool        `json:"repeat_contact"`
	EmotionalLoad       float32     `json:"emotional_load"`
	PublicChannel       bool        `json:"public_channel"`
}

// Detection is the detect stage's output for an event.
type Detection struct {
	Signals      []Signal     `json:"signals,omitempty"`
	Conversation Conversation `json:"conversation"`
	Escalations  []Escalation `json:"escalations,omitempty"`
	Version      string       `json:"version"`
}
