package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is one word of a text in matching form, with its place in the
// original: Start and End are offsets in Unicode code points (end exclusive).
type Token struct {
	Norm  string
	Start int
	End   int
	// Upper is true when the word was written in capitals (shouting), with at
	// least two letters.
	Upper bool
	// Clause is true when punctuation that ends a clause (. , ; : ! ? or a
	// line break) stands between this word and the previous one, so a
	// negation guard never reaches across it.
	Clause bool
	// Sentence is true when a sentence ends (. ! ? or a line break) between
	// this word and the previous one; no phrase match spans it.
	Sentence bool
}

// chatSpelling expands the abbreviations of chat Spanish and English that
// would otherwise hide a word from every lexicon.
var chatSpelling = map[string]string{
	"q": "que", "k": "que", "xq": "porque", "pq": "porque", "porq": "porque",
	"xk": "porque", "tb": "tambien", "tmb": "tambien", "tbn": "tambien",
	"x": "por", "d": "de", "porfa": "por favor", "pls": "please", "plz": "please",
	"thx": "thanks", "ty": "thank you", "u": "you", "ur": "your", "r": "are",
	"msj": "mensaje", "dnd": "donde", "sta": "esta", "tqm": "te quiero mucho",
	"idk": "i dont know", "asap": "as soon as possible",
}

// Tokenize splits s into words in matching form. A word is a run of letters
// and digits; an apostrophe between letters stays inside the word and is
// dropped ("won't" → "wont"), so contractions match with or without it.
func Tokenize(s string) []Token {
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
		word := collapseRuns(buf)
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

// collapseRuns turns three or more equal letters into one ("holaaa", "nooo");
// doubled letters stay, since Spanish and English spell with them.
func collapseRuns(rs []rune) string {
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

// Slice returns the code points [start, end) of s; out-of-range bounds are
// clipped, so a stale span yields a shorter string, never a panic.
func Slice(s string, start, end int) string {
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

// RuneLen is the length of s in code points.
func RuneLen(s string) int { return utf8.RuneCountInString(s) }
