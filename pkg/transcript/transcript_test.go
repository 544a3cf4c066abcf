package transcript

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/vigia-cx/vigia/pkg/event"
)

func TestTransferTarget(t *testing.T) {
	cases := map[string]string{
		"Llamada transferida a Facturación":      "facturacion",
		"Transferencia a Soporte Técnico":        "soporte_tecnico",
		"Chat transferred to Billing":            "billing",
		"Call transferred to Technical Support.": "technical_support",
	}
	for line, want := range cases {
		got, ok := TransferTarget(line)
		if !ok || got != want {
			t.Errorf("TransferTarget(%q) = %q, %v; want %q", line, got, ok, want)
		}
	}
	for _, line := range []string{"en espera", "conversation closed", "chat cerrado por inactividad"} {
		if _, ok := TransferTarget(line); ok {
			t.Errorf("%q is not a transfer", line)
		}
	}
}

func TestEventsValidateAndAreDeterministic(t *testing.T) {
	at := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	c := Conversation{ID: "conv-1", Lang: "es", Channel: "call", CustomerID: "cust-1", Queue: "Facturación",
		Turns: []Turn{
			{Role: "customer", TS: at, Text: "Hola, me cobraron dos veces"},
			{Role: "agent", TS: at.Add(5 * time.Second), Text: "Eso lo maneja otra área", AgentID: "ag-1"},
			{Role: "system", TS: at.Add(9 * time.Second), Text: "Llamada transferida a Cartera"},
		},
		Resolution: "unresolved", Survey: &Survey{Kind: "csat", Score: 1},
	}
	evs, err := c.Events()
	if err != nil {
		t.Fatal(err)
	}
	types := []string{event.TypeStarted, event.TypeMessage, event.TypeMessage, event.TypeTransfer, event.TypeEnded, event.TypeSurvey}
	if len(evs) != len(types) {
		t.Fatalf("got %d events", len(evs))
	}
	again, _ := c.Events()
	for i, ev := range evs {
		if ev.Type != types[i] {
			t.Errorf("event %d: type %s, want %s", i, ev.Type, types[i])
		}
		if ev.ID != again[i].ID {
			t.Errorf("event %d: id not deterministic", i)
		}
		raw, _ := json.Marshal(ev)
		if _, err := event.Decode(raw); err != nil {
			t.Errorf("event %d does not validate: %v\n%s", i, err, raw)
		}
	}
	if evs[3].Data.ToQueue != "cartera" || evs[3].Data.FromQueue != "facturacion" {
		t.Errorf("transfer: %+v", evs[3].Data)
	}
}
