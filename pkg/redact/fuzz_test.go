package redact

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// seeds gives every fuzz target the corpus plus texts at the edges of the
// detectors: placeholders, glued letters, separators at the ends.
func seeds(f *testing.F) {
	for _, e := range loadCorpus(f) {
		f.Add(e.Text)
	}
	for _, s := range []string{"", "[CARD]", "[CARD ****", "<EMAIL>@x.com", "@", "a@b", "+", "+(", "4111 1111 1111 1111-Z",
		"12345678-", "X-", "ES91", "calle", "C/", "mi clave es", "mi clave es [SECRET]x", "doble", "treinta y",
		"twenty-", "oh oh oh", "arroba punto com", "at dot com", "\xff@\xfe.com", "ñ@ñ.ññ", "１２３４５６７８９"} {
		f.Add(s)
	}
}

// checkSpans asserts what every detector's output must satisfy: spans in
// bounds, on code-point boundaries, not overlapping, not cutting a digit
// run or a word in two, and each value valid for its type.
func checkSpans(t *testing.T, s string, spans []span) {
	t.Helper()
	for i, sp := range spans {
		if sp.start < 0 || sp.end > len(s) || sp.start >= sp.end {
			t.Fatalf("%q: span %+v out of bounds", s, sp)
		}
		if !utf8.RuneStart(s[sp.start]) || (sp.end < len(s) && !utf8.RuneStart(s[sp.end])) {
			t.Fatalf("%q: span %+v splits a code point", s, sp)
		}
		for j := range spans {
			if j != i && spans[j].start < sp.end && sp.start < spans[j].end {
				t.Fatalf("%q: spans %+v and %+v overlap", s, sp, spans[j])
			}
		}
		if sp.start > 0 && isDigit(s[sp.start-1]) && isDigit(s[sp.start]) ||
			sp.end < len(s) && isDigit(s[sp.end-1]) && isDigit(s[sp.end]) {
			t.Fatalf("%q: span %+v (%q) leaves part of its digits outside", s, sp, s[sp.start:sp.end])
		}
		if !validNorm(sp.kind, []byte(sp.norm)) {
			t.Fatalf("%q: %s span %q has invalid value %q", s, sp.kind, s[sp.start:sp.end], sp.norm)
		}
	}
}

// validNorm re-checks a found value with its type's validator.
func validNorm(k kind, v []byte) bool {
	switch k {
	case kCard:
		return allDigits(v) && luhn(v) && cardIssuer(v)
	case kIBAN:
		return ibanValid(v)
	case kIDES:
		return (len(v) == 9 && allDigits(v[:8]) && dniLetter(v[:8]) == v[8]) || nieValid(v) || (len(v) == 8 && allDigits(v))
	case kCURP:
		return curpValid(v)
	case kRFC:
		return rfcShape(v)
	case kRUT:
		if len(v) < 8 {
			return false
		}
		return allDigits(v[:len(v)-1]) && rutDV(v[:len(v)-1]) == v[len(v)-1]
	case kCUIT:
		return cuitValid(v)
	case kSSN:
		return ssnValid(v)
	case kDNIAR:
		return allDigits(v) && (len(v) == 7 || len(v) == 8)
	case kCedulaCO:
		return allDigits(v) && len(v) >= 6 && len(v) <= 10
	case kPhone:
		return allDigits(v) && len(v) >= 7 && len(v) <= 15
	case kEmail:
		return strings.Count(string(v), "@") == 1 && string(v) == strings.ToLower(string(v))
	case kAddress, kSecret:
		return len(v) > 0
	}
	return false
}

// fuzzDetector runs one detector alone on a tokenized text.
func fuzzDetector(f *testing.F, detect func(*scanner)) {
	seeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		sc := getScanner(s)
		defer putScanner(sc)
		sc.tokenize()
		detect(sc)
		checkSpans(t, s, sc.spans)
	})
}

func FuzzFindEmails(f *testing.F) { fuzzDetector(f, (*scanner).findEmails) }

func FuzzFindSpokenEmails(f *testing.F) { fuzzDetector(f, (*scanner).findSpokenEmails) }

func FuzzFindIDs(f *testing.F) { fuzzDetector(f, (*scanner).findIDs) }

func FuzzFindAddresses(f *testing.F) { fuzzDetector(f, (*scanner).findAddresses) }

func FuzzFindSecrets(f *testing.F) { fuzzDetector(f, (*scanner).findSecrets) }

func FuzzFindNumbers(f *testing.F) { fuzzDetector(f, (*scanner).findNumbers) }

// FuzzRedact checks the whole: valid UTF-8 out, every Found on its
// placeholder, no detected value's digits left beside it, and redacting the
// output again changes nothing.
func FuzzRedact(f *testing.F) {
	seeds(f)
	r := MustNew(Options{Key: testKey})
	kept := MustNew(Options{KeepLast: 4, Style: "angle"})
	f.Fuzz(func(t *testing.T, s string) {
		res := r.Redact(s)
		checkFound(t, s, res, r)
		checkFound(t, s, kept.Redact(s), kept)
		valid := strings.ToValidUTF8(s, "\uFFFD")
		sc := getScanner(valid)
		defer putScanner(sc)
		sc.find()
		checkSpans(t, valid, sc.spans)
		// What is left between placeholders is exactly the text between
		// the spans.
		var b strings.Builder
		prev := 0
		for _, sp := range sc.spans {
			b.WriteString(valid[prev:sp.start])
			b.WriteString(r.holders[sp.kind])
			prev = sp.end
		}
		b.WriteString(valid[prev:])
		if b.String() != res.Text {
			t.Fatalf("%q: output %q, spans say %q", s, res.Text, b.String())
		}
	})
}
