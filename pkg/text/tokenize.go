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

// chatParts holds the words of the multi-word chat expansions, split once.
// chatFirst and chatLast are, by word length, the bytes a chat spelling can
// start and end with: most words fail this test and skip the map.
var chatParts, chatMaxLen, chatFirst, chatLast = func() (map[string][]string, int, [][4]uint64, [][4]uint64) {
	parts, longest := map[string][]string{}, 0
	for k, v := range chatSpelling {
		longest = max(longest, len(k))
		if strings.IndexByte(v, ' ') >= 0 {
			parts[k] = strings.Split(v, " ")
		}
	}
	first, last := make([][4]uint64, longest+1), make([][4]uint64, longest+1)
	for k := range chatSpelling {
		first[len(k)][k[0]/64] |= 1 << (k[0] % 64)
		last[len(k)][k[len(k)-1]/64] |= 1 << (k[len(k)-1] % 64)
	}
	return parts, longest, first, last
}()

// maybeChat reports whether w may be a chat spelling.
func maybeChat(w string) bool {
	n := len(w)
	if n == 0 || n > chatMaxLen {
		return false
	}
	a, z := w[0], w[n-1]
	return chatFirst[n][a/64]&(1<<(a%64)) != 0 && chatLast[n][z/64]&(1<<(z%64)) != 0
}

// Tokenize splits s into words in matching form. A word is a run of letters
// and digits; an apostrophe between letters stays inside the word and is
// dropped ("won't" → "wont"), so contractions match with or without it.
//
// A word already in matching form (lower-case ASCII letters and digits, no
// apostrophe inside, no stretched letters) is a substring of s, so most
// words cost no allocation; the others are folded into one buffer per text.
func Tokenize(s string) []Token {
	return AppendTokens(make([]Token, 0, len(s)/5+1), s)
}

// AppendTokens is Tokenize appending to dst, so a caller can reuse the
// token slice of an earlier text.
func AppendTokens(dst []Token, s string) []Token {
	toks := dst
	// Words that need folding are written one after the other into folded,
	// each token's Norm a piece of it: one allocation per text, not per word.
	var folded strings.Builder
	var runeBuf [64]rune
	var (
		buf      = runeBuf[:0] // folded runes of the current word, once it is not simple
		start    int           // code point offset of the word
		pos      int           // code point offset of the current rune
		upper    int
		letters  int
		inWord   bool
		prevApos bool
		clause   = true
		sentence = true
		// The current word's runes are s[bStart:bEnd]; while simple, that
		// substring (lower-case ASCII, nothing dropped) is its folded form.
		bStart, bEnd int
		simple       bool
	)
	for bi := 0; bi < len(s); pos++ {
		c := s[bi]
		r, w := rune(c), 1
		var (
			f        rune
			ok       bool
			isLetter bool
			plain    bool // ASCII lower-case letter or digit: folds to itself
		)
		if c < utf8.RuneSelf {
			switch {
			case c >= 'a' && c <= 'z':
				f, ok, isLetter, plain = r, true, true, true
			case c >= '0' && c <= '9':
				f, ok, plain = r, true, true
			case c >= 'A' && c <= 'Z':
				f, ok, isLetter = r+('a'-'A'), true, true
				upper++
			}
		} else {
			r, w = utf8.DecodeRuneInString(s[bi:])
			f, ok = foldRune(r)
			if ok && unicode.IsLetter(r) {
				isLetter = true
				if unicode.IsUpper(r) {
					upper++
				}
			}
		}
		switch {
		case ok:
			if !inWord {
				start, bStart, bEnd = pos, bi, bi
				inWord, simple = true, true
				buf = buf[:0]
			}
			if simple && (!plain || prevApos) {
				// The word needs folding: its runes so far are ASCII that
				// fold to themselves.
				simple = false
				for k := bStart; k < bEnd; k++ {
					buf = append(buf, rune(s[k]))
				}
			}
			prevApos = false
			if isLetter {
				letters++
			}
			if !simple {
				buf = append(buf, f)
				bEnd = bi + w
				break
			}
			// Simple so far: take the lower-case ASCII that follows at once.
			j := bi + 1
			for ; j < len(s); j++ {
				if c := s[j]; c >= 'a' && c <= 'z' {
					letters++
				} else if c < '0' || c > '9' {
					break
				}
			}
			pos += j - bi - 1
			bEnd, w = j, j-bi
		case inWord && (r == '\'' || r == '’') && !prevApos:
			// Keep going: an apostrophe inside a word is part of it.
			prevApos = true
		default:
			end := pos
			if prevApos {
				end-- // the apostrophe was trailing, not inside the word
			}
			prevApos = false
			if inWord {
				toks = appendWord(toks, &folded, s, buf, simple, bStart, bEnd, start, end, letters, upper, clause, sentence)
				clause, sentence = false, false
			}
			inWord, upper, letters = false, 0, 0
			switch r {
			case '.', '!', '?', '¿', '¡', '\n':
				clause, sentence = true, true
			case ',', ';', ':', '—', '(', ')', '"', '“', '”':
				clause = true
			}
		}
		bi += w
	}
	end := pos
	if prevApos {
		end--
	}
	if inWord {
		toks = appendWord(toks, &folded, s, buf, simple, bStart, bEnd, start, end, letters, upper, clause, sentence)
	}
	return toks
}

// stretched reports whether an ASCII word has three equal letters in a row.
func stretched(w string) bool {
	for i := 2; i < len(w); i++ {
		if c := w[i]; c == w[i-1] && c == w[i-2] && (c < '0' || c > '9') {
			return true
		}
	}
	return false
}

// appendWord appends the token(s) of one word: its matching form, with a
// chat spelling expanded.
func appendWord(toks []Token, folded *strings.Builder, s string, buf []rune, simple bool, bStart, bEnd, start, end, letters, upper int, clause, sentence bool) []Token {
	var word string
	if simple && !stretched(s[bStart:bEnd]) {
		word = s[bStart:bEnd]
	} else {
		if simple {
			buf = buf[:0]
			for k := bStart; k < bEnd; k++ {
				buf = append(buf, rune(s[k]))
			}
		}
		if folded.Cap() == 0 {
			folded.Grow(len(s) - bStart + utf8.UTFMax)
		}
		off := folded.Len()
		writeCollapsed(folded, buf)
		// A Builder's String never changes once returned; later writes
		// append or move to a new buffer.
		word = folded.String()[off:]
	}
	t := Token{Norm: word, Start: start, End: end, Upper: letters >= 2 && upper == letters, Clause: clause, Sentence: sentence}
	if maybeChat(word) {
		if exp, ok := chatSpelling[word]; ok {
			parts, multi := chatParts[word]
			if !multi {
				t.Norm = exp
			} else {
				// A multi-word expansion keeps the original span on every part,
				// so evidence still points at what was written.
				for k, part := range parts {
					pt := t
					pt.Norm = part
					pt.Clause = t.Clause && k == 0
					pt.Sentence = t.Sentence && k == 0
					toks = append(toks, pt)
				}
				return toks
			}
		}
	}
	return append(toks, t)
}

// writeCollapsed writes rs to b with three or more equal letters turned into
// one ("holaaa", "nooo"); doubled letters stay, since Spanish and English
// spell with them.
func writeCollapsed(b *strings.Builder, rs []rune) {
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
	bStart := runeOffset(s, 0, 0, start)
	return s[bStart:runeOffset(s, bStart, start, end)]
}

// runeOffset is the byte offset of code point n of s (len(s) past the end),
// walking from byte b, the offset of code point r <= n. Code points are
// what a range loop yields: an invalid byte counts as one.
func runeOffset(s string, b, r, n int) int {
	for r < n && b < len(s) {
		if s[b] < utf8.RuneSelf {
			b++
		} else {
			_, w := utf8.DecodeRuneInString(s[b:])
			b += w
		}
		r++
	}
	return b
}

// RuneLen is the length of s in code points.
func RuneLen(s string) int { return utf8.RuneCountInString(s) }
