// Command gencorpus writes pkg/redact/testdata/corpus.jsonl: contact-center
// sentences in Spanish and English with fake personal data, and sentences
// full of numbers that are not personal data. Every number is random, and
// check digits are computed here, apart from the detectors, so the corpus
// does not just repeat the redactor's own code back to it.
//
//	cd pkg && go run ./redact/testdata/gencorpus > redact/testdata/corpus.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
)

type value struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type entry struct {
	Text string  `json:"text"`
	Lang string  `json:"lang"`
	PII  []value `json:"pii"`
	Note string  `json:"note,omitempty"`
}

var rng = rand.New(rand.NewPCG(2026, 12))

func digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rng.IntN(10))
	}
	return string(b)
}

func pick[T any](xs []T) T { return xs[rng.IntN(len(xs))] }

func luhnDigit(body string) byte {
	sum := 0
	for i := 0; i < len(body); i++ {
		d := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

func card() string {
	var prefix string
	n := 16
	switch rng.IntN(5) {
	case 0, 1:
		prefix = "4" + digits(5)
	case 2:
		prefix = fmt.Sprintf("5%d", 1+rng.IntN(5)) + digits(4)
	case 3:
		prefix, n = pick([]string{"34", "37"})+digits(4), 15
	default:
		prefix = "6011" + digits(2)
	}
	body := prefix + digits(n-1-len(prefix))
	return body + string(luhnDigit(body))
}

func group(d string, sizes []int, sep string) string {
	var parts []string
	for _, s := range sizes {
		parts = append(parts, d[:s])
		d = d[s:]
	}
	if d != "" {
		parts = append(parts, d)
	}
	return strings.Join(parts, sep)
}

var spelledES = []string{"cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"}
var spelledEN = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

// spell reads d digit by digit; mixed keeps some groups as digits, the way
// speech-to-text writes a number read fast.
func spell(d, lang string, mixed bool) string {
	words := spelledES
	if lang == "en" {
		words = spelledEN
	}
	var out []string
	for i := 0; i < len(d); i++ {
		if mixed && i%4 == 2 && i+2 <= len(d) {
			out = append(out, d[i:i+2])
			i++
			continue
		}
		w := words[d[i]-'0']
		if lang == "en" && d[i] == '0' && rng.IntN(2) == 0 {
			w = "oh"
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

func cardFormat(d, lang string) string {
	switch rng.IntN(6) {
	case 0:
		return d
	case 1:
		if len(d) == 15 {
			return group(d, []int{4, 6}, " ")
		}
		return group(d, []int{4, 4, 4}, "-")
	case 2:
		return spell(d, lang, false)
	case 3:
		return spell(d, lang, true)
	}
	if len(d) == 15 {
		return group(d, []int{4, 6}, " ")
	}
	return group(d, []int{4, 4, 4}, " ")
}

type phoneFmt struct {
	lang string
	gen  func() string
}

func phone(lang string) string {
	es := []func() string{
		func() string { d := pick([]string{"6", "7"}) + digits(8); return group(d, []int{3, 3}, " ") },
		func() string { d := "6" + digits(8); return "+34 " + group(d, []int{3, 2, 2}, " ") },
		func() string { d := "9" + digits(8); return group(d, []int{2, 3, 2}, " ") },
		func() string { d := "6" + digits(8); return "0034 " + d },
		func() string { d := "55" + digits(8); return "+52 " + group(d, []int{2, 4}, " ") },
		func() string { d := "33" + digits(8); return "(33) " + group(d[2:], []int{4}, "-") },
		func() string { d := "81" + digits(8); return group(d, []int{3, 3}, "-") },
		func() string {
			d := "3" + pick([]string{"00", "01", "10", "15", "20"}) + digits(7)
			return group(d, []int{3, 3}, " ")
		},
		func() string {
			d := "3" + pick([]string{"00", "12", "17"}) + digits(7)
			return "+57 " + group(d, []int{3, 3}, " ")
		},
		func() string { d := "601" + digits(7); return "(601) " + group(d[3:], []int{3}, " ") },
		func() string { d := digits(8); return "+54 9 11 " + group(d, []int{4}, "-") },
		func() string { d := digits(8); return "011 " + group(d, []int{4}, "-") },
		func() string { d := digits(8); return "11 " + group(d, []int{4}, " ") },
		func() string { d := "9" + digits(8); return "+56 " + group(d, []int{1, 4}, " ") },
		func() string { d := digits(8); return "9 " + group(d, []int{4}, " ") },
		func() string { d := "6" + digits(8); return group(d, []int{3, 3}, ".") },
	}
	en := []func() string{
		func() string {
			return fmt.Sprintf("(%d%s) %d%s-%s", 2+rng.IntN(8), digits(2), 2+rng.IntN(8), digits(2), digits(4))
		},
		func() string {
			return fmt.Sprintf("%d%s-%d%s-%s", 2+rng.IntN(8), digits(2), 2+rng.IntN(8), digits(2), digits(4))
		},
		func() string {
			return fmt.Sprintf("+1 %d%s %d%s %s", 2+rng.IntN(8), digits(2), 2+rng.IntN(8), digits(2), digits(4))
		},
		func() string {
			return fmt.Sprintf("%d%s.%d%s.%s", 2+rng.IntN(8), digits(2), 2+rng.IntN(8), digits(2), digits(4))
		},
		func() string {
			return fmt.Sprintf("1-%d%s-%d%s-%s", 2+rng.IntN(8), digits(2), 2+rng.IntN(8), digits(2), digits(4))
		},
		func() string { d := "6" + digits(8); return "+34 " + group(d, []int{3, 3}, " ") },
		func() string { d := "55" + digits(8); return "+52 " + group(d, []int{2, 4}, " ") },
	}
	if lang == "es" {
		return pick(es)()
	}
	return pick(en)()
}

func spelledPhone(lang string) string {
	if lang == "es" {
		return spell("6"+digits(8), lang, rng.IntN(2) == 0)
	}
	return spell(fmt.Sprintf("%d%s%d%s", 2+rng.IntN(8), digits(2), 2+rng.IntN(8), digits(6)), lang, rng.IntN(2) == 0)
}

func mod97(s string) int {
	r := 0
	for _, c := range s {
		if c >= 'A' && c <= 'Z' {
			r = (r*100 + int(c-'A') + 10) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	return r
}

func iban() string {
	cc, bban := "ES", digits(20)
	switch rng.IntN(4) {
	case 1:
		cc, bban = "DE", digits(18)
	case 2:
		cc, bban = "PT", digits(21)
	case 3:
		cc, bban = "GB", pick([]string{"WEST", "NWBK", "BARC"})+digits(14)
	}
	check := 98 - mod97(bban+cc+"00")
	v := fmt.Sprintf("%s%02d%s", cc, check, bban)
	switch rng.IntN(3) {
	case 0:
		return v
	case 1:
		return strings.ToLower(v[:2]) + v[2:]
	}
	var parts []string
	for len(v) > 4 {
		parts = append(parts, v[:4])
		v = v[4:]
	}
	return strings.Join(append(parts, v), " ")
}

const dniTable = "TRWAGMYFPDXBNJZSQVHLCKE"

func dni() string {
	n := rng.IntN(99999999)
	d := fmt.Sprintf("%08d", n)
	l := string(dniTable[n%23])
	switch rng.IntN(4) {
	case 0:
		return d + l
	case 1:
		return d + "-" + l
	case 2:
		return fmt.Sprintf("%s.%s.%s-%s", d[:2], d[2:5], d[5:], l)
	}
	return d + strings.ToLower(l)
}

func nie() string {
	p := rng.IntN(3)
	n := rng.IntN(9999999)
	l := dniTable[(p*10000000+n)%23]
	v := fmt.Sprintf("%c%07d%c", "XYZ"[p], n, l)
	if rng.IntN(3) == 0 {
		return fmt.Sprintf("%c-%07d-%c", "XYZ"[p], n, l)
	}
	return v
}

const curpAlpha = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ"

func letters(n int, from string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = from[rng.IntN(len(from))]
	}
	return string(b)
}

const consonants = "BCDFGHJKLMNPQRSTVWXYZ"

func date6() string {
	return fmt.Sprintf("%02d%02d%02d", rng.IntN(100), 1+rng.IntN(12), 1+rng.IntN(28))
}

func curp() string {
	states := []string{"DF", "JC", "NL", "MC", "PL", "VZ", "GT", "CH", "YN", "OC"}
	base := letters(1, consonants) + letters(1, "AEIOU") + letters(2, consonants) + date6() + pick([]string{"H", "M"}) +
		pick(states) + letters(3, consonants) + letters(1, "0ABC")
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(curpAlpha, base[i]) * (18 - i)
	}
	return base + string(rune('0'+(10-sum%10)%10))
}

const rfcAlpha = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"

func rfc() string {
	nl := 4
	if rng.IntN(4) == 0 {
		nl = 3
	}
	base := letters(nl, consonants+"AEIOU") + date6() + letters(2, "ABCDEFGHJKLMNPQRSTUVWXYZ123456789")
	padded := base
	if nl == 3 {
		padded = " " + base
	}
	sum := 0
	for i := 0; i < 12; i++ {
		sum += strings.IndexByte(rfcAlpha, padded[i]) * (13 - i)
	}
	check := "0123456789A"[(11-sum%11)%11]
	v := base + string(check)
	if rng.IntN(4) == 0 {
		return v[:nl] + "-" + v[nl:nl+6] + "-" + v[nl+6:]
	}
	return v
}

func rutDV(d string) byte {
	sum, w := 0, 2
	for i := len(d) - 1; i >= 0; i-- {
		sum += int(d[i]-'0') * w
		if w++; w > 7 {
			w = 2
		}
	}
	switch r := 11 - sum%11; r {
	case 11:
		return '0'
	case 10:
		return 'K'
	default:
		return byte('0' + r)
	}
}

func rut(wantK bool) string {
	for {
		n := 5000000 + rng.IntN(20000000)
		d := fmt.Sprint(n)
		dv := rutDV(d)
		if wantK != (dv == 'K') {
			continue
		}
		if rng.IntN(2) == 0 {
			return fmt.Sprintf("%s-%c", d, dv)
		}
		s := d
		if len(d) == 8 {
			s = d[:2] + "." + d[2:5] + "." + d[5:]
		} else {
			s = d[:1] + "." + d[1:4] + "." + d[4:]
		}
		if rng.IntN(3) == 0 && dv == 'K' {
			return fmt.Sprintf("%s-k", s)
		}
		return fmt.Sprintf("%s-%c", s, dv)
	}
}

func cuit() (string, bool) {
	for {
		d := pick([]string{"20", "27", "23", "30"}) + digits(8)
		w := []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
		sum := 0
		for i, x := range w {
			sum += int(d[i]-'0') * x
		}
		dv := 11 - sum%11
		if dv == 10 {
			continue
		}
		if dv == 11 {
			dv = 0
		}
		full := d + fmt.Sprint(dv)
		if rng.IntN(3) == 0 {
			return full, false
		}
		return full[:2] + "-" + full[2:10] + "-" + full[10:], true
	}
}

func dniAR() string {
	d := fmt.Sprint(10000000 + rng.IntN(35000000))
	if rng.IntN(2) == 0 {
		return d[:2] + "." + d[2:5] + "." + d[5:]
	}
	return d
}

func cedula() string {
	switch rng.IntN(3) {
	case 0:
		d := "10" + digits(8)
		return d[:1] + "." + d[1:4] + "." + d[4:7] + "." + d[7:]
	case 1:
		return fmt.Sprint(10000000 + rng.IntN(89999999))
	}
	d := fmt.Sprint(1000000000 + rng.IntN(99999999))
	return d
}

func ssn() (string, bool) {
	area := 1 + rng.IntN(898)
	if area == 666 {
		area = 667
	}
	d := fmt.Sprintf("%03d%02d%04d", area, 1+rng.IntN(99), 1+rng.IntN(9999))
	switch rng.IntN(3) {
	case 0:
		return d[:3] + "-" + d[3:5] + "-" + d[5:], true
	case 1:
		return d[:3] + " " + d[3:5] + " " + d[5:], true
	}
	return d, false
}

var streetsES = []string{"Calle de los Olivos", "Avenida del Parque", "Calle Mayor", "Av. de la Constitución", "Carrera", "Calle",
	"Avenida Insurgentes Sur", "Calle Ficticia", "Paseo de las Acacias", "C/ Río Tajo", "Avenida Libertador"}
var streetsEN = []string{"Maple Grove Ave", "Elm Street", "Oak Hollow Rd", "Sunset Blvd", "Pinecrest Lane", "Harbor View Dr",
	"Willow Creek Court", "Juniper Way", "Birch St"}

func addressES() string {
	s := pick(streetsES)
	switch s {
	case "Carrera", "Calle":
		return fmt.Sprintf("%s %d # %d-%d", s, 1+rng.IntN(120), 1+rng.IntN(99), 1+rng.IntN(99))
	}
	n := 1 + rng.IntN(400)
	switch rng.IntN(3) {
	case 0:
		return fmt.Sprintf("%s %d, %dº %c", s, n, 1+rng.IntN(9), "ABCD"[rng.IntN(4)])
	case 1:
		return fmt.Sprintf("%s %d, piso %d", s, n, 1+rng.IntN(9))
	}
	return fmt.Sprintf("%s %d", s, n)
}

func addressEN() string {
	n := 10 + rng.IntN(9000)
	if rng.IntN(3) == 0 {
		return fmt.Sprintf("%d %s, Apt %d%c", n, pick(streetsEN), 1+rng.IntN(20), "ABC"[rng.IntN(3)])
	}
	return fmt.Sprintf("%d %s", n, pick(streetsEN))
}

func otp() string { return digits(4 + 2*rng.IntN(2)) }

func password() string {
	return pick([]string{"Girasol", "Tortuga", "Luna", "Falcon", "Maple", "Rio", "Cobalto", "Nube"}) + digits(2+rng.IntN(3)) +
		pick([]string{"", "!", "#", "$"})
}

type tmpl struct {
	lang, typ string
	text      string
	gen       func() string
}

func main() {
	var out []entry
	add := func(lang, text string, vals ...value) { out = append(out, entry{Text: text, Lang: lang, PII: vals}) }
	neg := func(lang, note, text string) {
		out = append(out, entry{Text: text, Lang: lang, PII: []value{}, Note: note})
	}

	positives := []struct {
		lang, typ string
		texts     []string
		gen       func(lang string) string
		n         int
	}{
		{"es", "CARD", []string{"Mi tarjeta es la %s, ¿me confirman el cargo?", "Le doy el número de la tarjeta: %s",
			"pagué con %s y me cobraron dos veces el pedido de ayer", "la visa termina... bueno es %s"}, func(l string) string { return cardFormat(card(), l) }, 14},
		{"en", "CARD", []string{"My card number is %s, can you check the charge?", "I paid with %s and was charged twice",
			"it's %s, expiring 09/28", "Card: %s"}, func(l string) string { return cardFormat(card(), l) }, 14},
		{"es", "EMAIL", []string{"Escríbanme a %s por favor", "mi correo es %s", "Envíen la factura a %s, gracias"},
			func(string) string { return email(false, "es") }, 7},
		{"es", "EMAIL", []string{"mi correo es %s", "apunte el correo %s"}, func(string) string { return email(true, "es") }, 5},
		{"en", "EMAIL", []string{"Please email me at %s", "my email is %s", "send it to %s thanks"},
			func(string) string { return email(false, "en") }, 7},
		{"en", "EMAIL", []string{"my email is %s", "it's %s"}, func(string) string { return email(true, "en") }, 5},
		{"es", "PHONE", []string{"Llámenme al %s cuando puedan", "mi teléfono es %s", "Mi celular: %s",
			"pueden contactarme en el %s por la tarde", "El número de contacto es el %s"}, phone, 24},
		{"es", "PHONE", []string{"mi número es %s", "apunte mi teléfono, %s"}, func(string) string { return spelledPhone("es") }, 8},
		{"en", "PHONE", []string{"Call me back at %s please", "my phone number is %s", "You can reach me on %s after 5pm",
			"the best number is %s"}, phone, 18},
		{"en", "PHONE", []string{"my number is %s", "call me at %s"}, func(string) string { return spelledPhone("en") }, 8},
		{"es", "IBAN", []string{"Mi IBAN es %s", "hagan la devolución a la cuenta %s", "IBAN: %s"}, func(string) string { return iban() }, 8},
		{"en", "IBAN", []string{"Refund it to IBAN %s", "my bank account is %s"}, func(string) string { return iban() }, 6},
		{"es", "ID_ES", []string{"Mi DNI es %s", "le doy el DNI, %s", "con DNI %s a nombre de mi madre"}, func(string) string { return dni() }, 10},
		{"es", "ID_ES", []string{"Mi NIE es %s", "el NIE %s"}, func(string) string { return nie() }, 6},
		{"en", "ID_ES", []string{"My Spanish ID is %s", "NIE %s"}, func(string) string { return nie() }, 3},
		{"es", "CURP", []string{"Mi CURP es %s", "la CURP de mi hija: %s", "%s es mi CURP"}, func(string) string { return curp() }, 10},
		{"en", "CURP", []string{"my CURP is %s"}, func(string) string { return curp() }, 3},
		{"es", "RFC", []string{"Facture a mi RFC %s por favor", "el RFC es %s"}, func(string) string { return rfc() }, 10},
		{"en", "RFC", []string{"Invoice it to RFC %s"}, func(string) string { return rfc() }, 3},
		{"es", "RUT", []string{"Mi RUT es %s", "le doy mi rut %s", "el RUT de la empresa es %s"}, func(string) string { return rut(rng.IntN(4) == 0) }, 12},
		{"es", "CUIT", nil, nil, 10},
		{"es", "DNI_AR", []string{"Mi DNI es %s", "el número de documento es %s", "con D.N.I. %s"}, func(string) string { return dniAR() }, 12},
		{"es", "CEDULA_CO", []string{"Mi cédula es %s", "C.C. %s de Bogotá", "cedula %s", "mi número de cédula es el %s"},
			func(string) string { return cedula() }, 14},
		{"en", "SSN", nil, nil, 14},
		{"es", "ADDRESS", []string{"Vivo en %s, Madrid", "Mi dirección es %s.", "Envíenlo a la %s por favor",
			"la dirección de envío es %s"}, func(string) string { return addressES() }, 14},
		{"en", "ADDRESS", []string{"My address is %s, Springfield", "I live at %s.", "ship it to %s please"},
			func(string) string { return addressEN() }, 12},
		{"es", "SECRET", []string{"mi clave es %s", "el código es %s", "El código que me llegó es %s", "mi contraseña es %s",
			"el PIN es %s"}, nil, 10},
		{"en", "SECRET", []string{"my password is %s", "the code is %s", "my PIN is %s", "the verification code is %s"}, nil, 10},
	}
	for _, p := range positives {
		for i := 0; i < p.n; i++ {
			switch p.typ {
			case "CUIT":
				v, dashed := cuit()
				t := pick([]string{"Mi CUIT es %s", "el CUIL %s", "facturen al CUIT %s"})
				if dashed && rng.IntN(2) == 0 {
					t = "le paso el número: %s"
				}
				add("es", fmt.Sprintf(t, v), value{p.typ, v})
			case "SSN":
				v, formatted := ssn()
				t := pick([]string{"My SSN is %s", "social security number %s", "my social is %s"})
				if formatted && rng.IntN(2) == 0 {
					t = pick([]string{"it's %s", "here you go: %s"})
				}
				add("en", fmt.Sprintf(t, v), value{p.typ, v})
			case "SECRET":
				t := p.texts[i%len(p.texts)]
				v := otp()
				if strings.Contains(t, "contraseña") || strings.Contains(t, "password") {
					v = password()
				} else if i%3 == 2 {
					v = spell(v, p.lang, false)
				}
				add(p.lang, fmt.Sprintf(t, v), value{p.typ, v})
			default:
				v := p.gen(p.lang)
				add(p.lang, fmt.Sprintf(p.texts[i%len(p.texts)], v), value{p.typ, v})
			}
		}
	}
	handPositives(add)
	// Messages with more than one value, and values among decoy numbers.
	for i := 0; i < 12; i++ {
		c, ph, m := cardFormat(card(), "es"), phone("es"), email(false, "es")
		add("es", fmt.Sprintf("Hola, soy cliente desde 2019. Mi tarjeta %s, mi teléfono %s y mi correo %s; el pedido 2026-%s sigue sin llegar.",
			c, ph, m, digits(6)), value{"CARD", c}, value{"PHONE", ph}, value{"EMAIL", m})
		c2, ph2 := cardFormat(card(), "en"), phone("en")
		add("en", fmt.Sprintf("Order #%s was $%d.%02d on 11/02/2026. Charge card %s and text me at %s.",
			digits(7), 10+rng.IntN(900), rng.IntN(100), c2, ph2), value{"CARD", c2}, value{"PHONE", ph2})
	}

	negatives := []struct {
		lang, note string
		texts      []string
		n          int
	}{
		{"es", "order number", []string{"Mi número de pedido es %s", "el pedido %s no ha llegado", "Pedido nº %s, ¿dónde está?",
			"la orden %s figura como entregada"}, 24},
		{"en", "order number", []string{"My order number is %s", "order #%s still hasn't shipped", "Order %s was cancelled without notice"}, 18},
		{"es", "tracking", []string{"El número de seguimiento es %s", "la guía %s dice en tránsito", "tracking %s"}, 14},
		{"en", "tracking", []string{"tracking number %s shows delivered", "The tracking code is %s"}, 10},
		{"es", "invoice", []string{"La factura %s vence el 15/12/2026", "factura nº %s por 1.250,00 €", "el folio %s"}, 14},
		{"en", "invoice", []string{"Invoice %s is overdue", "invoice number %s for $1,250.00"}, 10},
		{"es", "ticket", []string{"Le abrí el ticket %s", "su caso es el %s", "con el número de incidencia %s", "referencia %s"}, 16},
		{"en", "ticket", []string{"I opened ticket %s", "your case number is %s", "reference %s"}, 12},
		{"es", "amount", []string{"me cobraron $%s pesos", "son %s euros", "el saldo es de $ %s", "pagué %s COP"}, 12},
		{"en", "amount", []string{"I was charged $%s", "the balance is %s dollars", "a refund of USD %s"}, 10},
		{"es", "date", []string{"la cita es el %s a las 10:30", "desde el %s no tengo servicio", "vence el %s"}, 12},
		{"en", "date", []string{"the appointment is on %s at 3:45 pm", "since %s I have no service"}, 8},
		{"es", "quantity", []string{"llevo %s minutos esperando", "el plan de %s GB no me alcanza", "ya van %s días"}, 8},
		{"en", "quantity", []string{"I've been waiting %s minutes", "the %s GB plan is not enough"}, 6},
		{"es", "year/percent/time", []string{"soy cliente desde %s", "me subieron un %s%% la cuota", "a las %s no había nadie"}, 9},
		{"en", "year/percent/time", []string{"I've been a customer since %s", "a %s%% increase", "at %s nobody answered"}, 6},
		{"es", "codes", []string{"el código postal es %s", "el código de descuento %s no funciona", "el modelo del router es %s",
			"la versión %s tiene el fallo", "el código de error es %s"}, 10},
		{"en", "codes", []string{"the zip code is %s", "promo code %s did not apply", "error code %s again", "model %s"}, 8},
	}
	for _, g := range negatives {
		for i := 0; i < g.n; i++ {
			t := g.texts[i%len(g.texts)]
			var v string
			switch g.note {
			case "order number", "invoice", "ticket":
				v = pick([]string{digits(8), digits(9), digits(10), digits(12), "2026-" + digits(6), digits(3) + "-" + digits(3) + "-" + digits(4),
					card(), "A-" + digits(7), digits(4) + " " + digits(4) + " " + digits(4) + " " + digits(4)})
			case "tracking":
				v = pick([]string{"1Z" + letters(3, "ABCDEFGHXYZ") + digits(11), "RR" + digits(9) + "ES", digits(12), digits(4) + " " + digits(4) + " " + digits(4),
					"MX" + digits(10), "JD" + digits(16)})
			case "amount":
				v = pick([]string{fmt.Sprintf("%d.%03d.%03d", 1+rng.IntN(9), rng.IntN(1000), rng.IntN(1000)), fmt.Sprintf("%d,%03d.%02d", 1+rng.IntN(99), rng.IntN(1000), rng.IntN(100)),
					fmt.Sprintf("%d.%03d,%02d", 1+rng.IntN(999), rng.IntN(1000), rng.IntN(100)), fmt.Sprint(100000 + rng.IntN(900000000))})
			case "date":
				v = pick([]string{fmt.Sprintf("%02d/%02d/2026", 1+rng.IntN(28), 1+rng.IntN(12)), fmt.Sprintf("2026-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28)),
					fmt.Sprintf("%02d-%02d-2025", 1+rng.IntN(28), 1+rng.IntN(12)), fmt.Sprintf("%02d.%02d.2026", 1+rng.IntN(28), 1+rng.IntN(12))})
			case "quantity":
				v = fmt.Sprint(1 + rng.IntN(500))
			case "year/percent/time":
				switch {
				case strings.Contains(t, "%%"):
					v = fmt.Sprint(1 + rng.IntN(40))
				case strings.Contains(t, "las") || strings.Contains(t, "at %s"):
					v = fmt.Sprintf("%d:%02d", 1+rng.IntN(12), rng.IntN(60))
				default:
					v = fmt.Sprint(1990 + rng.IntN(37))
				}
			case "codes":
				v = pick([]string{digits(5), "BLACK" + digits(2), "HG" + digits(4) + "-" + letters(2, "ABCXYZ"), digits(1) + "." + digits(1) + "." + digits(2), digits(3)})
			}
			neg(g.lang, g.note, fmt.Sprintf(t, v))
		}
	}
	// Hand-written traps: no value here is personal data.
	for _, n := range []struct{ lang, text string }{
		{"es", "Llamé el 12 de marzo y el 3 de abril, y nadie me dio solución."},
		{"es", "Mi pedido 4539 1488 0343 6467 sigue sin llegar."},
		{"es", "El vuelo IB6843 salió a las 23:55 del 2026-11-02."},
		{"es", "La calle estaba cortada y el técnico no pudo llegar."},
		{"es", "Vivo en Madrid desde hace 10 años."},
		{"es", "La clave es tener paciencia, me dijeron."},
		{"es", "Mi contraseña es incorrecta, ¿me la pueden restablecer?"},
		{"es", "Llevo 3 horas en la calle esperando al repartidor."},
		{"es", "Me cobraron 1.250.000 pesos en la factura 00012345."},
		{"es", "La promoción del 2x1 vence el 31/12/2026."},
		{"es", "Necesito 2 routers y 3 decodificadores para el 15 de enero."},
		{"es", "Uno, dos, tres intentos y nada."},
		{"es", "El modelo SM-A536B no reconoce la SIM."},
		{"es", "Tengo la versión 2.3.14 de la app."},
		{"es", "el código de barras 7501055363057 no pasa por caja"},
		{"es", "Su número de caso es 2026110200456, guárdelo."},
		{"es", "Entre el 10 y el 20% de los clientes tiene el fallo."},
		{"es", "Lo pagué con la tarjeta que termina en 4821."},
		{"en", "I called on March 12 and April 3 and nobody helped."},
		{"en", "Order 4539 1488 0343 6467 never arrived."},
		{"en", "My flight UA 1549 left at 3:24 PM on 01/15/2026."},
		{"en", "The street was closed so the technician couldn't come."},
		{"en", "I live in Denver and have for 10 years."},
		{"en", "My password is not working since the update."},
		{"en", "The code is on the back of the box."},
		{"en", "I paid $1,249.99 on invoice 000123456."},
		{"en", "One or two days is fine."},
		{"en", "The router model is RT-AX58U, firmware 3.0.0.4.388."},
		{"en", "ticket 4521-8873-0012 has been open for 12 days"},
		{"en", "Between 10 and 20% of the bill is taxes."},
		{"en", "The card ending in 4821 was declined."},
		{"en", "I bought 3 phones for $2,400 on 2026-10-30."},
		{"en", "Case 20261102-0042 was closed without an answer."},
		{"en", "I waited from 9:15 to 11:40 for the agent."},
		{"en", "Use promo code SAVE20 at checkout."},
		{"en", "My account has 3 lines and 2 tablets."},
		{"en", "The package weighed 2.5 kg and cost $48.10 to ship."},
	} {
		neg(n.lang, "hand-written", n.text)
	}
	handNegatives(neg)
	w := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, e := range out {
		if err := enc.Encode(e); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

var localParts = []string{"ana.lopez", "jperez", "maria_gomez", "carlos.ruiz", "lucia.fdez", "k.smith", "jdoe", "emily.r",
	"tom_baker", "pablo.ortega", "sofia.m", "diego.v"}
var domains = []string{"example.com", "ejemplo.mx", "correo.example.es", "mail.example.org", "example.net", "ejemplo.com.ar"}

func email(spoken bool, lang string) string {
	local := pick(localParts) + fmt.Sprint(rng.IntN(100))
	dom := pick(domains)
	if !spoken {
		return local + "@" + dom
	}
	dot, at := " punto ", " arroba "
	if lang == "en" {
		dot, at = " dot ", " at "
	}
	local = strings.NewReplacer(".", dot, "_", pick([]string{" guion bajo ", " underscore "})).Replace(local)
	if lang == "en" {
		local = strings.ReplaceAll(local, " guion bajo ", " underscore ")
	}
	return local + at + strings.ReplaceAll(dom, ".", dot)
}
