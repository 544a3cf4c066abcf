package phrase

import "github.com/vigia-cx/vigia/pkg/text"

// Set matches many patterns at once. Patterns are indexed by the words they
// can start with, so a message is checked against the few patterns its words
// could begin, not against all of them.
type Set struct {
	patterns []*Pattern
	byWord   map[string][]int
	anyStart []int
}

// Hit is one pattern of a Set matching tokens [First, Last].
type Hit struct {
	Pattern int
	First   int
	Last    int
}

// NewSet indexes patterns; Hit.Pattern is the index into patterns.
func NewSet(patterns []*Pattern) *Set {
	s := &Set{patterns: patterns, byWord: make(map[string][]int)}
	for i, p := range patterns {
		words, exact := firstWords(p.elems)
		if !exact {
			s.anyStart = append(s.anyStart, i)
			continue
		}
		seen := map[string]bool{}
		for _, w := range words {
			if !seen[w] {
				seen[w] = true
				s.byWord[w] = append(s.byWord[w], i)
			}
		}
	}
	return s
}

// Len is the number of patterns.
func (s *Set) Len() int { return len(s.patterns) }

// FindAll returns, for every pattern, its non-overlapping longest matches in
// token order, appended to dst.
func (s *Set) FindAll(toks []text.Token, dst []Hit) []Hit {
	var nextFree map[int]int // pattern → first token a new match may start at
	// Sentence ends are computed once per text, walking back from the end;
	// finding them per attempt made long unpunctuated transcripts quadratic.
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
		if last, ok := s.patterns[pi].matchAt(toks, i, sentEnd[i]); ok {
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

// AnyStartLen is how many patterns are tried at every token (diagnostics).
func (s *Set) AnyStartLen() int { return len(s.anyStart) }

// WordLen is how many first words index the patterns (diagnostics).
func (s *Set) WordLen() int { return len(s.byWord) }
