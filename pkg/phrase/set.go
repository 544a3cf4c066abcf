package phrase

import "github.com/vigia-cx/vigia/pkg/text"

// Set matches many patterns at once. Patterns are indexed by the words they
// can start with, so a message is checked against the few patterns its words
// could begin, not against all of them.
type Set struct {
	patterns []*Pattern
	byWord   map[string][]int
	anyStart []int
	// Every word of every pattern has an id (from 1); a token's id is
	// looked up once per text, and the automata compare ids, not strings.
	wordID   map[string]int32
	startsOf [][]int   // by word id: the patterns that can start with it
	stateIDs [][]int32 // by pattern, by state: the word id, or 0
	// known has a bit set for every word with an id (wordKey), so most
	// words of a text skip the map.
	known *[1 << 10]uint64
}

// wordKey hashes a word's length and three of its bytes to a bit of
// Set.known; a collision only costs a map lookup.
func wordKey(w string) uint32 {
	n := len(w)
	h := uint32(n)*0x9E3779B1 ^ uint32(w[0])<<16 ^ uint32(w[n/2])<<8 ^ uint32(w[n-1])
	return h * 2654435761 >> 16
}

// id returns the word id of a token, 0 for a word no pattern names.
func (s *Set) id(w string) int32 {
	if w == "" {
		return 0
	}
	if k := wordKey(w); s.known[k/64]&(1<<(k%64)) == 0 {
		return 0
	}
	return s.wordID[w]
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
	s.wordID = map[string]int32{}
	s.known = new([1 << 10]uint64)
	s.startsOf = [][]int{nil}
	s.stateIDs = make([][]int32, len(patterns))
	for i, p := range patterns {
		ids := make([]int32, len(p.prog.states))
		for k, st := range p.prog.states {
			if st.kind != stWord {
				continue
			}
			id, ok := s.wordID[st.word]
			if !ok {
				id = int32(len(s.startsOf))
				s.wordID[st.word] = id
				if st.word != "" {
					k := wordKey(st.word)
					s.known[k/64] |= 1 << (k % 64)
				}
				s.startsOf = append(s.startsOf, s.byWord[st.word])
			}
			ids[k] = id
		}
		s.stateIDs[i] = ids
	}
	return s
}

// Len is the number of patterns.
func (s *Set) Len() int { return len(s.patterns) }

// FindAll returns, for every pattern, its non-overlapping longest matches in
// token order, appended to dst. On texts of up to 512 words it allocates
// nothing beyond the growth of dst.
func (s *Set) FindAll(toks []text.Token, dst []Hit) []Hit {
	if len(s.patterns) == 0 {
		return dst
	}
	// blocked holds, for the patterns whose last match may still overlap
	// the current token, the first token a new match may start at. It only
	// ever holds a few entries, so a slice beats a map.
	var blockedBuf [8]struct{ pattern, next int }
	blocked := blockedBuf[:0]
	// The sentence end (the first later token that starts a sentence) is
	// found lazily and reused for every token before it, so long
	// unpunctuated transcripts stay linear.
	sentEnd := 0
	var idBuf [512]int32
	ids := idBuf[:0]
	if len(toks) > len(idBuf) {
		ids = make([]int32, 0, len(toks))
	}
	for i := range toks {
		ids = append(ids, s.id(toks[i].Norm))
	}
	for i := range toks {
		cands := s.startsOf[ids[i]]
		if len(cands) == 0 && len(s.anyStart) == 0 {
			continue
		}
		if sentEnd <= i {
			sentEnd = i + 1
			for sentEnd < len(toks) && !toks[sentEnd].Sentence {
				sentEnd++
			}
		}
		if len(blocked) > 0 {
			kept := blocked[:0]
			for _, b := range blocked {
				if b.next > i {
					kept = append(kept, b)
				}
			}
			blocked = kept
		}
		for round := 0; round < 2; round++ {
			if round == 1 {
				cands = s.anyStart
			}
			for _, pi := range cands {
				free := true
				for _, b := range blocked {
					if b.pattern == pi {
						free = false
						break
					}
				}
				if !free {
					continue
				}
				p := s.patterns[pi]
				var end int
				if p.prog.nw == 1 {
					end = p.prog.longestIDs(toks[:sentEnd], ids[:sentEnd], s.stateIDs[pi], i)
				} else {
					end = p.prog.longest(toks[:sentEnd], i)
				}
				last := end - 1
				if last < i {
					continue
				}
				dst = append(dst, Hit{Pattern: pi, First: i, Last: last})
				if last > i {
					blocked = append(blocked, struct{ pattern, next int }{pi, last + 1})
				}
			}
		}
	}
	return dst
}

// AnyStartLen is how many patterns are tried at every token (diagnostics).
func (s *Set) AnyStartLen() int { return len(s.anyStart) }

// WordLen is how many first words index the patterns (diagnostics).
func (s *Set) WordLen() int { return len(s.byWord) }
