package event

import (
	"time"

	"github.com/google/uuid"
)

// Severities of an escalation, lowest first.
const (
	SeverityLow      = "low"
	SeverityMedium   = "medium"
	SeverityHigh     = "high"
	SeverityCritical = "critical"
)

// TypeEscalation is the CloudEvents type of an escalation.
const TypeEscalation = "cx.escalation.v1"

// escalationNamespace makes escalation ids deterministic (UUIDv5): the same
// tenant, conversation and reason always give the same id, which is also the
// Nats-Msg-Id, so a replay cannot alert twice.
var escalationNamespace = uuid.MustParse("6f1c9a3e-2b7d-5c41-9e0a-7d3b8f2a4c10")

// Escalation is the message published on cx.escalation.<severity>.<queue>
// (schema events/v1/escalation.schema.json).
type Escalation struct {
	SpecVersion     string         `json:"specversion"`
	ID              string         `json:"id"`
	Source          string         `json:"source"`
	Type            string         `json:"type"`
	Time            time.Time      `json:"time"`
	Subject         string         `json:"subject"`
	Tenant          string         `json:"tenant"`
	DataContentType string         `json:"datacontenttype"`
	Data            EscalationData `json:"data"`
}

// EscalationData is the payload of an escalation.
type EscalationData struct {
	ConversationID string        `json:"conversation_id"`
	Severity       string        `json:"severity"`
	Reason         string        `json:"reason"`
	Queue          string        `json:"queue,omitempty"`
	Channel        string        `json:"channel,omitempty"`
	CustomerID     string        `json:"customer_id,omitempty"`
	AgentID        string        `json:"agent_id,omitempty"`
	Score          float32       `json:"score"`
	ScoreParts     []ScorePart   `json:"score_parts"`
	TriggerEventID string        `json:"trigger_event_id"`
	Evidence       []EvidenceRef `json:"evidence"`
	RuleVersion    string        `json:"rule_version,omitempty"`
	// Reasons are all the conversation's indifference reasons at the time.
	Reasons []string `json:"reasons,omitempty"`
	// EmotionalLoad (0-100) is what the customer's earlier contacts weigh.
	EmotionalLoad float32 `json:"emotional_load,omitempty"`
	// RecentContacts are the customer's earlier contacts, newest first.
	RecentContacts []RecentContact `json:"recent_contacts,omitempty"`
}

// RecentContact is an earlier contact of the same customer.
type RecentContact struct {
	ConversationID string    `json:"conversation_id"`
	StartedAt      time.Time `json:"started_at"`
	Channel        string    `json:"channel,omitempty"`
	Intent         string    `json:"intent,omitempty"`
	Resolved       bool      `json:"resolved"`
	Score          float32   `json:"score"`
}

// EvidenceRef is a Span with the event it belongs to.
type EvidenceRef struct {
	EventID string `json:"event_id"`
	Label   string `json:"label"`
	Start   int    `json:"start"`
	End     int    `json:"end"`
	Text    string `json:"text"`
}

// EscalationID is the deterministic id of the escalation for a tenant,
// conversation and reason.
func EscalationID(tenant, conversationID, reason string) string {
	return uuid.NewSHA1(escalationNamespace, []byte(tenant+"\x00"+conversationID+"\x00"+reason)).String()
}

// NATSSubject is where the escalation is published.
func (e *Escalation) NATSSubject() string {
	return "cx.escalation." + e.Data.Severity + "." + SubjectToken(e.Data.Queue)
}
