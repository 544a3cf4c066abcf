package enrich

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/redact"
	"github.com/vigia-cx/vigia/pkg/stage"
	"github.com/vigia-cx/vigia/pkg/text"
)

var keyed = redact.MustNew(redact.Options{Key: []byte("enrich-test-key-0123456789")})

func TestEnrich(t *testing.T) {
	ev := event.Event{Type: event.TypeMessage, Data: event.Data{Channel: "chat", Speaker: "agent", Text: " Eso lo maneja otra área,\r\n señora "}}
	en := Enrich(&ev, "cx.events.chat.message", keyed)
	if en.Tenant != event.DefaultTenant || en.Channel != "chat" || en.Lang != "es" || en.Text != "Eso lo maneja otra área,\n señora" ||
		en.RedactorVersion != redact.Version || en.PII != nil {
		t.Fatalf("got %+v", en)
	}
	ended := event.Event{Type: event.TypeEnded, Tenant: "acme"}
	en = Enrich(&ended, "cx.events.call.ended", keyed)
	if en.Channel != "call" || en.Tenant != "acme" || en.Text != "" || en.RedactorVersion != "" {
		t.Fatalf("got %+v", en)
	}
	declared := event.Event{Type: event.TypeMessage, Data: event.Data{Text: "ok", Lang: "en"}}
	if en = Enrich(&declared, "", keyed); en.Lang != "en" || en.LangConfidence != 1 {
		t.Fatalf("declared language ignored: %+v", en)
	}
	pt := event.Event{Type: event.TypeMessage, Data: event.Data{Text: "ok", Lang: "pt"}}
	if en = Enrich(&pt, "", keyed); en.Lang != "other" {
		t.Fatalf("unsupported declared language must be other: %+v", en)
	}
}

func TestEnrichRedacts(t *testing.T) {
	ev := event.Event{Type: event.TypeMessage, Data: event.Data{Channel: "chat", Speaker: "customer",
		Text: "Hola, mi tarjeta es 4111 1111 1111 1111 y mi móvil +34 612 345 678"}}
	en := Enrich(&ev, "", keyed)
	want := "Hola, mi tarjeta es [CARD] y mi móvil [PHONE]"
	if en.Text != want || len(en.PII) != 2 || en.PII[0].Type != "CARD" || en.PII[1].Type != "PHONE" {
		t.Fatalf("got %+v", en)
	}
	for _, p := range en.PII {
		if got := text.Slice(en.Text, p.Start, p.End); got != "["+p.Type+"]" || len(p.Hash) != 32 {
			t.Errorf("%+v points at %q", p, got)
		}
	}
	survey := event.Event{Type: event.TypeSurvey, Data: event.Data{Comment: "llámenme al 612 345 678"}}
	if en := Enrich(&survey, "cx.events.call.survey", keyed); en.Text != "llámenme al [PHONE]" || len(en.PII) != 1 {
		t.Fatalf("survey comment: %+v", en)
	}
}

func TestLanguageIgnoresPlaceholders(t *testing.T) {
	// "[ID_ES]" holds the token "es"; it must not make a text Spanish.
	ev := event.Event{Type: event.TypeMessage, Data: event.Data{Text: "my ID is 12345678Z and the phone 612 345 678, thanks"}}
	en := Enrich(&ev, "", keyed)
	if !strings.Contains(en.Text, "[ID_ES]") || en.Lang != "en" {
		t.Fatalf("got %+v", en)
	}
}

func TestEmailKeepsOnlyNewText(t *testing.T) {
	body := "Sigo sin reembolso, mi IBAN es ES91 2100 0418 4502 0005 1332.\n\nSaludos,\nAna López\n612 345 678\n\n" +
		"El lun, 2 nov 2026 a las 10:00, Soporte <soporte@example.com> escribió:\n> Estimada Ana, su tarjeta 4111 1111 1111 1111"
	ev := event.Event{Type: event.TypeMessage, Data: event.Data{Channel: "email", Speaker: "customer", Text: body, SubjectLine: "Reembolso, tel 612 345 678"}}
	it := &stage.Item{Subject: "cx.events.email.message", Record: &event.Record{Event: ev}}
	if err := (Stage{Redactor: keyed}).Process(context.Background(), []*stage.Item{it}); err != nil {
		t.Fatal(err)
	}
	en := it.Record.Enriched
	if en.Text != "Sigo sin reembolso, mi IBAN es [IBAN]." || len(en.PII) != 1 {
		t.Fatalf("got %+v", en)
	}
	got := it.Record.Event.Data
	if got.Text != en.Text || got.SubjectLine != "Reembolso, tel [PHONE]" {
		t.Fatalf("record still carries raw values: %+v", got)
	}
	// A chat is not cut: "Saludos" in a chat is just a word.
	chat := event.Event{Type: event.TypeMessage, Data: event.Data{Channel: "chat", Text: "ok\n\nSaludos,\nAna"}}
	if en := Enrich(&chat, "", keyed); en.Text != "ok\n\nSaludos,\nAna" {
		t.Fatalf("chat cut like an email: %q", en.Text)
	}
}

func TestZeroStageRedacts(t *testing.T) {
	it := &stage.Item{Record: &event.Record{Event: event.Event{Type: event.TypeMessage, Data: event.Data{Text: "mail ana@example.com"}}}}
	if err := (Stage{}).Process(context.Background(), []*stage.Item{it}); err != nil {
		t.Fatal(err)
	}
	if en := it.Record.Enriched; en.Text != "mail [EMAIL]" || en.PII[0].Hash != "" {
		t.Fatalf("zero stage: %+v", en)
	}
}

func TestNewRedactor(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	r, err := NewRedactor(config.Redact{}, log)
	if err != nil || r.Keyed() || !strings.Contains(logs.String(), "VIGIA_REDACT_KEY is not set") {
		t.Fatalf("no key: %v keyed=%v log %q", err, r != nil && r.Keyed(), logs.String())
	}
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte("a-key-from-a-file-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	r, err = NewRedactor(config.Redact{Key: "ignored-because-file-wins", KeyFile: keyFile, Types: "CARD", Style: "angle", KeepLast: 4}, log)
	if err != nil || !r.Keyed() || strings.Contains(logs.String(), "not set") || strings.Contains(logs.String(), "a-key-from") {
		t.Fatalf("key file: %v, log %q", err, logs.String())
	}
	if got := r.Redact("4111 1111 1111 1111 ana@example.com").Text; got != "<CARD ****1111> ana@example.com" {
		t.Fatalf("options not applied: %q", got)
	}
	for _, bad := range []config.Redact{{Key: "short"}, {Types: "CARD,NOPE"}, {Style: "x"}, {KeepLast: 9}, {KeyFile: "/nonexistent/key"}} {
		if _, err := NewRedactor(bad, nil); err == nil {
			t.Errorf("%+v: want an error", bad)
		}
	}
}
