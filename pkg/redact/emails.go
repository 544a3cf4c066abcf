package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

func isLocalChar(r rune) bool {
	if r < utf8.RuneSelf {
		c := byte(r)
		return isASCIILetter(c) || isDigit(c) || strings.IndexByte("._%+-'", c) >= 0
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isDomainChar(r rune) bool {
	if r < utf8.RuneSelf {
		c := byte(r)
		return isASCIILetter(c) || isDigit(c) || c == '.' || c == '-'
	}
	return unicode.IsLetter(r)
}

// findEmails finds written addresses around each '@': a local part, and a
// domain of at least two labels whose last is two or more letters.
func (sc *scanner) findEmails() {
	s := sc.s
	for from := 0; from < len(s); {
		at := strings.IndexByte(s[from:], '@')
		if at < 0 {
			return
		}
		at += from
		from = at + 1
		start := at
		for start > 0 {
			r, size := utf8.DecodeLastRuneInString(s[:start])
			if !isLocalChar(r) {
				break
			}
			start -= size
		}
		for start < at && strings.IndexByte("._%+-'", s[start]) >= 0 {
			start++
		}
		end := at + 1
		for end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if !isDomainChar(r) {
				break
			}
			end += size
		}
		for end > at+1 && (s[end-1] == '.' || s[end-1] == '-') {
			end--
		}
		if start == at || !validDomain(s[at+1:end]) || sc.overlapsSpan(start, end) || sc.overlapsHold(start, end) {
			continue
		}
		sc.claim(start, end, kEmail, []byte(strings.ToLower(s[start:end])))
		from = end
	}
}

func validDomain(d string) bool {
	dot := strings.LastIndexByte(d, '.')
	if dot <= 0 || strings.Contains(d, "..") || d[0] == '.' || d[0] == '-' {
		return false
	}
	tld := d[dot+1:]
	if utf8.RuneCountInString(tld) < 2 {
		return false
	}
	for _, r := range tld {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// overlapsHold reports whether bytes [start, end) touch a placeholder.
func (sc *scanner) overlapsHold(start, end int) bool {
	for i := sc.firstTokenEndingAfter(start); i < len(sc.toks) && sc.toks[i].start < end; i++ {
		if sc.toks[i].kind == kHold {
			return true
		}
	}
	return false
}

// findSpokenEmails finds addresses read out in a call: "juan punto perez
// arroba gmail punto com", "john dot smith at gmail dot com". The domain
// must end in a known top-level domain, and after English "at" it must be
// spoken with "dot", so "at home" never counts.
func (sc *scanner) findSpokenEmails() {
	for k := 1; k+1 < len(sc.toks); k++ {
		t := sc.toks[k]
		if t.kind != kWord || sc.taken[k] {
			continue
		}
		arroba := t.w != nil && t.w.flags&fEmailAt != 0
		if !arroba && !strings.EqualFold(sc.text(k), "at") {
			continue
		}
		end, spokenDot, ok := sc.spokenDomain(k + 1)
		if !ok || (!arroba && !spokenDot) {
			continue
		}
		start, ok := sc.spokenLocal(k - 1)
		if !ok {
			continue
		}
		var b strings.Builder
		for i := start; i <= end; i++ {
			switch {
			case i == k:
				b.WriteByte('@')
			case sc.isWord(i, fEmailDot):
				b.WriteByte('.')
			case sc.isWordText(i, "bajo"):
				// the second word of "guion bajo"
			case sc.isWord(i, fEmailJoin):
				if strings.EqualFold(sc.text(i), "underscore") || (i < end && sc.isWordText(i+1, "bajo")) {
					b.WriteByte('_')
				} else {
					b.WriteByte('-')
				}
			default:
				if g := sc.gapBefore(i); i > start && (g == "." || g == "_" || g == "-") && !sc.isWord(i-1, fEmailDot|fEmailJoin|fEmailAt) {
					b.WriteString(g)
				}
				b.WriteString(strings.ToLower(sc.text(i)))
			}
		}
		sc.claim(sc.toks[start].start, sc.toks[end].end, kEmail, []byte(b.String()))
		k = end
	}
}

// spokenDomain reads "gmail punto com" or "gmail.com" from token k; it
// returns the last token of the longest reading that ends in a top-level
// domain.
func (sc *scanner) spokenDomain(k int) (end int, spokenDot bool, ok bool) {
	if !sc.onlySpaces(k) {
		return 0, false, false
	}
	i, ok1 := sc.labelEnd(k)
	if !ok1 {
		return 0, false, false
	}
	labels, dots := 1, false
	for labels < 6 {
		if i+1 < len(sc.toks) && sc.gapAfter(i) == "." {
			if e, ok := sc.labelEnd(i + 1); ok {
				i = e
				labels++
			} else {
				break
			}
		} else if i+2 < len(sc.toks) && sc.isWord(i+1, fEmailDot) && sc.onlySpaces(i+1) && sc.onlySpaces(i+2) {
			e, ok := sc.labelEnd(i + 2)
			if !ok {
				break
			}
			i, dots = e, true
			labels++
		} else {
			break
		}
		if sc.isWord(i, fTLD) && sc.toks[i-1].end != sc.toks[i].start {
			end, spokenDot, ok = i, dots, true
		}
	}
	return end, spokenDot, ok
}

// spokenLocal reads the local part ending at token k, with the words and
// written dots, dashes and underscores that join it.
func (sc *scanner) spokenLocal(k int) (start int, ok bool) {
	if k < 0 || !sc.onlySpaces(k+1) {
		return 0, false
	}
	start, ok = sc.labelStart(k)
	if !ok {
		return 0, false
	}
	for n := 0; n < 4 && start > 0; n++ {
		g := sc.gapBefore(start)
		if g == "." || g == "_" || g == "-" {
			if s, ok := sc.labelStart(start - 1); ok {
				start = s
				continue
			}
			break
		}
		if start >= 2 && sc.onlySpaces(start) && sc.isWord(start-1, fEmailDot|fEmailJoin) && !sc.isWordText(start-1, "bajo") &&
			sc.onlySpaces(start-1) {
			if s, ok := sc.labelStart(start - 2); ok {
				start = s
				continue
			}
		}
		if start >= 3 && sc.onlySpaces(start) && sc.isWordText(start-1, "bajo") && sc.isWord(start-2, fEmailJoin) &&
			sc.onlySpaces(start-1) && sc.onlySpaces(start-2) {
			if s, ok := sc.labelStart(start - 3); ok {
				start = s
				continue
			}
		}
		break
	}
	return start, true
}

// labelTok: a word or digit run that is not a found value and not one of
// the words that speak an address's punctuation.
func (sc *scanner) labelTok(i int) bool {
	if i < 0 || i >= len(sc.toks) || sc.taken[i] {
		return false
	}
	t := sc.toks[i]
	if t.kind == kNum {
		return true
	}
	return t.kind == kWord && (t.w == nil || t.w.flags&(fEmailAt|fEmailDot|fEmailJoin) == 0)
}

// labelEnd returns the last token of the label (glued words and digits,
// "lopez21") that starts at token i.
func (sc *scanner) labelEnd(i int) (int, bool) {
	if !sc.labelTok(i) {
		return 0, false
	}
	for i+1 < len(sc.toks) && sc.toks[i+1].start == sc.toks[i].end && sc.labelTok(i+1) {
		i++
	}
	return i, true
}

// labelStart returns the first token of the label that ends at token i.
func (sc *scanner) labelStart(i int) (int, bool) {
	if !sc.labelTok(i) {
		return 0, false
	}
	for i > 0 && sc.toks[i-1].end == sc.toks[i].start && sc.labelTok(i-1) {
		i--
	}
	return i, true
}

// onlySpaces reports whether the gap before token i is one or two spaces.
func (sc *scanner) onlySpaces(i int) bool { return i < len(sc.toks) && isSpace(sc.gapBefore(i)) }
