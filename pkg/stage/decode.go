package stage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/vigia-cx/vigia/pkg/event"
)

// DecodeEvents is the first step on raw interaction events: parse and
// validate against the v1 schema and the operator's limits. A bad event fails
// with the schema's reason.
type DecodeEvents struct {
	Limits event.Limits
}

// Name implements Stage.
func (DecodeEvents) Name() string { return "decode" }

// Process implements Stage.
func (d DecodeEvents) Process(_ context.Context, items []*Item) error {
	for _, it := range items {
		if strings.HasPrefix(it.Subject, TimerSubjectPrefix) {
			ev, err := DecodeTimer(it.Raw)
			if err != nil {
				it.Fail("decode", err)
				continue
			}
			it.Record = &event.Record{Event: ev}
			continue
		}
		ev, err := event.DecodeLimited(it.Raw, d.Limits)
		if err != nil {
			it.Fail("decode", err)
			continue
		}
		it.Record = &event.Record{Event: ev}
	}
	return nil
}

// TimerSubjectPrefix is where the sweeper publishes due deadlines:
// cx.timers.<partition>, in the CX_EVENTS stream, so a timer travels the
// same path, and the same partition, as the conversation's events.
const TimerSubjectPrefix = "cx.timers."

// Timer is the payload of a due deadline.
type Timer struct {
	Tenant         string    `json:"tenant"`
	ConversationID string    `json:"conversation_id"`
	Kind           string    `json:"kind"`
	Due            time.Time `json:"due"`
	// FiredAt is the sweeper's clock when it fired; the detector judges
	// the deadline against it, so tests can drive time.
	FiredAt time.Time `json:"fired_at"`
}

// timerNamespace makes timer record ids deterministic.
var timerNamespace = uuid.MustParse("3b0f7c52-9d7e-5a1b-8c44-1f2e3d4c5b6a")

// TimerID is the record id (and Nats-Msg-Id) of a deadline, the same for
// every sweeper that fires it.
func TimerID(t Timer) string {
	return uuid.NewSHA1(timerNamespace, []byte(fmt.Sprintf("%s\x00%s\x00%s\x00%d", t.Tenant, t.ConversationID, t.Kind, t.Due.UnixMilli()))).String()
}

// DecodeTimer turns a timer payload into the internal record the detector
// understands.
func DecodeTimer(raw []byte) (event.Event, error) {
	var t Timer
	if err := json.Unmarshal(raw, &t); err != nil {
		return event.Event{}, fmt.Errorf("%w: timer: %v", event.ErrInvalid, err)
	}
	if t.ConversationID == "" || t.Kind == "" || t.Due.IsZero() || t.FiredAt.IsZero() {
		return event.Event{}, fmt.Errorf("%w: timer lacks conversation_id, kind, due or fired_at", event.ErrInvalid)
	}
	return event.Event{SpecVersion: "1.0", ID: TimerID(t), Source: "/vigia/timers", Type: event.TypeTimer,
		Time: t.FiredAt.UTC(), Subject: t.ConversationID, Tenant: t.Tenant, Data: event.Data{Reason: t.Kind}}, nil
}

// DecodeRecords is the first step of a stage that consumes another stage's
// output (separate-services mode).
type DecodeRecords struct{}

// Name implements Stage.
func (DecodeRecords) Name() string { return "decode-record" }

// Process implements Stage.
func (DecodeRecords) Process(_ context.Context, items []*Item) error {
	for _, it := range items {
		var rec event.Record
		if err := json.Unmarshal(it.Raw, &rec); err != nil {
			it.Fail("decode-record", fmt.Errorf("%w: pipeline record: %v", event.ErrInvalid, err))
			continue
		}
		it.Record = &rec
	}
	return nil
}
