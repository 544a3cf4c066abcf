// Package enrich is the first stage after decoding: it fills in what every
// later stage relies on — tenant, channel, the text as it will be stored, and
// its language.
package enrich

import (
	"context"
	"strings"

	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/stage"
	"github.com/vigia-cx/vigia/pkg/text"
)

// Enrich computes the enrichment of one event. subject is the NATS subject it
// arrived on (cx.events.<channel>.<kind>): events other than messages and
// starts carry no channel in their payload, the subject does.
func Enrich(ev *event.Event, subject string) event.Enrichment {
	en := event.Enrichment{Tenant: ev.TenantOrDefault(), Channel: ev.Data.Channel}
	if en.Channel == "" {
		en.Channel = channelFromSubject(subject)
	}
	switch ev.Type {
	case event.TypeMessage:
		en.Text = text.Normalize(ev.Data.Text)
	case event.TypeSurvey:
		en.Text = text.Normalize(ev.Data.Comment)
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
	en.Lang, en.LangConfidence = text.DetectLang(en.Text, text.Tokenize(en.Text))
	return en
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

// Stage binds Enrich to the stage contract.
type Stage struct{}

// Name implements stage.Stage.
func (Stage) Name() string { return "enrich" }

// Process implements stage.Stage.
func (Stage) Process(_ context.Context, items []*stage.Item) error {
	for _, it := range items {
		en := Enrich(&it.Record.Event, it.Subject)
		it.Record.Enriched = &en
	}
	return nil
}
