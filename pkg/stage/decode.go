package stage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vigia-cx/vigia/pkg/event"
)

// DecodeEvents is the first step on raw interaction events: parse and
// validate against the v1 schema. A bad event fails with the schema's reason.
type DecodeEvents struct{}

// Name implements Stage.
func (DecodeEvents) Name() string { return "decode" }

// Process implements Stage.
func (DecodeEvents) Process(_ context.Context, items []*Item) error {
	for _, it := range items {
		ev, err := event.Decode(it.Raw)
		if err != nil {
			it.Fail("decode", err)
			continue
		}
		it.Record = &event.Record{Event: ev}
	}
	return nil
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
