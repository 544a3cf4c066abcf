// Package event holds the Go side of vigia's contracts: the interaction event
// channel systems publish, the record that flows between stages, and the
// escalation alerting consumers receive. The JSON Schemas in schemas/ are the
// source of truth; Decode validates against them.
package event

import (
	"strings"
	"time"
)

// Event types of schema v1.
const (
	TypeStarted  = "cx.interaction.started.v1"
	TypeMessage  = "cx.message.v1"
	TypeTransfer = "cx.transfer.v1"
	TypeEnded    = "cx.interaction.ended.v1"
	TypeSurvey   = "cx.survey.response.v1"
	// TypeTimer is internal, never published by channel systems: a deadline
	// of a conversation (reply SLA, abandonment) that passed with no event.
	TypeTimer = "vigia.timer.v1"
)

// Speakers of a message.
const (
	SpeakerCustomer = "customer"
	SpeakerAgent    = "agent"
	SpeakerBot      = "bot"
	SpeakerSystem   = "system"
)

// DefaultTenant is used when an event carries no tenant.
const DefaultTenant = "default"

// Event is one CloudEvents-style interaction event (schema v1).
type Event struct {
	SpecVersion     string    `json:"specversion"`
	ID              string    `json:"id"`
	Source          string    `json:"source"`
	Type            string    `json:"type"`
	Time            time.Time `json:"time"`
	Subject         string    `json:"subject"`
	Tenant          string    `json:"tenant,omitempty"`
	DataContentType string    `json:"datacontenttype,omitempty"`
	DataSchema      string    `json:"dataschema,omitempty"`
	Data            Data      `json:"data"`
}

// Data is the union of the payloads of every v1 type; the schema decides which
// fields a type may carry, so one flat struct is enough and avoids a type switch
// on every hop.
type Data struct {
	Channel     string     `json:"channel,omitempty"`
	CustomerID  string     `json:"customer_id,omitempty"`
	Queue       string     `json:"queue,omitempty"`
	AgentID     string     `json:"agent_id,omitempty"`
	Lang        string     `json:"lang,omitempty"`
	Direction   string     `json:"direction,omitempty"`
	Speaker     string     `json:"speaker,omitempty"`
	Text        string     `json:"text,omitempty"`
	Seq         *int       `json:"seq,omitempty"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
	SubjectLine string     `json:"subject_line,omitempty"`
	FromQueue   string     `json:"from_queue,omitempty"`
	ToQueue     string     `json:"to_queue,omitempty"`
	FromAgentID string     `json:"from_agent_id,omitempty"`
	ToAgentID   string     `json:"to_agent_id,omitempty"`
	Reason      string     `json:"reason,omitempty"`
	Resolution  string     `json:"resolution,omitempty"`
	EndedBy     string     `json:"ended_by,omitempty"`
	Kind        string     `json:"kind,omitempty"`
	Score       *int       `json:"score,omitempty"`
	Comment     string     `json:"comment,omitempty"`
}

// ConversationID is the contact the event belongs to (the CloudEvents subject).
func (e *Event) ConversationID() string { return e.Subject }

// TenantOrDefault returns the tenant, or DefaultTenant when the event has none.
func (e *Event) TenantOrDefault() string {
	if e.Tenant == "" {
		return DefaultTenant
	}
	return e.Tenant
}

// Kind is the short name of the event type used in subjects: started, message,
// transfer, ended or survey.
func Kind(eventType string) string {
	switch eventType {
	case TypeStarted:
		return "started"
	case TypeMessage:
		return "message"
	case TypeTransfer:
		return "transfer"
	case TypeEnded:
		return "ended"
	case TypeSurvey:
		return "survey"
	}
	return "unknown"
}

// SubjectToken makes s safe as one NATS subject token: no dots, spaces or
// wildcards, lower case, never empty.
func SubjectToken(s string) string {
	if s == "" {
		return "none"
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
