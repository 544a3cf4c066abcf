package text

import "strings"

// Email is an email body split into what the sender wrote in this message,
// their signature, and the history their client quoted. Nothing is
// rewritten: each part is made of whole lines of the body, and every byte
// of the body is in exactly one part.
type Email struct {
	New       string
	Signature string
	Quoted    string
}

// Text is the new text as vigia stores it, surrounding space trimmed.
func (e Email) Text() string { return strings.TrimSpace(e.New) }

// SplitEmail finds where the quoted history of a reply starts ("El lun, 2
// nov 2026, Ana <ana@…> escribió:", "On … wrote:", "-----Original
// Message-----", an Outlook "De: … Enviado: …" header block, "> " lines,
// a forward) and where the signature starts above it ("-- ", "Saludos,",
// "Best regards," followed by a short block, "Sent from my iPhone").
// Only the new text says what the customer says now: the history repeats
// earlier messages, already processed, and the signature is a name and
// phone numbers.
func SplitEmail(body string) Email {
	lines := splitLines(body)
	q := quoteStart(lines)
	quoteAt := len(body)
	if q < len(lines) {
		quoteAt = lines[q].start
	}
	if q < len(lines) && blank(lines[:q]) {
		// Bottom-posting: the reply follows the quoted lines.
		if e, ok := bottomPost(body, lines, q); ok {
			return e
		}
	}
	s := signatureStart(lines[:q])
	sigAt := quoteAt
	if s < q {
		sigAt = lines[s].start
	}
	return Email{New: body[:sigAt], Signature: body[sigAt:quoteAt], Quoted: body[quoteAt:]}
}

type line struct {
	start, end int // end excludes the newline
	text       string
}

func splitLines(s string) []line {
	var out []line
	for start := 0; start <= len(s); {
		end := strings.IndexByte(s[start:], '\n')
		if end < 0 {
			out = append(out, line{start, len(s), strings.TrimRight(s[start:], "\r")})
			break
		}
		out = append(out, line{start, start + end, strings.TrimRight(s[start:start+end], "\r")})
		start += end + 1
	}
	return out
}

func blank(ls []line) bool {
	for _, l := range ls {
		if strings.TrimSpace(l.text) != "" {
			return false
		}
	}
	return true
}

// bottomPost handles a reply written under the quote: the new text is the
// unquoted lines after the first run of "> " lines, up to the next marker.
func bottomPost(body string, lines []line, q int) (Email, bool) {
	i := q
	for i < len(lines) && (isQuoted(lines[i].text) || strings.TrimSpace(lines[i].text) == "" || quoteMarker(lines, i)) {
		i++
	}
	if i == len(lines) {
		return Email{}, false
	}
	rest := lines[i:]
	end := quoteStart(rest)
	stop := len(body)
	if end < len(rest) {
		stop = rest[end].start
	}
	s := signatureStart(rest[:end])
	sigAt := stop
	if s < end {
		sigAt = rest[s].start
	}
	// The quote above the reply and any history below it are both
	// Quoted.
	return Email{New: body[lines[i].start:sigAt], Signature: body[sigAt:stop], Quoted: body[:lines[i].start] + body[stop:]}, true
}

func isQuoted(l string) bool { return strings.HasPrefix(strings.TrimLeft(l, " \t"), ">") }

// quoteStart returns the index of the first line of quoted history, or
// len(lines).
func quoteStart(lines []line) int {
	for i := range lines {
		if quoteMarker(lines, i) {
			return i
		}
	}
	return len(lines)
}

var separators = []string{"original message", "mensaje original", "forwarded message", "mensaje reenviado",
	"begin forwarded message", "inicio del mensaje reenviado", "message transféré"}

func quoteMarker(lines []line, i int) bool {
	l := strings.TrimSpace(lines[i].text)
	if l == "" {
		return false
	}
	if l[0] == '>' {
		return true
	}
	low := strings.ToLower(strings.Trim(l, "*_ "))
	if len(l) >= 10 && strings.Trim(l, "_") == "" {
		return true // Outlook's rule above the quoted header
	}
	trimmed := strings.Trim(low, "-: ")
	for _, s := range separators {
		if trimmed == s {
			return true
		}
	}
	// "El lun, 2 nov 2026 a las 10:00, Ana <ana@…> escribió:" and "On
	// Mon, Nov 2, 2026 at 10:00 AM Ana wrote:", which clients wrap over up
	// to three lines.
	if strings.HasPrefix(low, "el ") || strings.HasPrefix(low, "on ") || strings.HasPrefix(low, "le ") {
		joined := low
		for k := i + 1; k < len(lines) && k <= i+2 && len(joined) < 400; k++ {
			if strings.HasSuffix(joined, ":") {
				break
			}
			joined += " " + strings.ToLower(strings.TrimSpace(lines[k].text))
		}
		for _, w := range []string{"escribió:", "wrote:", "escribio:", "a écrit :", "a écrit:"} {
			if strings.HasSuffix(joined, w) && len(joined) < 400 {
				return true
			}
		}
	}
	// An Outlook header block: From/De followed by Sent/Enviado/Date/Fecha
	// and To/Para/Subject/Asunto within the next lines.
	if headerKey(low, "de", "from") {
		sent, to := false, false
		for k := i + 1; k < len(lines) && k <= i+5; k++ {
			h := strings.ToLower(strings.Trim(strings.TrimSpace(lines[k].text), "*_ "))
			sent = sent || headerKey(h, "enviado", "sent", "fecha", "date", "enviado el")
			to = to || headerKey(h, "para", "to", "asunto", "subject", "cc")
		}
		return sent && to
	}
	return false
}

func headerKey(l string, keys ...string) bool {
	for _, k := range keys {
		if strings.HasPrefix(l, k) {
			rest := strings.TrimLeft(l[len(k):], "*_ ")
			if strings.HasPrefix(rest, ":") {
				return true
			}
		}
	}
	return false
}

var signOffs = map[string]bool{
	"saludos": true, "un saludo": true, "saludos cordiales": true, "cordiales saludos": true, "un cordial saludo": true,
	"reciba un cordial saludo": true, "atentamente": true, "cordialmente": true, "muchos saludos": true,
	"best regards": true, "kind regards": true, "regards": true, "warm regards": true, "best": true, "sincerely": true,
	"cheers": true, "best wishes": true, "thanks and regards": true, "many thanks and regards": true, "yours sincerely": true,
	"yours truly": true, "respectfully": true,
}

var mobileFooters = []string{"sent from my ", "enviado desde mi ", "get outlook for ", "obtener outlook para ",
	"enviado desde outlook", "enviado desde yahoo", "sent from yahoo", "sent from outlook", "enviado desde correo"}

// signatureStart returns the first line of the signature, or len(lines):
// a "-- " line or a mobile footer, or before either a sign-off that only a
// short block follows (a name, a title, a phone). "Saludos" in the middle
// of a message is not a signature.
func signatureStart(lines []line) int {
	first := -1
	for i, l := range lines {
		if strings.TrimSpace(l.text) != "" {
			first = i
			break
		}
	}
	if first < 0 {
		return len(lines)
	}
	hard := len(lines)
	for i := first + 1; i < len(lines) && hard == len(lines); i++ {
		raw := strings.TrimRight(lines[i].text, " \t")
		if raw == "--" || raw == "—" {
			hard = i
		}
		low := strings.ToLower(strings.TrimSpace(raw))
		for _, f := range mobileFooters {
			if strings.HasPrefix(low, f) && len(low) < 80 {
				hard = i
			}
		}
	}
	for i := first + 1; i < hard; i++ {
		low := strings.ToLower(strings.TrimSpace(lines[i].text))
		if signOffs[strings.TrimRight(low, ",.!;: ")] && shortBlock(lines[i+1:hard]) {
			return i
		}
	}
	return hard
}

// shortBlock: at most six non-empty lines of at most 80 bytes.
func shortBlock(lines []line) bool {
	n := 0
	for _, l := range lines {
		t := strings.TrimSpace(l.text)
		if t == "" {
			continue
		}
		n++
		if n > 6 || len(t) > 80 {
			return false
		}
	}
	return true
}
