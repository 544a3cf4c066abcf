// Package redact finds personal data in contact-center text, Spanish and
// English, and replaces each value with a typed placeholder ("[CARD]",
// "[PHONE]") before anything is classified, detected or stored.
//
// It is pure: no I/O, no global state beyond constant tables. A Redactor is
// safe for concurrent use. Detection is a single tokenization pass followed
// by detectors that only look at the tokens that can start their type (an
// '@', a digit run, a cue word), so a text without digits, '@' or cue words
// costs one byte scan.
//
// Each value also gets a keyed hash (HMAC-SHA256 of its type and normalized
// form, 16 bytes, hex), so repeat contacts can be joined without the value:
// the same card typed "4111 1111 1111 1111" or "4111-1111-1111-1111" or
// read out digit by digit hashes the same. Without a key no hash is made:
// an unkeyed hash of a card or phone number is reversible by enumeration.
// Secrets (passwords, one-time codes) are never hashed.
package redact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Version identifies the detectors and their tables; it is stored with
// every event (Enrichment.RedactorVersion), so a change in what is redacted
// is visible in the data.
const Version = "redact-2026.12.0"

// MinKeyLen is the shortest hash key accepted: a short key can be guessed,
// and with it every hash reversed.
const MinKeyLen = 16

type kind uint8

const (
	kCard kind = iota + 1
	kEmail
	kPhone
	kIBAN
	kIDES
	kCURP
	kRFC
	kRUT
	kCUIT
	kDNIAR
	kCedulaCO
	kSSN
	kAddress
	kSecret
	numKinds
)

var kindNames = [numKinds]string{"", "CARD", "EMAIL", "PHONE", "IBAN", "ID_ES", "CURP", "RFC", "RUT", "CUIT", "DNI_AR",
	"CEDULA_CO", "SSN", "ADDRESS", "SECRET"}

func (k kind) String() string { return kindNames[k] }

// Types lists the placeholder types, in the order of the documentation.
func Types() []string { return slices.Clone(kindNames[1:]) }

func kindOf(name string) kind {
	for k, n := range kindNames {
		if k > 0 && n == name {
			return kind(k)
		}
	}
	return 0
}

// Options configures a Redactor; the zero value redacts every type with
// bracket placeholders and makes no hashes.
type Options struct {
	// Key keys the value hashes; empty means no hashes. At least MinKeyLen
	// bytes when set.
	Key []byte
	// Types is "all" or a list of types separated by commas or semicolons
	// ("CARD,EMAIL");
	// empty means all.
	Types string
	// Style is "bracket" ([CARD]) or "angle" (<CARD>); empty means bracket.
	Style string
	// KeepLast keeps this many last digits of cards and phones in the
	// placeholder ("[CARD ****1234]"), 0 to 4.
	KeepLast int
}

// Redactor redacts texts. Build it with New.
type Redactor struct {
	key      []byte
	enabled  [numKinds]bool
	open     byte
	close    byte
	keepLast int
	holders  [numKinds]string
	// hmacs pools keyed HMACs: keying one costs two SHA-256 blocks, more
	// than redacting a short text.
	hmacs sync.Pool
}

// New validates o and builds a Redactor.
func New(o Options) (*Redactor, error) {
	r := &Redactor{open: '[', close: ']', keepLast: o.KeepLast}
	switch strings.ToLower(strings.TrimSpace(o.Style)) {
	case "", "bracket":
	case "angle":
		r.open, r.close = '<', '>'
	default:
		return nil, fmt.Errorf("redact: style %q: want bracket or angle", o.Style)
	}
	if o.KeepLast < 0 || o.KeepLast > 4 {
		return nil, fmt.Errorf("redact: keep-last %d: want 0 to 4", o.KeepLast)
	}
	if len(o.Key) > 0 && len(o.Key) < MinKeyLen {
		return nil, fmt.Errorf("redact: key of %d bytes: want at least %d", len(o.Key), MinKeyLen)
	}
	r.key = slices.Clone(o.Key)
	types := strings.TrimSpace(o.Types)
	if types == "" || strings.EqualFold(types, "all") {
		for k := kind(1); k < numKinds; k++ {
			r.enabled[k] = true
		}
	} else {
		// Semicolons too: configuration help cannot show a comma.
		for _, name := range strings.FieldsFunc(types, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			k := kindOf(strings.ToUpper(strings.TrimSpace(name)))
			if k == 0 {
				return nil, fmt.Errorf("redact: unknown type %q: want all or some of %s", name, strings.Join(Types(), ","))
			}
			r.enabled[k] = true
		}
	}
	for k := kind(1); k < numKinds; k++ {
		r.holders[k] = string(r.open) + kindNames[k] + string(r.close)
	}
	key := r.key
	r.hmacs.New = func() any { return hmac.New(sha256.New, key) }
	return r, nil
}

// MustNew is New for options known to be valid.
func MustNew(o Options) *Redactor {
	r, err := New(o)
	if err != nil {
		panic(err)
	}
	return r
}

// Keyed reports whether the Redactor makes hashes.
func (r *Redactor) Keyed() bool { return len(r.key) > 0 }

// Found is one redacted value: its type, where its placeholder stands in
// the redacted text (code points, end exclusive) and the keyed hash of the
// value ("" without a key, and always for SECRET).
type Found struct {
	Type  string
	Start int
	End   int
	Hash  string
}

// Result is a redacted text and what was redacted in it.
type Result struct {
	Text  string
	Found []Found
}

// Redact returns s with every personal value replaced by its placeholder.
// Invalid UTF-8 is replaced first, so offsets always count code points of
// valid text. Redacting a redacted text changes nothing.
func (r *Redactor) Redact(s string) Result {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if !mayHoldPII(s) {
		return Result{Text: s}
	}
	sc := getScanner(s)
	defer putScanner(sc)
	sc.find()
	if len(sc.spans) == 0 {
		return Result{Text: s}
	}
	return r.render(sc)
}

// find runs the detectors, most specific first: a value found by one is
// never looked at by the next.
func (sc *scanner) find() {
	sc.tokenize()
	sc.findEmails()
	sc.findSpokenEmails()
	sc.findIDs()
	sc.findAddresses()
	sc.findSecrets()
	sc.findNumbers()
	slices.SortFunc(sc.spans, func(a, b span) int { return a.start - b.start })
	// The detectors never overlap (each skips what an earlier one took);
	// this keeps the output well-formed even if one ever did.
	out := sc.spans[:0]
	for _, sp := range sc.spans {
		if len(out) > 0 && sp.start < out[len(out)-1].end {
			continue
		}
		out = append(out, sp)
	}
	sc.spans = out
}

// mayHoldPII is the pre-scan: personal data needs a digit, an '@', or a
// word that spells a digit, names a secret or speaks an email address.
func mayHoldPII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; isDigit(c) || c == '@' {
			return true
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && !isASCIILetter(c) {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsLetter(r) {
				i += size
				continue
			}
		}
		j := scanWord(s, i)
		if j-i <= 24 {
			if w := lookupWord(s[i:j]); w != nil && (w.digits != "" || w.flags&(fSecretKey|fEmailAt|fEmailDot) != 0) {
				return true
			}
		}
		if j == i {
			j++
		}
		i = j
	}
	return false
}

func (r *Redactor) render(sc *scanner) Result {
	var b strings.Builder
	b.Grow(len(sc.s) + 16*len(sc.spans))
	found := make([]Found, 0, len(sc.spans))
	runes, prev := 0, 0
	for _, sp := range sc.spans {
		if !r.enabled[sp.kind] {
			continue
		}
		b.WriteString(sc.s[prev:sp.start])
		runes += utf8.RuneCountInString(sc.s[prev:sp.start])
		start := runes
		holder := r.placeholder(sp)
		b.WriteString(holder)
		runes += utf8.RuneCountInString(holder)
		found = append(found, Found{Type: kindNames[sp.kind], Start: start, End: runes, Hash: r.hash(sp)})
		prev = sp.end
	}
	if len(found) == 0 {
		return Result{Text: sc.s}
	}
	b.WriteString(sc.s[prev:])
	return Result{Text: b.String(), Found: found}
}

func (r *Redactor) placeholder(sp span) string {
	if r.keepLast == 0 || (sp.kind != kCard && sp.kind != kPhone) || len(sp.norm) < r.keepLast+4 {
		return r.holders[sp.kind]
	}
	return string(r.open) + kindNames[sp.kind] + " ****" + sp.norm[len(sp.norm)-r.keepLast:] + string(r.close)
}

// hash is the keyed hash of a value: HMAC-SHA256(key, TYPE ":" norm),
// truncated to 16 bytes. The type is part of the input so a phone and a
// document with the same digits do not join.
func (r *Redactor) hash(sp span) string {
	if len(r.key) == 0 || sp.kind == kSecret {
		return ""
	}
	h := r.hmacs.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(kindNames[sp.kind]))
	h.Write([]byte{':'})
	h.Write([]byte(sp.norm))
	var sum [sha256.Size]byte
	out := hex.EncodeToString(h.Sum(sum[:0])[:16])
	r.hmacs.Put(h)
	return out
}

// placeholderLen returns the length of the placeholder s starts with, 0 if
// none: "[TYPE]", "<TYPE>", or either with a kept tail ("[CARD ****1234]").
// Placeholders are opaque to every detector, which makes redaction
// idempotent.
func placeholderLen(s string) int {
	if len(s) < 4 {
		return 0
	}
	var closer byte
	switch s[0] {
	case '[':
		closer = ']'
	case '<':
		closer = '>'
	default:
		return 0
	}
	i := 1
	for i < len(s) && (isUpper(s[i]) || s[i] == '_') {
		i++
	}
	if i == 1 || i >= len(s) || kindOf(s[1:i]) == 0 {
		return 0
	}
	if s[i] == closer {
		return i + 1
	}
	if s[i] != ' ' {
		return 0
	}
	j := i + 1
	for j < len(s) && j-i <= 24 && (s[j] == '*' || isDigit(s[j])) {
		j++
	}
	if j == i+1 || j >= len(s) || s[j] != closer {
		return 0
	}
	return j + 1
}
