package phrase

import (
	"strings"

	"github.com/vigia-cx/vigia/pkg/text"
)

// This file keeps the original closure-based backtracking matcher as a
// test-only reference: the differential tests hold the compiled matcher to
// exactly its results.

func (p *Pattern) refMatchAt(toks []text.Token, i int) (last int, ok bool) {
	return p.refMatchLimit(toks, i, sentenceEnd(toks, i))
}

func (p *Pattern) refMatchLimit(toks []text.Token, i, limit int) (last int, ok bool) {
	best := -1
	refMatchSeq(p.elems, toks[:limit], i, func(end int) {
		if end-1 > best {
			best = end - 1
		}
	})
	return best, best >= i
}

func refMatchSeq(elems []elem, toks []text.Token, i int, done func(end int)) {
	if len(elems) == 0 {
		done(i)
		return
	}
	e, rest := elems[0], elems[1:]
	if e.optional {
		refMatchSeq(rest, toks, i, done)
	}
	switch e.kind {
	case kindGap:
		for k := 0; k <= e.gap && i+k <= len(toks); k++ {
			refMatchSeq(rest, toks, i+k, done)
		}
	case kindWord:
		if i < len(toks) && toks[i].Norm == e.word {
			refMatchSeq(rest, toks, i+1, done)
		}
	case kindPrefix:
		if i < len(toks) && strings.HasPrefix(toks[i].Norm, e.word) {
			refMatchSeq(rest, toks, i+1, done)
		}
	case kindAlt:
		for _, alt := range e.alts {
			refMatchSeq(alt, toks, i, func(end int) { refMatchSeq(rest, toks, end, done) })
		}
	}
}

// refFindAll is the original Set.FindAll.
func (s *Set) refFindAll(toks []text.Token, dst []Hit) []Hit {
	var nextFree map[int]int
	limit := len(toks)
	sentEnd := make([]int, len(toks))
	for k := len(toks) - 1; k >= 0; k-- {
		sentEnd[k] = limit
		if toks[k].Sentence {
			limit = k
		}
	}
	try := func(pi, i int) {
		if nextFree != nil && i < nextFree[pi] {
			return
		}
		if last, ok := s.patterns[pi].refMatchLimit(toks, i, sentEnd[i]); ok {
			dst = append(dst, Hit{Pattern: pi, First: i, Last: last})
			if nextFree == nil {
				nextFree = make(map[int]int, 4)
			}
			nextFree[pi] = last + 1
		}
	}
	for i := range toks {
		for _, pi := range s.byWord[toks[i].Norm] {
			try(pi, i)
		}
		for _, pi := range s.anyStart {
			try(pi, i)
		}
	}
	return dst
}
