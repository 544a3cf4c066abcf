package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitEmail(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"plain", "Hola, el pedido no llegó.\nGracias", "Hola, el pedido no llegó.\nGracias"},
		{"gmail es", "No me han devuelto el dinero.\n\nEl lun, 2 nov 2026 a las 10:00, Soporte <soporte@example.com> escribió:\n> Estimado cliente,\n> su caso fue cerrado.",
			"No me han devuelto el dinero."},
		{"gmail en wrapped", "Still waiting.\n\nOn Mon, Nov 2, 2026 at 10:00 AM Support Team <\nsupport@example.com> wrote:\n> Dear customer",
			"Still waiting."},
		{"outlook es", "Sigo sin servicio.\n\n________________________________\nDe: Atención al Cliente <ac@example.com>\nEnviado: lunes, 2 de noviembre de 2026 10:00\nPara: Ana\nAsunto: Caso 123",
			"Sigo sin servicio."},
		{"outlook header only", "Sigo sin servicio.\nDe: Atención <ac@example.com>\nEnviado: lunes\nPara: Ana\nAsunto: Caso\n\ntexto viejo",
			"Sigo sin servicio."},
		{"original message", "Please call me.\n-----Original Message-----\nFrom: x\nSent: y\nTo: z\nold", "Please call me."},
		{"forward", "FYI\n---------- Forwarded message ---------\nFrom: a", "FYI"},
		{"sig dashes", "Thanks for nothing.\n-- \nJohn Doe\n+1 415 555 0123", "Thanks for nothing."},
		{"saludos", "Necesito la factura de octubre.\n\nSaludos,\nAna López\nTel. 612 345 678", "Necesito la factura de octubre."},
		{"best regards", "The app crashes on login.\nBest regards,\nJohn\nACME Corp", "The app crashes on login."},
		{"iphone", "Ya pagué, revisen.\n\nEnviado desde mi iPhone", "Ya pagué, revisen."},
		{"iphone en", "Paid already.\n\nSent from my iPhone\n\nOn Mon, Nov 2 wrote:\n> x", "Paid already."},
		{"signoff mid message", "Saludos, les escribo porque el técnico no vino.\nY tampoco ayer, ni el lunes, ni el martes.\nLínea 3\nLínea 4\nLínea 5\nLínea 6\nLínea 7\nLínea 8",
			"Saludos, les escribo porque el técnico no vino.\nY tampoco ayer, ni el lunes, ni el martes.\nLínea 3\nLínea 4\nLínea 5\nLínea 6\nLínea 7\nLínea 8"},
		{"atentamente with long tail", "Hola\nAtentamente,\n" + strings.Repeat("una línea bastante larga de texto que sigue y sigue y sigue sin parar nunca jamás\n", 2),
			"Hola\nAtentamente,\n" + strings.Repeat("una línea bastante larga de texto que sigue y sigue y sigue sin parar nunca jamás\n", 2)},
		{"only signoff", "Saludos", "Saludos"},
		{"bottom post", "> ¿Sigue el problema?\n> Soporte\n\nSí, sigue igual.\n\nSaludos,\nAna", "Sí, sigue igual."},
		{"inline greater-than in text", "El precio > 100 es caro", "El precio > 100 es caro"},
	}
	for _, c := range cases {
		e := SplitEmail(c.body)
		if got := e.Text(); got != strings.TrimSpace(c.want) {
			t.Errorf("%s: got %q, want %q (signature %q, quoted %q)", c.name, got, strings.TrimSpace(c.want), e.Signature, e.Quoted)
		}
		checkEmail(t, c.body, e)
	}
}

func checkEmail(t *testing.T, body string, e Email) {
	t.Helper()
	if len(e.New)+len(e.Signature)+len(e.Quoted) != len(body) {
		t.Fatalf("%q: parts of %d+%d+%d bytes, body %d", body, len(e.New), len(e.Signature), len(e.Quoted), len(body))
	}
	for _, part := range []string{e.New, e.Signature} {
		if !strings.Contains(body, part) {
			t.Fatalf("%q: part %q is not in the body", body, part)
		}
	}
	if utf8.ValidString(body) && (!utf8.ValidString(e.New) || !utf8.ValidString(e.Signature) || !utf8.ValidString(e.Quoted)) {
		t.Fatalf("%q: a part is not valid UTF-8", body)
	}
	for _, l := range strings.Split(e.New, "\n") {
		if strings.HasPrefix(strings.TrimLeft(l, " \t"), ">") {
			t.Fatalf("%q: quoted line %q kept as new text", body, l)
		}
	}
}

func FuzzSplitEmail(f *testing.F) {
	for _, s := range []string{"a\n> b", "On x wrote:\n> y\nz", "El x\nescribió:", "De: a\nEnviado: b\nPara: c", "x\n--\ny",
		"Saludos,\nAna", "> a\n\nb\n-- \nc", "\n\n\n", "_________\n", "\r\n>\r\n", "Sent from my phone\nx", "On wrote:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		e := SplitEmail(body)
		checkEmail(t, body, e)
		if !strings.Contains(body, "\n") && e.Quoted == "" && e.New != body {
			t.Fatalf("%q: a one-line body lost text: %q", body, e.New)
		}
	})
}
