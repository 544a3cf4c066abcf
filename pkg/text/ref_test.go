package text

import (
	"strings"
	"unicode"
)

// The original Tokenize, kept as a test-only reference for the
// differential tests.

// Tokenize splits s into words in matching form. A word is a run of letters
// and digits; an apostrophe between letters stays inside the word and is
// dropped ("won't" → "wont"), so contractions match with or without it.
func refTokenize(s string) []Token {
	toks := make([]Token, 0, len(s)/5+1)
	var (
		buf      []rune
		start    int
		pos      int
		upper    int
		letters  int
		inWord   bool
		prevApos bool
		clause   = true
		sentence = true
	)
	flush := func(end int) {
		if len(buf) == 0 {
			inWord = false
			return
		}
		word := refCollapseRuns(buf)
		t := Token{Norm: word, Start: start, End: end, Upper: letters >= 2 && upper == letters, Clause: clause, Sentence: sentence}
		clause, sentence = false, false
		if exp, ok := chatSpelling[word]; ok {
			if i := strings.IndexByte(exp, ' '); i < 0 {
				t.Norm = exp
			} else {
				// A multi-word expansion keeps the original span on every part,
				// so evidence still points at what was written.
				for k, part := range strings.Split(exp, " ") {
					pt := t
					pt.Norm = part
					pt.Clause = t.Clause && k == 0
					pt.Sentence = t.Sentence && k == 0
					toks = append(toks, pt)
				}
				buf, inWord, upper, letters, clause, sentence = buf[:0], false, 0, 0, false, false
				return
			}
		}
		toks = append(toks, t)
		buf, inWord, upper, letters = buf[:0], false, 0, 0
	}
	for _, r := range s {
		f, ok := foldRune(r)
		switch {
		case ok:
			if !inWord {
				start = pos
				inWord = true
			}
			prevApos = false
			buf = append(buf, f)
			if unicode.IsLetter(r) {
				letters++
				if unicode.IsUpper(r) {
					upper++
				}
			}
		case inWord && (r == '\'' || r == '’') && !prevApos:
			// Keep going: an apostrophe inside a word is part of it.
			prevApos = true
		default:
			end := pos
			if prevApos {
				end-- // the apostrophe was trailing, not inside the word
			}
			prevApos = false
			flush(end)
			switch r {
			case '.', '!', '?', '¿', '¡', '\n':
				clause, sentence = true, true
			case ',', ';', ':', '—', '(', ')', '"', '“', '”':
				clause = true
			}
		}
		pos++
	}
	end := pos
	if prevApos {
		end--
	}
	flush(end)
	return toks
}

func refCollapseRuns(rs []rune) string {
	var b strings.Builder
	b.Grow(len(rs))
	for i := 0; i < len(rs); {
		j := i + 1
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		n := j - i
		if n >= 3 && !unicode.IsDigit(rs[i]) {
			n = 1
		}
		for k := 0; k < n; k++ {
			b.WriteRune(rs[i])
		}
		i = j
	}
	return b.String()
}

// refDetectLang is the original DetectLang.
func refDetectLang(raw string, toks []Token) (lang string, confidence float32) {
	var es, en float32
	for _, t := range toks {
		if _, ok := spanishWords[t.Norm]; ok {
			es++
		}
		if _, ok := englishWords[t.Norm]; ok {
			en++
		}
	}
	for _, r := range raw {
		switch r {
		case 'ñ', 'Ñ', '¿', '¡', 'á', 'é', 'í', 'ó', 'ú':
			es += 0.5
		}
	}
	total := es + en
	if total < 1 {
		return LangOther, 0
	}
	switch {
	case es > en:
		return LangSpanish, (es - en) / total
	case en > es:
		return LangEnglish, (en - es) / total
	}
	return LangOther, 0
}

// refSlice is the original Slice.
// Slice returns the code points [start, end) of s; out-of-range bounds are
// clipped, so a stale span yields a shorter string, never a panic.
func refSlice(s string, start, end int) string {
	if start < 0 {
		start = 0
	}
	if end <= start {
		return ""
	}
	bStart, bEnd, i := len(s), len(s), 0
	for byteIdx := range s {
		if i == start {
			bStart = byteIdx
		}
		if i == end {
			bEnd = byteIdx
			break
		}
		i++
	}
	return s[bStart:bEnd]
}
