package event

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// member is one "key": raw-JSON pair; documents are built from them as text,
// so mutations can produce what encoding a Go value never would: duplicate
// keys, 1.0 for an integer, escapes, nulls.
type member struct{ key, raw string }

func render(ms []member) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%q:%s", m.key, m.raw)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func envelope(typ string, data []member) []member {
	return []member{
		{"specversion", `"1.0"`}, {"id", `"019a4a2e-7c00-7abc-8def-0123456789ab"`}, {"source", `"/channels/chat/zendesk"`},
		{"type", `"` + typ + `"`}, {"time", `"2026-11-03T10:00:05Z"`}, {"subject", `"conv-1"`}, {"tenant", `"acme"`},
		{"datacontenttype", `"application/json"`}, {"dataschema", `"https://vigia.dev/schemas/events/v1"`},
		{"data", render(data)},
	}
}

// seedEvents cover every type with every optional field set.
var seedData = map[string][]member{
	TypeStarted: {{"channel", `"call"`}, {"customer_id", `"cust-1"`}, {"queue", `"billing"`}, {"agent_id", `"ag-1"`},
		{"lang", `"es"`}, {"direction", `"inbound"`}},
	TypeMessage: {{"channel", `"chat"`}, {"speaker", `"agent"`}, {"text", `"Eso lo maneja otra \u00e1rea 😀"`}, {"seq", `3`},
		{"started_at", `"2026-11-03T10:00:05.250Z"`}, {"ended_at", `"2026-11-03T10:00:09+01:00"`}, {"customer_id", `"c"`},
		{"agent_id", `"a"`}, {"queue", `""`}, {"lang", `"en"`}, {"subject_line", `"Re: factura"`}},
	TypeTransfer: {{"from_queue", `"a"`}, {"to_queue", `""`}, {"from_agent_id", `"x"`}, {"to_agent_id", `"y"`}, {"reason", `"otra área"`}},
	TypeEnded:    {{"resolution", `"unresolved"`}, {"ended_by", `"timeout"`}},
	TypeSurvey:   {{"kind", `"csat"`}, {"score", `4`}, {"comment", `"bien"`}, {"agent_id", `"ag-2"`}},
}

// values every member is tried with: wrong types, bounds, patterns, formats.
var mutantValues = []string{
	`null`, `true`, `0`, `-1`, `1.0`, `1e2`, `-0`, `11`, `5`, `99999999999999999999`, `[]`, `{}`, `""`, `"x"`,
	`"es"`, `"ES"`, `"spa"`, `"csat"`, `"nps"`, `"chat"`, `"robot"`, `"1.0"`, `"2.0"`,
	`"` + strings.Repeat("a", 64) + `"`, `"` + strings.Repeat("a", 65) + `"`, `"` + strings.Repeat("a", 128) + `"`,
	`"` + strings.Repeat("a", 129) + `"`, `"` + strings.Repeat("á", 256) + `"`, `"` + strings.Repeat("a", 257) + `"`,
	`"` + strings.Repeat("ñ", 1025) + `"`, `"` + strings.Repeat("b", 8193) + `"`, `"` + strings.Repeat("c", 65537) + `"`,
	`"conv 1"`, `"conv:1.a_b-c"`, `"Acme"`, `"-acme"`, `"a_b-1"`,
	`"019a4a2e-7c00-4abc-8def-0123456789ab"`, `"019A4A2E-7C00-7ABC-8DEF-0123456789AB"`, `"019a4a2e-7c00-7abc-8def-0123456789ab"`,
	`"2026-11-03T10:00:05Z"`, `"2026-11-03t10:00:05Z"`, `"2026-11-03T10:00:05z"`, `"2026-11-03T10:00:05+0100"`,
	`"2026-11-03T10:00:05,5Z"`, `"2026-11-03T10:00:05.Z"`, `"2026-11-03T10:00Z"`, `"2026-11-03T24:00:00Z"`,
	`"2026-12-31T23:59:60Z"`, `"2026-02-30T10:00:00Z"`, `"2026-11-03 10:00:05Z"`, `"2026-11-03T10:00:05.123456789-05:30"`,
	`"\u0000"`, `"a\nb"`, `"\u00e1"`, `"\/channels"`, `"inbound"`, `"resolved"`, `"customer"`, `"timeout"`,
	`"cx.message.v1"`, `"cx.message.v9"`, `"application/json"`, `"text/plain"`,
}

// decodeCorpus is the seeds and their mutations.
func decodeCorpus() []string {
	var out []string
	types := []string{TypeStarted, TypeMessage, TypeTransfer, TypeEnded, TypeSurvey}
	for _, typ := range types {
		data := seedData[typ]
		base := envelope(typ, data)
		out = append(out, render(base), render(envelope(typ, data[:0])))
		for i := range base {
			without := append(append([]member(nil), base[:i]...), base[i+1:]...)
			out = append(out, render(without))
			for _, v := range mutantValues {
				m := append([]member(nil), base...)
				m[i].raw = v
				out = append(out, render(m))
			}
			// A repeated member: the last one counts.
			out = append(out, render(append(append([]member(nil), base...), member{base[i].key, `null`})))
			out = append(out, render(append([]member{{base[i].key, `null`}}, base...)))
		}
		out = append(out, render(append(append([]member(nil), base...), member{"extra", `1`})))
		for i := range data {
			without := append(append([]member(nil), data[:i]...), data[i+1:]...)
			out = append(out, render(envelope(typ, without)))
			for _, v := range mutantValues {
				d := append([]member(nil), data...)
				d[i].raw = v
				out = append(out, render(envelope(typ, d)))
			}
		}
		out = append(out, render(envelope(typ, append(append([]member(nil), data...), member{"mood", `"bad"`}))))
		// Members of another type's payload.
		for _, other := range types {
			if other != typ {
				out = append(out, render(envelope(typ, append(append([]member(nil), data...), seedData[other][0]))))
			}
		}
	}
	out = append(out, `[]`, `"x"`, `null`, `{}`, `{"specversion":"1.0"`, `{"a":1}{"b":2}`, ` {"specversion" : "1.0"} `)
	return out
}

func agree(t *testing.T, raw string) {
	t.Helper()
	fast, errFast := decodeFast([]byte(raw))
	ref, errRef := decodeWithSchema([]byte(raw))
	if (errFast == nil) != (errRef == nil) {
		t.Fatalf("decoders disagree on %s\n  fast:   %v\n  schema: %v", clipped(raw), errFast, errRef)
	}
	if errFast != nil {
		if !errors.Is(errFast, ErrInvalid) {
			t.Fatalf("%s: error does not wrap ErrInvalid: %v", clipped(raw), errFast)
		}
		return
	}
	if !reflect.DeepEqual(fast, ref) {
		t.Fatalf("decoders decode %s differently\n  fast:   %+v\n  schema: %+v", clipped(raw), fast, ref)
	}
}

// TestDecodeAgreesWithSchema: the one-pass decoder accepts exactly what the
// JSON Schema validator on the embedded schema (plus encoding/json) accepts,
// and decodes it to the same Event.
func TestDecodeAgreesWithSchema(t *testing.T) {
	corpus := decodeCorpus()
	accepted := 0
	for _, raw := range corpus {
		agree(t, raw)
		if _, err := decodeFast([]byte(raw)); err == nil {
			accepted++
		}
	}
	t.Logf("%d documents, %d accepted by both decoders", len(corpus), accepted)
	if accepted < 50 || accepted > len(corpus)-100 {
		t.Errorf("corpus too one-sided: %d of %d accepted", accepted, len(corpus))
	}
}

func FuzzDecodeAgreesWithSchema(f *testing.F) {
	for i, raw := range decodeCorpus() {
		if i%7 == 0 {
			f.Add([]byte(raw))
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > MaxEventBytes || !validUTF8(raw) || hasLoneSurrogateEscape(raw) {
			// Checked before either decoder runs; and a lone surrogate
			// escape is replaced by U+FFFD in one decoder and refused by
			// the other, which the contract leaves open.
			return
		}
		agree(t, string(raw))
	})
}

func validUTF8(b []byte) bool { return strings.ToValidUTF8(string(b), "\x00\x00") == string(b) }

func hasLoneSurrogateEscape(b []byte) bool {
	s := strings.ToLower(string(b))
	return strings.Contains(s, `\ud`)
}
