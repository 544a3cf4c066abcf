package enrich

import (
	"testing"

	"github.com/vigia-cx/vigia/pkg/event"
)

func TestEnrich(t *testing.T) {
	ev := event.Event{Type: event.TypeMessage, Data: event.Data{Channel: "chat", Speaker: "agent", Text: " Eso lo maneja otra área,\r\n señora "}}
	en := Enrich(&ev, "cx.events.chat.message")
	if en.Tenant != event.DefaultTenant || en.Channel != "chat" || en.Lang != "es" || en.Text != "Eso lo maneja otra área,\n señora" {
		t.Fatalf("got %+v", en)
	}
	ended := event.Event{Type: event.TypeEnded, Tenant: "acme"}
	en = Enrich(&ended, "cx.events.call.ended")
	if en.Channel != "call" || en.Tenant != "acme" || en.Text != "" {
		t.Fatalf("got %+v", en)
	}
	declared := event.Event{Type: event.TypeMessage, Data: event.Data{Text: "ok", Lang: "en"}}
	if en = Enrich(&declared, ""); en.Lang != "en" || en.LangConfidence != 1 {
		t.Fatalf("declared language ignored: %+v", en)
	}
	pt := event.Event{Type: event.TypeMessage, Data: event.Data{Text: "ok", Lang: "pt"}}
	if en = Enrich(&pt, ""); en.Lang != "other" {
		t.Fatalf("unsupported declared language must be other: %+v", en)
	}
}
