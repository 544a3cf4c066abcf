// Package transcript turns a whole contact — the JSON-lines transcript format
// of the sample data and of `vigia detect --conversations` — into the v1
// interaction events a channel system would have published turn by turn.
package transcript

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/vigia-cx/vigia/pkg/detect"
	"github.com/vigia-cx/vigia/pkg/event"
)

// Conversation is one transcript line.
type Conversation struct {
	ID         string  `json:"id"`
	Lang       string  `json:"lang,omitempty"`
	Channel    string  `json:"channel"`
	CustomerID string  `json:"customer_id"`
	Queue      string  `json:"queue,omitempty"`
	Source     string  `json:"source,omitempty"`
	Tenant     string  `json:"tenant,omitempty"`
	Turns      []Turn  `json:"turns"`
	Resolution string  `json:"resolution,omitempty"`
	Survey     *Survey `json:"survey,omitempty"`
}

// Turn is one line of a transcript.
type Turn struct {
	Role    string    `json:"role"`
	TS      time.Time `json:"ts"`
	Text    string    `json:"text"`
	AgentID string    `json:"agent_id,omitempty"`
}

// Survey is the customer's answer after the contact.
type Survey struct {
	Kind    string `json:"kind"`
	Score   int    `json:"score"`
	Comment string `json:"comment,omitempty"`
}

// TransferTarget returns the queue a system line transfers to, if it is one.
func TransferTarget(line string) (string, bool) { return detect.TransferTarget(line) }

// QueueName folds a written area name to a queue id.
func QueueName(s string) string { return detect.QueueName(s) }

// Events converts the conversation into v1 events in time order. Ids are
// UUIDv7 derived from the conversation id and turn index, so converting and
// publishing the same transcript twice yields the same events (and JetStream
// and ClickHouse store them once).
func (c *Conversation) Events() ([]event.Event, error) {
	if c.ID == "" || len(c.Turns) == 0 {
		return nil, fmt.Errorf("conversation %q: needs an id and at least one turn", c.ID)
	}
	source := c.Source
	if source == "" {
		source = "/channels/" + c.Channel + "/transcript"
	}
	queue := QueueName(c.Queue)
	mk := func(i int, typ string, at time.Time, d event.Data) event.Event {
		return event.Event{
			SpecVersion: "1.0", ID: DeterministicUUIDv7(c.ID, i, at), Source: source, Type: typ,
			Time: at.UTC(), Subject: c.ID, Tenant: c.Tenant, DataContentType: "application/json", Data: d,
		}
	}
	first := c.Turns[0].TS
	lang := ""
	if c.Lang == "es" || c.Lang == "en" {
		lang = c.Lang
	}
	out := []event.Event{mk(0, event.TypeStarted, first, event.Data{Channel: c.Channel, CustomerID: c.CustomerID, Queue: queue, Lang: lang})}
	seq := 0
	for i, t := range c.Turns {
		n := i + 1
		switch t.Role {
		case "system":
			if to, ok := TransferTarget(t.Text); ok {
				out = append(out, mk(n, event.TypeTransfer, t.TS, event.Data{FromQueue: queue, ToQueue: to, Reason: t.Text}))
				queue = to
				continue
			}
		case "customer", "agent", "bot":
		default:
			return nil, fmt.Errorf("conversation %s turn %d: role %q is not customer, agent, bot or system", c.ID, i, t.Role)
		}
		s := seq
		d := event.Data{Channel: c.Channel, Speaker: t.Role, Text: t.Text, Seq: &s, Queue: queue, Lang: lang}
		if t.Role == "customer" {
			d.CustomerID = c.CustomerID
		}
		if t.Role == "agent" {
			d.AgentID = t.AgentID
		}
		out = append(out, mk(n, event.TypeMessage, t.TS, d))
		seq++
	}
	last := c.Turns[len(c.Turns)-1].TS
	n := len(c.Turns) + 1
	if c.Resolution != "" {
		out = append(out, mk(n, event.TypeEnded, last.Add(time.Second), event.Data{Resolution: c.Resolution, EndedBy: "agent"}))
	}
	if c.Survey != nil {
		score := c.Survey.Score
		out = append(out, mk(n+1, event.TypeSurvey, last.Add(time.Minute), event.Data{Kind: c.Survey.Kind, Score: &score, Comment: c.Survey.Comment}))
	}
	return out, nil
}

// DeterministicUUIDv7 builds a UUIDv7 whose time is at and whose random bits
// come from a hash of the conversation id and index.
func DeterministicUUIDv7(conversationID string, index int, at time.Time) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d", conversationID, index)))
	var u uuid.UUID
	ms := uint64(at.UnixMilli())
	binary.BigEndian.PutUint64(u[0:8], ms<<16)
	copy(u[6:], h[:10])
	u[6] = 0x70 | (u[6] & 0x0f)
	u[8] = 0x80 | (u[8] & 0x3f)
	return u.String()
}

// Subject is where a channel system publishes ev: cx.events.<channel>.<kind>.
func Subject(channel string, ev *event.Event) string {
	return "cx.events." + channel + "." + event.Kind(ev.Type)
}
