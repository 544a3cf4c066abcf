package redact

import (
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	kWord tokKind = iota + 1 // a run of letters
	kNum                     // a run of ASCII digits
	kHold                    // a placeholder already in the text: opaque
)

// token is a word, a digit run or a placeholder; start and end are byte
// offsets. Detectors work on tokens and the gaps between them, so no
// regular expression runs over the whole text.
type token struct {
	start, end int
	kind       tokKind
	w          *wordInfo // known words only
}

// span is one value found, in bytes of the scanned text.
type span struct {
	start, end int
	kind       kind
	// norm is the value as hashed: digits only for numbers, upper case
	// for identifiers, lower case for emails.
	norm string
}

// scanner holds one text's tokens and what the detectors found. Scanners
// are pooled: a text costs no allocation unless something is found.
type scanner struct {
	s     string
	toks  []token
	taken []bool // per token: inside a found value
	spans []span
	buf   []byte // scratch for normalized values
	items []item // scratch for number chunks
}

var scanners = sync.Pool{New: func() any {
	return &scanner{toks: make([]token, 0, 64), taken: make([]bool, 0, 64), buf: make([]byte, 0, 64)}
}}

func getScanner(s string) *scanner {
	sc := scanners.Get().(*scanner)
	sc.s = s
	sc.toks, sc.taken, sc.spans, sc.buf, sc.items = sc.toks[:0], sc.taken[:0], sc.spans[:0], sc.buf[:0], sc.items[:0]
	return sc
}

func putScanner(sc *scanner) {
	if cap(sc.toks) > 4096 {
		return // a huge text's buffers are not worth keeping
	}
	sc.s = ""
	scanners.Put(sc)
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// scanWord returns the end of the run of letters that starts at i.
func scanWord(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if !isASCIILetter(c) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) && !unicode.IsMark(r) {
			return i
		}
		i += size
	}
	return i
}

// tokenize splits the text into tokens.
func (sc *scanner) tokenize() {
	s := sc.s
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case isDigit(c):
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			sc.toks = append(sc.toks, token{start: i, end: j, kind: kNum})
			i = j
		case c == '[' || c == '<':
			if n := placeholderLen(s[i:]); n > 0 {
				sc.toks = append(sc.toks, token{start: i, end: i + n, kind: kHold})
				i += n
				continue
			}
			i++
		case c < utf8.RuneSelf:
			if !isASCIILetter(c) {
				i++
				continue
			}
			j := scanWord(s, i)
			sc.addWord(i, j)
			i = j
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsLetter(r) {
				i += size
				continue
			}
			j := scanWord(s, i)
			sc.addWord(i, j)
			i = j
		}
	}
	sc.mergeAcronyms()
	for range sc.toks {
		sc.taken = append(sc.taken, false)
	}
}

func (sc *scanner) addWord(i, j int) {
	t := token{start: i, end: j, kind: kWord}
	if j-i <= 48 {
		t.w = lookupWord(sc.s[i:j])
	}
	sc.toks = append(sc.toks, t)
}

// mergeAcronyms joins dotted initials ("C.C.", "D.N.I.") into one word, so
// they are looked up like "CC" and "DNI".
func (sc *scanner) mergeAcronyms() {
	out := sc.toks[:0]
	for i := 0; i < len(sc.toks); i++ {
		t := sc.toks[i]
		if t.kind != kWord || t.end-t.start != 1 {
			out = append(out, t)
			continue
		}
		j := i
		for j+1 < len(sc.toks) && sc.toks[j+1].kind == kWord && sc.toks[j+1].end-sc.toks[j+1].start == 1 &&
			sc.s[sc.toks[j].end:sc.toks[j+1].start] == "." {
			j++
		}
		if j > i {
			var buf [8]byte
			n := 0
			for k := i; k <= j && n < len(buf); k++ {
				buf[n] = sc.s[sc.toks[k].start]
				n++
			}
			t.end = sc.toks[j].end
			t.w = nil
			if j-i < len(buf) {
				t.w = lookupWord(string(buf[:n]))
			}
			i = j
		}
		out = append(out, t)
	}
	sc.toks = out
}

// gapBefore is the text between token i and the one before it.
func (sc *scanner) gapBefore(i int) string {
	if i == 0 {
		return sc.s[:sc.toks[0].start]
	}
	return sc.s[sc.toks[i-1].end:sc.toks[i].start]
}

// gapAfter is the text between token i and the next one.
func (sc *scanner) gapAfter(i int) string {
	if i+1 >= len(sc.toks) {
		return sc.s[sc.toks[i].end:]
	}
	return sc.s[sc.toks[i].end:sc.toks[i+1].start]
}

func (sc *scanner) text(i int) string { return sc.s[sc.toks[i].start:sc.toks[i].end] }

func (sc *scanner) isWord(i int, f flag) bool {
	return i >= 0 && i < len(sc.toks) && sc.toks[i].kind == kWord && sc.toks[i].w != nil && sc.toks[i].w.flags&f != 0
}

// free reports whether tokens [a, b] are not yet part of a found value.
func (sc *scanner) free(a, b int) bool {
	for i := a; i <= b; i++ {
		if sc.taken[i] {
			return false
		}
	}
	return true
}

// claim records a value covering bytes [start, end) and marks the tokens
// it overlaps.
func (sc *scanner) claim(start, end int, k kind, norm []byte) {
	sc.spans = append(sc.spans, span{start: start, end: end, kind: k, norm: string(norm)})
	for i := sc.firstTokenEndingAfter(start); i < len(sc.toks) && sc.toks[i].start < end; i++ {
		sc.taken[i] = true
	}
}

// firstTokenEndingAfter is the index of the first token that ends after
// byte b; binary search keeps long texts with many values linear-ish.
func (sc *scanner) firstTokenEndingAfter(b int) int {
	return sort.Search(len(sc.toks), func(i int) bool { return sc.toks[i].end > b })
}

// overlapsSpan reports whether bytes [start, end) overlap a found value.
// Every value starts and ends on a token or on punctuation glued to one, so
// the tokens it marked tell; find drops any overlap left as a last resort.
func (sc *scanner) overlapsSpan(start, end int) bool {
	for i := sc.firstTokenEndingAfter(start); i < len(sc.toks) && sc.toks[i].start < end; i++ {
		if sc.taken[i] {
			return true
		}
	}
	return false
}

// endsSentence reports whether a gap after token prev ends a sentence, so
// no cue reaches across it. The dot of an abbreviation ("Tel.", "Av.",
// "C.C.") does not.
func (sc *scanner) endsSentence(g string, prev int) bool {
	if strings.ContainsAny(g, "\n!?;") {
		return true
	}
	if strings.IndexByte(g, '.') < 0 {
		return false
	}
	if prev >= 0 && sc.toks[prev].kind == kWord {
		t := sc.toks[prev]
		if t.end-t.start == 1 || (t.w != nil && t.w.flags&fAbbrev != 0) {
			return false
		}
	}
	return true
}

// cueBefore looks left of token i, within the sentence, for the nearest word
// that names what follows. Filler words are skipped; numbers and found
// values stop the search, so the answer is the same before and after
// redaction. "número" alone counts as a weak phone cue unless a stronger
// cue follows within two words. A negative cue ("pedido", "ticket") counts
// only right before the number, fillers aside: "el pedido 4111…" is an order,
// "el pedido lo pagué con la 4111…" is a card, and leaking a card costs more
// than hiding an order number.
func (sc *scanner) cueBefore(i int) cue {
	words, weakAt := 0, -1
	for k := i - 1; k >= 0 && words < 6; k-- {
		if sc.endsSentence(sc.gapAfter(k), k) {
			break
		}
		t := sc.toks[k]
		if t.kind != kWord || sc.taken[k] {
			break
		}
		if weakAt >= 0 && words-weakAt > 2 {
			break
		}
		if t.w == nil {
			words++
			continue
		}
		if c := t.w.cue &^ cuePhoneWeak; c != 0 {
			if c == cueNeg && words > 0 {
				return 0
			}
			return c
		}
		if t.w.cue&cuePhoneWeak != 0 {
			if weakAt < 0 {
				weakAt = words
			}
			continue
		}
		if t.w.flags&fFiller != 0 {
			continue
		}
		words++
	}
	if weakAt >= 0 {
		return cuePhoneWeak
	}
	return 0
}

// cueAfter looks right of token j, within the sentence and three words, for
// a cue ("612345678 es mi celular").
func (sc *scanner) cueAfter(j int) cue {
	words := 0
	for k := j + 1; k < len(sc.toks) && words < 3; k++ {
		if sc.endsSentence(sc.gapBefore(k), k-1) {
			break
		}
		t := sc.toks[k]
		if t.kind != kWord || sc.taken[k] {
			break
		}
		if t.w != nil && t.w.cue != 0 {
			// A negative cue further on is about something else ("charge
			// 4111… for both orders"); only right after the number does it
			// name it ("pedido 1234 5678", "1234 5678 order").
			if c := t.w.cue &^ cueNeg; c != 0 || k == j+1 {
				return t.w.cue
			}
			return 0
		}
		if t.w == nil || t.w.flags&fFiller == 0 {
			words++
		}
	}
	return 0
}
