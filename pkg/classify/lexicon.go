package classify

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/vigia-cx/vigia/pkg/text"
)

// entry is one word of the emotion lexicon.
type entry struct {
	emotion string // "" = sentiment only
	valence float32
}

// Lexicon is the hand-written English emotion lexicon. It is English only on
// purpose: Spanish words reach it through the bridge dictionary, so one list
// of cue words serves both languages and a model trained on English lexicon
// hits reads Spanish ones the same way.
type Lexicon struct {
	exact   map[string]entry
	prefix  map[string]entry
	longest int
	stems   stemFilter // the first three bytes of every prefix
}

// stemFilter is a bit set over a hash of the first three bytes of the
// prefixes of a table: a word whose first three bytes are not in it cannot
// start with any of them, so its prefix lookups are skipped. A collision
// only costs the lookups.
type stemFilter [1 << 10]uint64

func stemKey(w string) uint32 {
	return (uint32(w[0]) | uint32(w[1])<<8 | uint32(w[2])<<16) * 2654435761 >> 16
}

func (f *stemFilter) add(stem string) {
	k := stemKey(stem)
	f[k/64] |= 1 << (k % 64)
}

// mayStart reports whether w (at least three bytes) may start with a stem.
func (f *stemFilter) mayStart(w string) bool {
	k := stemKey(w)
	return f[k/64]&(1<<(k%64)) != 0
}

func parseLexicon(raw []byte) (*Lexicon, error) {
	lx := &Lexicon{exact: map[string]entry{}, prefix: map[string]entry{}}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d: want term<TAB>emotion<TAB>valence", n)
		}
		v, err := strconv.ParseFloat(f[2], 32)
		if err != nil {
			return nil, fmt.Errorf("line %d: valence: %w", n, err)
		}
		e := entry{emotion: f[1], valence: float32(v)}
		if e.emotion == "-" {
			e.emotion = ""
		} else if emotionIndex(e.emotion) < 0 {
			return nil, fmt.Errorf("line %d: unknown emotion %q", n, e.emotion)
		}
		if term, ok := strings.CutSuffix(f[0], "*"); ok {
			stem := text.Fold(term)
			if len(stem) < 3 {
				return nil, fmt.Errorf("line %d: prefix %q shorter than 3 letters", n, term)
			}
			lx.prefix[stem] = e
			lx.longest = max(lx.longest, len(stem))
			lx.stems.add(stem)
		} else {
			lx.exact[text.Fold(f[0])] = e
		}
	}
	return lx, sc.Err()
}

func (lx *Lexicon) lookup(word string) (entry, bool) {
	if e, ok := lx.exact[word]; ok {
		return e, true
	}
	if len(word) < 3 || !lx.stems.mayStart(word) {
		return entry{}, false
	}
	for n := min(len(word), lx.longest); n >= 3; n-- {
		if e, ok := lx.prefix[word[:n]]; ok {
			return e, true
		}
	}
	return entry{}, false
}

// lookupTok is lookup of a stream token's word, remembered on the token:
// the features, the sentiment prior and the intensity all ask.
func (lx *Lexicon) lookupTok(t *wtok) (entry, bool) {
	if t.lexState == 0 {
		e, ok := lx.lookup(t.norm)
		t.lex, t.lexState = e, 1
		if ok {
			t.lexState = 2
		}
	}
	return t.lex, t.lexState == 2
}

// bridgeEntry translates a Spanish word or phrase into English words.
type bridgeEntry struct {
	words  []string // folded Spanish words; the last may be a prefix
	prefix bool
	to     []string // English words, already folded
}

// Bridge is the hand-written Spanish→English dictionary. It is not a
// translator: it maps the words that carry emotion, sentiment, negation,
// intensity and intent, plus the commonest function words, so the English
// models can read a Spanish message word by word. Words it does not know are
// dropped rather than guessed.
type Bridge struct {
	exact   map[string][]string
	prefix  map[string][]string
	phrases map[string][]bridgeEntry // by first word, longest first
	longest int
	maxLen  int
	vocab   map[string]struct{} // every English word the bridge can produce
	stems   stemFilter
	// byWord answers, with one lookup, what englishStream asks of a word:
	// the phrases it starts, its exact translation, whether it is in
	// vocab. Built by index once vocab is complete.
	byWord map[string]bridgeWord
}

type bridgeWord struct {
	phrases  []bridgeEntry
	exact    []string
	hasExact bool
	known    bool
}

// index builds byWord; vocab must not change afterwards.
func (b *Bridge) index() {
	b.byWord = make(map[string]bridgeWord, len(b.exact)+len(b.vocab))
	for w, list := range b.phrases {
		e := b.byWord[w]
		e.phrases = list
		b.byWord[w] = e
	}
	for w, to := range b.exact {
		e := b.byWord[w]
		e.exact, e.hasExact = to, true
		b.byWord[w] = e
	}
	for w := range b.vocab {
		e := b.byWord[w]
		e.known = true
		b.byWord[w] = e
	}
}

// prefixWord is the prefix part of word: the translation of the longest
// prefix entry w starts with.
func (b *Bridge) prefixWord(w string) ([]string, bool) {
	if len(w) < 3 || !b.stems.mayStart(w) {
		return nil, false
	}
	for n := min(len(w), b.longest); n >= 3; n-- {
		if to, ok := b.prefix[w[:n]]; ok {
			return to, true
		}
	}
	return nil, false
}

func parseBridge(raw []byte) (*Bridge, error) {
	b := &Bridge{exact: map[string][]string{}, prefix: map[string][]string{}, phrases: map[string][]bridgeEntry{}, vocab: map[string]struct{}{}}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		src, dst, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, fmt.Errorf("line %d: want spanish<TAB>english", n)
		}
		src, dst = strings.TrimSpace(src), strings.TrimSpace(dst)
		prefix := strings.HasSuffix(src, "*")
		words := strings.Fields(text.Fold(strings.TrimSuffix(src, "*")))
		to := strings.Fields(text.Fold(dst))
		if dst == "-" {
			to = nil
		}
		if len(words) == 0 || (len(to) == 0 && dst != "-") {
			return nil, fmt.Errorf("line %d: empty side", n)
		}
		for _, w := range to {
			b.vocab[w] = struct{}{}
		}
		switch {
		case len(words) > 1:
			e := bridgeEntry{words: words, prefix: prefix, to: to}
			list := append(b.phrases[words[0]], e)
			// Longest first, so "vale la pena" wins over "pena".
			for i := len(list) - 1; i > 0 && len(list[i].words) > len(list[i-1].words); i-- {
				list[i], list[i-1] = list[i-1], list[i]
			}
			b.phrases[words[0]] = list
			b.maxLen = max(b.maxLen, len(words))
		case prefix:
			if len(words[0]) < 3 {
				return nil, fmt.Errorf("line %d: prefix %q shorter than 3 letters", n, words[0])
			}
			if _, dup := b.prefix[words[0]]; dup {
				return nil, fmt.Errorf("line %d: prefix %q defined twice", n, words[0])
			}
			b.prefix[words[0]] = to
			b.longest = max(b.longest, len(words[0]))
			b.stems.add(words[0])
		default:
			if _, dup := b.exact[words[0]]; dup {
				return nil, fmt.Errorf("line %d: %q defined twice", n, words[0])
			}
			b.exact[words[0]] = to
		}
	}
	return b, sc.Err()
}

// word translates one folded word.
func (b *Bridge) word(w string) ([]string, bool) {
	if to, ok := b.exact[w]; ok {
		return to, true
	}
	if len(w) < 3 || !b.stems.mayStart(w) {
		return nil, false
	}
	for n := min(len(w), b.longest); n >= 3; n-- {
		if to, ok := b.prefix[w[:n]]; ok {
			return to, true
		}
	}
	return nil, false
}

// Known reports whether the bridge can produce the English word w.
func (b *Bridge) Known(w string) bool {
	_, ok := b.vocab[w]
	return ok
}
