package phrase

import (
	"math/bits"
	"strings"

	"github.com/vigia-cx/vigia/pkg/text"
)

// A pattern is compiled into a small nondeterministic automaton whose
// states are the words it consumes (a word, a prefix, or any word for a
// gap) plus one accepting state. Every epsilon path (optional parts,
// alternatives, the skipped words of a gap) is resolved at compile time:
// start holds the states reachable before the first token, follow[s] the
// states reachable right after state s consumed a token. Matching is then a
// walk over the tokens with the set of live states as a bitset: no
// backtracking, no closures, no allocation, and the longest match is the
// last position at which the accepting state was live.

type stateKind uint8

const (
	stWord stateKind = iota
	stPrefix
	stAny
)

type state struct {
	kind stateKind
	word string
}

type program struct {
	states []state
	// nw is the number of 64-bit words of one state set; bit len(states)
	// is the accepting state.
	nw     int
	start  []uint64 // nw words
	follow []uint64 // len(states)*nw words
	accept int      // == len(states)
	// nullNoGap: the pattern can match nothing without crossing a gap,
	// which is what the backtracking definition allowed past the end of
	// the tokens.
	nullNoGap bool
}

// node is the intermediate automaton built from the elements.
type node struct {
	consume bool
	st      state
	outs    []int // epsilon edges, or the single successor of a consuming node
	accept  bool
}

type builder struct{ nodes []node }

func (b *builder) add(n node) int {
	b.nodes = append(b.nodes, n)
	return len(b.nodes) - 1
}

// seq builds elems followed by next and returns its entry node.
func (b *builder) seq(elems []elem, next int) int {
	for k := len(elems) - 1; k >= 0; k-- {
		next = b.elem(elems[k], next)
	}
	return next
}

func (b *builder) elem(e elem, next int) int {
	var entry int
	switch e.kind {
	case kindGap:
		// ~n is n optional "any word" steps.
		entry = next
		for k := 0; k < e.gap; k++ {
			any := b.add(node{consume: true, st: state{kind: stAny}, outs: []int{entry}})
			entry = b.add(node{outs: []int{any, entry}})
		}
		return entry
	case kindWord:
		entry = b.add(node{consume: true, st: state{kind: stWord, word: e.word}, outs: []int{next}})
	case kindPrefix:
		entry = b.add(node{consume: true, st: state{kind: stPrefix, word: e.word}, outs: []int{next}})
	case kindAlt:
		outs := make([]int, 0, len(e.alts))
		for _, alt := range e.alts {
			outs = append(outs, b.seq(alt, next))
		}
		entry = b.add(node{outs: outs})
	}
	if e.optional {
		entry = b.add(node{outs: []int{entry, next}})
	}
	return entry
}

func compileProgram(elems []elem) program {
	var b builder
	acc := b.add(node{accept: true})
	entry := b.seq(elems, acc)
	// Number the consuming nodes; they are the automaton's states.
	id := make([]int, len(b.nodes))
	var p program
	for i, n := range b.nodes {
		id[i] = -1
		if n.consume {
			id[i] = len(p.states)
			p.states = append(p.states, n.st)
		}
	}
	p.accept = len(p.states)
	p.nw = (p.accept + 1 + 63) / 64
	seen := make([]bool, len(b.nodes))
	closure := func(from int, set []uint64) {
		for i := range seen {
			seen[i] = false
		}
		stack := []int{from}
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[n] {
				continue
			}
			seen[n] = true
			switch nd := &b.nodes[n]; {
			case nd.accept:
				set[p.accept/64] |= 1 << (p.accept % 64)
			case nd.consume:
				set[id[n]/64] |= 1 << (id[n] % 64)
			default:
				stack = append(stack, nd.outs...)
			}
		}
	}
	p.start = make([]uint64, p.nw)
	closure(entry, p.start)
	p.follow = make([]uint64, len(p.states)*p.nw)
	for i, n := range b.nodes {
		if n.consume {
			closure(n.outs[0], p.follow[id[i]*p.nw:(id[i]+1)*p.nw])
		}
	}
	p.nullNoGap = nullableNoGap(elems)
	return p
}

// nullableNoGap reports whether elems can match no token without passing
// through a gap.
func nullableNoGap(elems []elem) bool {
	for _, e := range elems {
		if e.optional {
			continue
		}
		if e.kind != kindAlt {
			return false
		}
		ok := false
		for _, alt := range e.alts {
			if nullableNoGap(alt) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (st *state) matches(norm string) bool {
	switch st.kind {
	case stWord:
		return norm == st.word
	case stPrefix:
		return strings.HasPrefix(norm, st.word)
	}
	return true
}

// longest runs the program from token i over toks and returns the end
// (exclusive) of the longest match, or -1 when there is none; an end of i
// is a match of no token.
func (p *program) longest(toks []text.Token, i int) int {
	if p.nw == 1 {
		return p.longest1(toks, i)
	}
	var buf [8]uint64
	var cur, next []uint64
	if 2*p.nw <= len(buf) {
		cur, next = buf[:p.nw], buf[p.nw:2*p.nw]
	} else {
		cur, next = make([]uint64, p.nw), make([]uint64, p.nw)
	}
	copy(cur, p.start)
	aw, ab := p.accept/64, uint64(1)<<(p.accept%64)
	end := -1
	for pos := i; ; pos++ {
		if cur[aw]&ab != 0 {
			end = pos
			cur[aw] &^= ab
		}
		if pos >= len(toks) {
			return end
		}
		live := false
		for w := range next {
			next[w] = 0
		}
		norm := toks[pos].Norm
		for w, word := range cur {
			for word != 0 {
				k := w*64 + bits.TrailingZeros64(word)
				word &= word - 1
				if p.states[k].matches(norm) {
					f := p.follow[k*p.nw : (k+1)*p.nw]
					for x := range next {
						next[x] |= f[x]
					}
					live = true
				}
			}
		}
		if !live {
			return end
		}
		cur, next = next, cur
	}
}

// longest1 is longest for programs of at most 63 states.
func (p *program) longest1(toks []text.Token, i int) int {
	cur := p.start[0]
	ab := uint64(1) << p.accept
	end := -1
	for pos := i; ; pos++ {
		if cur&ab != 0 {
			end = pos
			cur &^= ab
		}
		if cur == 0 || pos >= len(toks) {
			return end
		}
		var next uint64
		norm := toks[pos].Norm
		for c := cur; c != 0; c &= c - 1 {
			k := bits.TrailingZeros64(c)
			if p.states[k].matches(norm) {
				next |= p.follow[k]
			}
		}
		cur = next
	}
}

// longestIDs is longest1 with the words compared by id: ids are the
// tokens' word ids in the Set, stateIDs the word id of each state.
func (p *program) longestIDs(toks []text.Token, ids, stateIDs []int32, i int) int {
	cur := p.start[0]
	ab := uint64(1) << p.accept
	end := -1
	for pos := i; ; pos++ {
		if cur&ab != 0 {
			end = pos
			cur &^= ab
		}
		if cur == 0 || pos >= len(toks) {
			return end
		}
		var next uint64
		id := ids[pos]
		for c := cur; c != 0; c &= c - 1 {
			k := bits.TrailingZeros64(c)
			var ok bool
			switch p.states[k].kind {
			case stWord:
				ok = stateIDs[k] == id
			case stPrefix:
				ok = strings.HasPrefix(toks[pos].Norm, p.states[k].word)
			default:
				ok = true
			}
			if ok {
				next |= p.follow[k]
			}
		}
		cur = next
	}
}
