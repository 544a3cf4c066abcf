package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// secretJoiners may stand between a secret's name and its value: "el código
// que me llegó es", "the code you sent me is", "la clave de acceso es".
var secretJoiners = map[string]bool{
	"de": true, "del": true, "of": true, "para": true, "for": true, "que": true, "me": true, "le": true, "te": true,
	"nos": true, "i": true, "you": true, "we": true, "got": true, "received": true, "sent": true, "llego": true,
	"llegó": true, "enviaron": true, "mandaron": true, "dieron": true, "dio": true, "envio": true, "envió": true,
	"mando": true, "mandó": true, "recibi": true, "recibí": true, "by": true, "via": true, "por": true, "just": true,
	"acaba": true, "acabo": true, "mi": true, "my": true, "the": true, "el": true, "la": true, "un": true, "a": true,
}

// findSecrets finds what follows a cue that names a password or a one-time
// code: "mi clave es …", "el código es …", "my password is …", "the code
// is …", "PIN 1234", "código de verificación: 482913". Codes, PINs and CVVs
// must hold a digit; a password may be any word that is not an ordinary one
// ("mi clave es muy larga" is no password), and without a digit it needs a
// possessive ("mi contraseña es girasol").
func (sc *scanner) findSecrets() {
	for k := 0; k < len(sc.toks); k++ {
		t := sc.toks[k]
		if t.kind != kWord || t.w == nil || t.w.flags&fSecretKey == 0 || sc.taken[k] {
			continue
		}
		if k > 0 && isSpace(sc.gapBefore(k)) && sc.toks[k-1].kind == kWord && sc.toks[k-1].w != nil &&
			(sc.toks[k-1].w.flags&fSecretNeg != 0 || sc.toks[k-1].w.cue&cueNeg != 0) {
			continue // "promo code", "error code", "zip code"
		}
		password := !sc.codeKey(k)
		possessive := k > 0 && sc.isWord(k-1, fPossessive)
		if end, ok := sc.secretValue(k, password, possessive); ok {
			k = end
		}
	}
}

// codeKey reports whether the key names a code (digits) rather than a
// password.
func (sc *scanner) codeKey(k int) bool {
	return !sc.wordIs(k, "clave", "contraseña", "contrasena", "password", "passwd", "passphrase", "token")
}

func (sc *scanner) secretValue(k int, password, possessive bool) (int, bool) {
	direct := sc.toks[k].w.flags&fSecretDirect != 0
	ready := direct
	for i, steps := k+1, 0; i < len(sc.toks) && steps < 6; i, steps = i+1, steps+1 {
		g := sc.gapBefore(i)
		if sc.endsSentence(g, i-1) || sc.taken[i] || sc.toks[i].kind == kHold {
			return 0, false
		}
		if strings.ContainsAny(g, ":=") {
			ready = true
		}
		t := sc.toks[i]
		if strings.TrimSpace(g) == "," && !password && !ready && (t.kind == kNum || (t.w != nil && t.w.digits != "")) {
			ready = true // "me llegó un código, cuatro ocho uno cinco"
		}
		if t.kind == kWord && (g == "'" || g == "’") && sc.wordIs(i, "s") {
			ready = true // "my password's …"
			continue
		}
		if t.kind == kWord && (t.w == nil || t.w.digits == "") {
			w := t.w
			lower := strings.ToLower(sc.text(i))
			switch {
			case w != nil && (w.flags&fSecretNeg != 0 || w.cue&cueNeg != 0):
				return 0, false // "código postal", "código de descuento"
			case w != nil && w.flags&(fVerb|fSecretQual) != 0:
				ready = true // "es", "is"; "código de verificación 482913"
				continue
			case secretJoiners[lower]:
				continue
			case !ready && i > k+1 && sc.wordIs(i-1, "de", "del", "of", "for", "para") && (w == nil || w.flags&fStop == 0):
				continue // what the secret is for: "la clave de internet es", "the password for netflix is"
			}
		}
		if !ready {
			return 0, false
		}
		return sc.claimSecret(i, password, possessive)
	}
	return 0, false
}

// claimSecret claims the value starting at token i: a number (digits or
// spelled, joined the way numbers are) or one run of non-space characters.
func (sc *scanner) claimSecret(i int, password, possessive bool) (int, bool) {
	mark := len(sc.buf)
	defer func() { sc.buf = sc.buf[:mark] }()
	if first, ok := sc.itemAt(i); ok && (sc.toks[i].kind == kWord || !sc.gluedRight(i)) {
		last := first
		for n := first.t1 + 1; n < len(sc.toks); {
			it, ok := sc.itemAt(n)
			if !ok {
				break
			}
			if _, ok := joinGap(sc.s[sc.toks[last.t1].end:sc.toks[it.t0].start], last.spelled || it.spelled); !ok {
				break
			}
			last, n = it, it.t1+1
		}
		digits := len(sc.buf) - mark
		if digits < 3 || digits > 12 {
			return 0, false
		}
		sc.claim(sc.toks[i].start, sc.toks[last.t1].end, kSecret, sc.buf[mark:])
		return last.t1, true
	}
	// One run of non-space characters, quotes and final punctuation
	// trimmed: passwords have symbols in them.
	const maxSecret = 64
	start := sc.toks[i].start
	for start > 0 && start > sc.toks[i-1].end && sc.toks[i].start-start <= maxSecret {
		r, size := utf8.DecodeLastRuneInString(sc.s[:start])
		if unicode.IsSpace(r) {
			break
		}
		start -= size
	}
	end := sc.toks[i].end
	for end < len(sc.s) && end-start <= maxSecret {
		r, size := utf8.DecodeRuneInString(sc.s[end:])
		if unicode.IsSpace(r) {
			break
		}
		end += size
	}
	for start < end && strings.ContainsRune("\"'«“‘(¿¡:", rune(sc.s[start])) {
		start++
	}
	for end > start {
		r, size := utf8.DecodeLastRuneInString(sc.s[:end])
		if !strings.ContainsRune("\"'»”’).,;:?", r) {
			break
		}
		end -= size
	}
	v := sc.s[start:end]
	if len(v) < 3 || len(v) > maxSecret || sc.overlapsSpan(start, end) || sc.overlapsHold(start, end) {
		return 0, false
	}
	hasDigit := strings.IndexFunc(v, unicode.IsDigit) >= 0
	if !password && !hasDigit {
		return 0, false
	}
	// A plain word is a password only after "mi"/"my" and if it is not an
	// ordinary word; one with symbols in it ("gato#azul") always is.
	t := sc.toks[i]
	if plain := t.start == start && t.end == end; !hasDigit && plain &&
		(!possessive || (t.w != nil && t.w.flags&(fStop|fFiller|fVerb|fConnector) != 0)) {
		return 0, false
	}
	last := i
	for last+1 < len(sc.toks) && sc.toks[last+1].start < end {
		last++
	}
	sc.claim(start, end, kSecret, []byte(v))
	return last, true
}

func (sc *scanner) gluedRight(i int) bool {
	return i+1 < len(sc.toks) && sc.toks[i+1].start == sc.toks[i].end
}
