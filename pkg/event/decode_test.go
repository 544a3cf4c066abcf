package event

import (
	"errors"
	"strings"
	"testing"
)

const validMessage = `{"specversion":"1.0","id":"019a4a2e-7c00-7abc-8def-0123456789ab","source":"/channels/chat/zendesk",
"type":"cx.message.v1","time":"2026-11-03T10:00:05Z","subject":"conv-1","tenant":"acme",
"data":{"channel":"chat","speaker":"agent","text":"Eso lo maneja otra área","agent_id":"ag-1","seq":1}}`

func TestDecodeValid(t *testing.T) {
	ev, err := Decode([]byte(validMessage))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != TypeMessage || ev.Data.Speaker != "agent" || *ev.Data.Seq != 1 || ev.ConversationID() != "conv-1" {
		t.Fatalf("decoded %+v", ev)
	}
}

func TestDecodeRejects(t *testing.T) {
	cases := map[string]string{
		"not JSON":          `{"id":`,
		"uuid v4":           strings.Replace(validMessage, "7abc", "4abc", 1),
		"unknown type":      strings.Replace(validMessage, "cx.message.v1", "cx.message.v9", 1),
		"bad speaker":       strings.Replace(validMessage, `"agent"`, `"robot"`, 1),
		"missing text":      strings.Replace(validMessage, `"text":"Eso lo maneja otra área",`, ``, 1),
		"bad time":          strings.Replace(validMessage, "2026-11-03T10:00:05Z", "yesterday", 1),
		"unknown field":     strings.Replace(validMessage, `"tenant":"acme"`, `"tenant":"acme","extra":1`, 1),
		"invalid utf-8":     strings.Replace(validMessage, "área", "\xff\xfe", 1),
		"oversize":          strings.Replace(validMessage, "Eso lo", strings.Repeat("a", MaxEventBytes), 1),
		"csat out of range": `{"specversion":"1.0","id":"019a4a2e-7c00-7abc-8def-0123456789ab","source":"s","type":"cx.survey.response.v1","time":"2026-11-03T10:00:05Z","subject":"c","data":{"kind":"csat","score":9}}`,
	}
	for name, raw := range cases {
		_, err := Decode([]byte(raw))
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
			continue
		}
		if len(err.Error()) < 20 {
			t.Errorf("%s: reason too terse for a dead letter: %q", name, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(validMessage))
	f.Add([]byte(`{"specversion":"1.0"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, err := Decode(raw)
		if err == nil && (ev.ID == "" || ev.Subject == "" || ev.Type == "") {
			t.Fatalf("accepted an event without required attributes: %q", raw)
		}
	})
}

func TestDecodeLimited(t *testing.T) {
	lim := Limits{MaxBytes: 2048, MaxTextChars: 10}
	if err := lim.Validate(); err != nil {
		t.Fatal(err)
	}
	// "Eso lo maneja otra área" is 23 characters (24 bytes): over 10.
	_, err := DecodeLimited([]byte(validMessage), lim)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "23 characters, over the 10-character limit") {
		t.Fatalf("text limit: %v", err)
	}
	if _, err := DecodeLimited([]byte(validMessage), Limits{MaxTextChars: 23}); err != nil {
		t.Fatalf("text at the limit must pass: %v", err)
	}
	_, err = DecodeLimited([]byte(validMessage), Limits{MaxBytes: 100})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "100-byte event limit") {
		t.Fatalf("size limit: %v", err)
	}
	for _, bad := range []Limits{{MaxBytes: MaxEventBytes + 1}, {MaxTextChars: MaxTextChars + 1}, {MaxBytes: -1}} {
		if bad.Validate() == nil {
			t.Errorf("%+v: limits above the contract must be refused", bad)
		}
	}
}
