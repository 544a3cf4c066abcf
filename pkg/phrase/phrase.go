// Package phrase is the small pattern language of vigia's rule files: word
// sequences with alternatives, optional parts, word prefixes and bounded
// gaps, matched over text.Tokenize output. It exists because operators must
// extend phrase lists without recompiling, and because it is an order of
// magnitude cheaper than running dozens of regular expressions per message.
//
// Syntax (words are folded like the text they match: case and accents do not
// matter, ñ does):
//
//	eso lo maneja otra area       a sequence of words
//	(maneja|ve|lleva)             one of the alternatives; each may be several words
//	[el|la]                       optional alternatives (same as (el|la)?)
//	word?  (a|b)?                 optional element
//	permit*                       any word starting with "permit" (at least 3 letters before *)
//	~3                            up to 3 words of anything
package phrase

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vigia-cx/vigia/pkg/text"
)

type elemKind uint8

const (
	kindWord elemKind = iota
	kindPrefix
	kindAlt
	kindGap
)

type elem struct {
	kind     elemKind
	word     string
	alts     [][]elem
	optional bool
	gap      int
}

// Pattern is one compiled phrase pattern.
type Pattern struct {
	src   string
	elems []elem
	prog  program
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.src }

// Compile parses one pattern.
func Compile(src string) (*Pattern, error) {
	p := &parser{src: src, toks: lex(src)}
	elems, err := p.sequence(false)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", src, err)
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("pattern %q: unexpected %q", src, p.toks[p.pos])
	}
	if len(elems) == 0 {
		return nil, fmt.Errorf("pattern %q: empty", src)
	}
	if allOptional(elems) {
		return nil, fmt.Errorf("pattern %q: every part is optional, it would match anything", src)
	}
	if elems[0].kind == kindGap || elems[len(elems)-1].kind == kindGap {
		return nil, fmt.Errorf("pattern %q: a gap must stand between words", src)
	}
	return &Pattern{src: src, elems: elems, prog: compileProgram(elems)}, nil
}

func allOptional(es []elem) bool {
	for _, e := range es {
		if !e.optional && e.kind != kindGap {
			return false
		}
	}
	return true
}

// lex splits a pattern into punctuation and words, folding words.
func lex(src string) []string {
	var out []string
	var cur strings.Builder
	emit := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range src {
		switch r {
		case '(', ')', '[', ']', '|', '?':
			emit()
			out = append(out, string(r))
		case ' ', '\t':
			emit()
		default:
			cur.WriteRune(r)
		}
	}
	emit()
	return out
}

type parser struct {
	src  string
	toks []string
	pos  int
}

func (p *parser) sequence(inGroup bool) ([]elem, error) {
	var out []elem
	for p.pos < len(p.toks) {
		t := p.toks[p.pos]
		switch t {
		case ")", "]", "|":
			if !inGroup {
				return nil, fmt.Errorf("unbalanced %q", t)
			}
			return out, nil
		case "(", "[":
			p.pos++
			e, err := p.group(t)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		case "?":
			if len(out) == 0 || out[len(out)-1].kind == kindGap {
				return nil, fmt.Errorf("'?' must follow a word or group")
			}
			out[len(out)-1].optional = true
			p.pos++
		default:
			p.pos++
			es, err := wordElems(t)
			if err != nil {
				return nil, err
			}
			out = append(out, es...)
		}
	}
	return out, nil
}

func (p *parser) group(open string) (elem, error) {
	closer := ")"
	if open == "[" {
		closer = "]"
	}
	e := elem{kind: kindAlt, optional: open == "["}
	for {
		seq, err := p.sequence(true)
		if err != nil {
			return e, err
		}
		if len(seq) == 0 {
			return e, fmt.Errorf("empty alternative")
		}
		e.alts = append(e.alts, seq)
		if p.pos >= len(p.toks) {
			return e, fmt.Errorf("missing %q", closer)
		}
		t := p.toks[p.pos]
		p.pos++
		if t == "|" {
			continue
		}
		if t != closer {
			return e, fmt.Errorf("expected %q, got %q", closer, t)
		}
		return e, nil
	}
}

// wordElems turns one written word into elements. A written word can fold to
// several tokens ("that's" → one, "porfa" → two), hence the slice.
func wordElems(w string) ([]elem, error) {
	if strings.HasPrefix(w, "~") {
		n, err := strconv.Atoi(w[1:])
		if err != nil || n < 1 || n > 8 {
			return nil, fmt.Errorf("gap %q: want ~1 to ~8", w)
		}
		return []elem{{kind: kindGap, gap: n}}, nil
	}
	if strings.HasSuffix(w, "*") {
		stem := text.Fold(strings.TrimSuffix(w, "*"))
		if strings.Contains(stem, " ") || text.RuneLen(stem) < 3 {
			return nil, fmt.Errorf("prefix %q: want one word of at least 3 letters before *", w)
		}
		return []elem{{kind: kindPrefix, word: stem}}, nil
	}
	toks := text.Tokenize(w)
	if len(toks) == 0 {
		return nil, fmt.Errorf("%q has no letters", w)
	}
	out := make([]elem, len(toks))
	for i, t := range toks {
		out[i] = elem{kind: kindWord, word: t.Norm}
	}
	return out, nil
}

// Match is a span of tokens [First, Last] that a pattern matched.
type Match struct {
	First, Last int
}

// MatchAt tries the pattern at token i and returns the index of the last
// matched token, preferring the longest match.
func (p *Pattern) MatchAt(toks []text.Token, i int) (last int, ok bool) {
	return p.matchAt(toks, i, sentenceEnd(toks, i))
}

// sentenceEnd is the index of the first token after i that starts a new
// sentence, or len(toks): a phrase lives in one sentence.
func sentenceEnd(toks []text.Token, i int) int {
	for k := i + 1; k < len(toks); k++ {
		if toks[k].Sentence {
			return k
		}
	}
	return len(toks)
}

// matchAt runs the compiled program from token i over toks[:limit] and
// returns the last token of the longest match.
func (p *Pattern) matchAt(toks []text.Token, i, limit int) (last int, ok bool) {
	if i > limit {
		// Past the end nothing is consumed and no gap opens: only a part
		// that can be skipped entirely leaves a (zero-length) match.
		if p.prog.nullNoGap {
			return i - 1, false
		}
		return -1, false
	}
	end := p.prog.longest(toks[:limit], i)
	best := max(end-1, -1)
	return best, best >= i
}

// firstWords returns the words a match can start with, or nil when it can
// start with a prefix (those patterns are tried at every token).
func firstWords(elems []elem) (words []string, exact bool) {
	for _, e := range elems {
		var ws []string
		switch e.kind {
		case kindWord:
			ws = []string{e.word}
		case kindPrefix, kindGap:
			return nil, false
		case kindAlt:
			for _, alt := range e.alts {
				aw, ok := firstWords(alt)
				if !ok {
					return nil, false
				}
				ws = append(ws, aw...)
			}
		}
		words = append(words, ws...)
		if !e.optional {
			return words, true
		}
	}
	return words, true
}
