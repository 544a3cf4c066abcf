// Package enrich is the first stage after decoding: it fills in what every
// later stage relies on — tenant, channel, the text as it will be stored, and
// its language.
//
// The stored text is redacted here, before classify, detect or any write:
// every later stage, every evidence offset and every row sees placeholders
// ("[CARD]", "[PHONE]"), never the values. For emails only the new text of
// the message is kept; the quoted history and the signature are dropped.
package enrich

import (
	"context"
	"strings"

	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/redact"
	"github.com/vigia-cx/vigia/pkg/stage"
	"github.com/vigia-cx/vigia/pkg/text"
)

// defaultRedactor is what a zero Stage uses: every type, no hashes. A stage
// built without configuration still never lets a value through.
var defaultRedactor = redact.MustNew(redact.Options{})

// StoredText is the text vigia stores for a raw message text or comment:
// normalized, for emails cut to what the sender wrote now, redacted. The
// `vigia redact` command calls it too, so it shows exactly what the
// pipeline stores.
func StoredText(r *redact.Redactor, raw, channel string) redact.Result {
	s := text.Normalize(raw)
	if channel == "email" {
		s = text.SplitEmail(s).Text()
	}
	return r.Redact(s)
}

// Enrich computes the enrichment of one event. subject is the NATS subject it
// arrived on (cx.events.<channel>.<kind>): events other than messages and
// starts carry no channel in their payload, the subject does.
func Enrich(ev *event.Event, subject string, r *redact.Redactor) event.Enrichment {
	en := event.Enrichment{Tenant: ev.TenantOrDefault(), Channel: ev.Data.Channel}
	if en.Channel == "" {
		en.Channel = channelFromSubject(subject)
	}
	var res redact.Result
	switch ev.Type {
	case event.TypeMessage:
		res = StoredText(r, ev.Data.Text, en.Channel)
	case event.TypeSurvey:
		res = StoredText(r, ev.Data.Comment, "")
	}
	if ev.Type == event.TypeMessage || ev.Type == event.TypeSurvey {
		en.RedactorVersion = redact.Version
	}
	en.Text = res.Text
	if len(res.Found) > 0 {
		en.PII = make([]event.PII, len(res.Found))
		for i, f := range res.Found {
			en.PII[i] = event.PII{Type: f.Type, Start: f.Start, End: f.End, Hash: f.Hash}
		}
	}
	if en.Text == "" {
		en.Lang = declaredLang(ev.Data.Lang)
		return en
	}
	if l := declaredLang(ev.Data.Lang); l != "" {
		// The channel system knows better than a guess from a short message.
		en.Lang, en.LangConfidence = l, 1
		return en
	}
	en.Lang, en.LangConfidence = text.DetectLang(en.Text, withoutPlaceholders(text.Tokenize(en.Text), en.PII))
	return en
}

// withoutPlaceholders drops the tokens of placeholders: "[ID_ES]" would
// count "es" as Spanish and "[PHONE]" "phone" as English.
func withoutPlaceholders(toks []text.Token, pii []event.PII) []text.Token {
	if len(pii) == 0 {
		return toks
	}
	out := toks[:0]
	k := 0
	for _, t := range toks {
		for k < len(pii) && pii[k].End <= t.Start {
			k++
		}
		if k < len(pii) && t.Start >= pii[k].Start && t.End <= pii[k].End {
			continue
		}
		out = append(out, t)
	}
	return out
}

func declaredLang(l string) string {
	switch l {
	case text.LangSpanish, text.LangEnglish:
		return l
	case "":
		return ""
	}
	return text.LangOther
}

func channelFromSubject(subject string) string {
	parts := strings.Split(subject, ".")
	if len(parts) >= 3 && parts[0] == "cx" && parts[1] == "events" {
		switch parts[2] {
		case "call", "chat", "email":
			return parts[2]
		}
	}
	return ""
}

// Stage binds Enrich to the stage contract. A zero Stage redacts with the
// defaults; NewRedactor builds the configured one.
type Stage struct {
	Redactor *redact.Redactor
}

// Name implements stage.Stage.
func (Stage) Name() string { return "enrich" }

// Process implements stage.Stage. Besides the enrichment, it replaces the
// event's own text, comment and email subject with their redacted forms:
// in separate-services mode the record travels on to the next stage over
// NATS, and the raw values must not travel with it.
func (s Stage) Process(_ context.Context, items []*stage.Item) error {
	r := s.Redactor
	if r == nil {
		r = defaultRedactor
	}
	for _, it := range items {
		ev := &it.Record.Event
		en := Enrich(ev, it.Subject, r)
		it.Record.Enriched = &en
		switch ev.Type {
		case event.TypeMessage:
			ev.Data.Text = en.Text
		case event.TypeSurvey:
			ev.Data.Comment = en.Text
		}
		if ev.Data.SubjectLine != "" {
			ev.Data.SubjectLine = r.Redact(text.Normalize(ev.Data.SubjectLine)).Text
		}
	}
	return nil
}
