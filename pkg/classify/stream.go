package classify

import (
	"strings"
	"unicode/utf8"

	"github.com/vigia-cx/vigia/pkg/text"
)

// wtok is one word of a token stream, with where it stands in the original
// text (code points) and what the words around it do to it.
type wtok struct {
	norm       string
	start, end int
	// negFrom is the start of the negator whose scope covers this word, -1
	// when none does; evidence for a negated word starts there ("no estoy
	// contento", not "contento").
	negFrom int
	// boost multiplies a lexicon hit: intensifiers before it, shouting,
	// stretched letters.
	boost    float32
	sentence bool
	clause   bool
	upper    bool
	elong    bool
	emoji    bool
	// lex caches the lexicon entry of norm (Lexicon.lookupTok): lexState
	// 0 not looked up yet, 1 not in the lexicon, 2 found.
	lex      entry
	lexState uint8
}

// Words that open a negation scope, in the English stream and in the native
// streams of both languages (folded).
var negators = setOf(`not no never nothing nobody none neither nor without cannot cant dont doesnt didnt isnt
 wasnt arent werent wont wouldnt shouldnt couldnt havent hasnt hadnt aint nunca jamas ni tampoco sin nada nadie
 ningun ninguna ninguno`)

// Words that end a negation scope before a clause break does: "no funciona
// y nadie contesta" negates two things, each with its own negator.
var scopeEnd = setOf(`but however although though and pero aunque sino y`)

// intensifiers multiply the lexicon weight of the word that follows them;
// values below one soften it ("a bit annoyed"). English only: Spanish ones
// reach this table through the bridge (muy → very).
var intensifiers = map[string]float32{
	"very": 1.5, "so": 1.4, "really": 1.4, "extremely": 1.8, "too": 1.3, "totally": 1.5, "absolutely": 1.6,
	"incredibly": 1.7, "super": 1.5, "completely": 1.5, "fucking": 1.6, "fuckin": 1.6, "freaking": 1.4, "damn": 1.3,
	"truly": 1.4, "deeply": 1.5, "highly": 1.4, "utterly": 1.7, "seriously": 1.4, "such": 1.3, "most": 1.3,
	"quite": 1.2, "pretty": 1.2, "terribly": 1.6, "especially": 1.2, "beyond": 1.4, "insanely": 1.6, "mega": 1.5,
	"bit": 0.6, "slightly": 0.6, "somewhat": 0.7, "kinda": 0.7, "barely": 0.5, "little": 0.7,
}

func setOf(words string) map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range strings.Fields(words) {
		m[w] = struct{}{}
	}
	return m
}

// isLaugh recognises written laughter in both languages ("jajaja", "jsjs",
// "hahaha", "lol", "xD"), which Tokenize leaves as words of their own: a
// j or h followed by one vowel (or s), repeated, maybe ending in the
// consonant. "hijo" or "hoja" change vowel and are words, not laughter.
func isLaugh(w string) bool {
	switch w {
	case "lol", "lmao", "lmfao", "rofl", "xd", "xdd", "xddd":
		return true
	}
	if len(w) < 4 || (w[0] != 'j' && w[0] != 'h') {
		return false
	}
	v := w[1]
	switch v {
	case 'a', 'e', 'i', 'o', 's':
	default:
		return false
	}
	for i := 2; i < len(w); i++ {
		c := w[i]
		if i%2 == 0 && c != 'j' && c != 'h' {
			return false
		}
		if i%2 == 1 && c != v {
			return false
		}
	}
	return true
}

// urlSpans returns the code-point ranges of links and @mentions, whose pieces
// would otherwise become words ("https", "co", "user").
func urlSpans(s string, dst [][2]int) [][2]int {
	if !strings.Contains(s, "http") && !strings.Contains(s, "www.") && !strings.Contains(s, "@") {
		return dst
	}
	pos, start := 0, -1
	prevSpace := true
	for i, r := range s {
		space := r == ' ' || r == '\n' || r == '\t'
		if start < 0 && prevSpace && !space {
			rest := s[i:]
			if strings.HasPrefix(rest, "http") || strings.HasPrefix(rest, "www.") || r == '@' {
				start = pos
			}
		}
		if start >= 0 && space {
			dst = append(dst, [2]int{start, pos})
			start = -1
		}
		prevSpace = space
		pos++
	}
	if start >= 0 {
		dst = append(dst, [2]int{start, pos})
	}
	return dst
}

// emojiWord gives an emoji the English word an annotator would read in it;
// the lexicon and the models then treat it like that word, in both
// languages.
var emojiWord = map[rune]string{
	'😂': "haha", '🤣': "haha", '😆': "haha", '😹': "haha", '😅': "haha", '😄': "happy", '😃': "happy", '😀': "happy",
	'😁': "happy", '😊': "happy", '🙂': "happy", '☺': "happy", '😌': "relieved", '😍': "love", '🥰': "love", '😘': "love",
	'❤': "love", '♥': "love", '💕': "love", '💖': "love", '💗': "love", '💙': "love", '💚': "love", '💜': "love",
	'🧡': "love", '💛': "love", '🖤': "love", '💓': "love", '💞': "love", '😻': "love", '🤗': "hug",
	'👍': "good", '👌': "good", '👏': "bravo", '🙌': "bravo", '💪': "strong", '🎉': "celebrate", '🥳': "celebrate",
	'🎊': "celebrate", '✨': "great", '🔥': "fire", '💯': "perfect", '🏆': "win", '⚽': "football", '🙏': "please",
	'😉': "wink", '😎': "cool", '🤩': "amazing", '😇': "happy",
	'😢': "sad", '😭': "cry", '😿': "cry", '😞': "sad", '😔': "sad", '😟': "worried", '😥': "sad", '☹': "sad",
	'🙁': "sad", '😓': "sad", '💔': "heartbroken", '🥺': "sad", '😪': "sad",
	'😡': "angry", '😠': "angry", '🤬': "angry", '👿': "angry", '😤': "angry", '💢': "angry", '🖕': "fuck",
	'👎': "bad", '😒': "annoyed", '🙄': "annoyed", '😑': "annoyed", '😐': "meh",
	'🤮': "disgusting", '🤢': "disgusting", '💩': "crap", '😷': "sick",
	'😱': "shocked", '😨': "scared", '😰': "scared", '😧': "scared", '😖': "scared", '😬': "nervous", '🙀': "shocked",
	'😮': "wow", '😯': "wow", '😲': "wow", '🤯': "wow", '😳': "wow", '‼': "wow", '❗': "wow",
	'🤔': "hmm", '🤷': "whatever", '😴': "tired", '😩': "tired", '😫': "tired", '🥱': "tired",
}

// appendEmoji adds a token for every emoji of s whose reading is known.
func appendEmoji(s string, dst []wtok) []wtok {
	// Emoji are all outside the Latin-1 letters; most texts have none, and
	// this byte check skips the rune loop for them.
	hasHigh := false
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xE2 {
			hasHigh = true
			break
		}
	}
	if !hasHigh {
		return dst
	}
	pos := 0
	for _, r := range s {
		if r >= 0x2000 {
			if w, ok := emojiWord[r]; ok {
				dst = append(dst, wtok{norm: w, start: pos, end: pos + 1, negFrom: -1, boost: 1, emoji: true})
			}
		}
		pos++
	}
	return dst
}

// native builds the stream of the text's own words, links and mentions
// dropped, laughter unified, emoji read as words, in text order.
func nativeStream(s string, toks []text.Token, skip [][2]int, emo []wtok, dst []wtok) []wtok {
	e := 0
	for _, t := range toks {
		for e < len(emo) && emo[e].start < t.Start {
			dst = append(dst, emo[e])
			e++
		}
		if inSpans(skip, t.Start) {
			continue
		}
		w := wtok{norm: t.Norm, start: t.Start, end: t.End, negFrom: -1, boost: 1, sentence: t.Sentence, clause: t.Clause, upper: t.Upper}
		// Stretched letters ("noooo", "graciaaas") are shortened by
		// Tokenize; the raw span is then longer than the word.
		if t.End-t.Start >= utf8.RuneCountInString(t.Norm)+2 {
			w.elong = true
		}
		if isLaugh(t.Norm) {
			w.norm = "haha"
		}
		dst = append(dst, w)
	}
	return append(dst, emo[e:]...)
}

func inSpans(spans [][2]int, pos int) bool {
	for _, sp := range spans {
		if pos >= sp[0] && pos < sp[1] {
			return true
		}
	}
	return false
}

// englishStream translates a Spanish (or unknown-language) native stream
// word by word through the bridge. English words the bridge could produce
// pass through untranslated, so code-switched text and loans ("ok",
// "cool") keep their meaning.
func (c *Classifier) englishStream(native []wtok, dst []wtok) []wtok {
	b := c.bridge
	for i := 0; i < len(native); {
		t := native[i]
		if t.emoji || t.norm == "haha" {
			dst = append(dst, t)
			i++
			continue
		}
		// One lookup for the phrases, the word and the vocabulary; the
		// order of the questions is that of bridgePhrase, word, Known.
		bw := b.byWord[t.norm]
		n, to := bridgePhrase(bw.phrases, native, i)
		if n == 0 {
			w, ok := bw.exact, bw.hasExact
			if !ok {
				w, ok = b.prefixWord(t.norm)
			}
			if ok {
				n, to = 1, w
			} else if bw.known {
				n, to = 1, nil
				dst = append(dst, t)
			} else {
				n = 1
			}
		}
		last := native[i+n-1]
		for _, w := range to {
			dst = append(dst, wtok{norm: w, start: t.start, end: last.end, negFrom: -1, boost: 1,
				sentence: t.sentence, clause: t.clause, upper: t.upper || last.upper, elong: t.elong || last.elong})
			t.sentence, t.clause = false, false
		}
		i += n
	}
	return dst
}

// bridgePhrase matches the phrases list (those starting with native[i]'s
// word, longest first) at native[i].
func bridgePhrase(list []bridgeEntry, native []wtok, i int) (int, []string) {
	for _, e := range list {
		n := len(e.words)
		if i+n > len(native) {
			continue
		}
		ok := true
		for k := 1; k < n && ok; k++ {
			t := native[i+k]
			if t.sentence || t.emoji {
				ok = false
			} else if k == n-1 && e.prefix {
				ok = strings.HasPrefix(t.norm, e.words[k])
			} else {
				ok = t.norm == e.words[k]
			}
		}
		if ok {
			return n, e.to
		}
	}
	return 0, nil
}

// restrict keeps the words of an English stream the bridge could have
// produced, so an English training text looks like a translated Spanish one.
func (c *Classifier) restrict(st []wtok, dst []wtok) []wtok {
	for _, t := range st {
		if t.emoji || t.norm == "haha" || c.bridge.Known(t.norm) {
			dst = append(dst, t)
		}
	}
	return dst
}

// wordRole is what markScopes needs to know of a word, found with one map
// lookup instead of three.
type wordRole struct {
	negator, scopeEnd, intensifier bool
	factor                         float32
}

var wordRoles = func() map[string]wordRole {
	m := map[string]wordRole{}
	for w := range negators {
		r := m[w]
		r.negator = true
		m[w] = r
	}
	for w := range scopeEnd {
		r := m[w]
		r.scopeEnd = true
		m[w] = r
	}
	for w, f := range intensifiers {
		r := m[w]
		r.intensifier, r.factor = true, f
		m[w] = r
	}
	return m
}()

// markScopes sets negation scopes and intensity boosts on a stream.
func markScopes(st []wtok) {
	negLeft, negFrom := 0, -1
	// The roles of the two words before this one: an intensifier reaches
	// two words ahead within a clause.
	var prev1, prev2 wordRole
	for i := range st {
		t := &st[i]
		role := wordRoles[t.norm]
		if t.clause || t.sentence {
			negLeft = 0
		}
		if role.scopeEnd {
			negLeft = 0
		}
		if negLeft > 0 {
			t.negFrom = negFrom
			negLeft--
		}
		if role.negator {
			// "not" in "not only" or a double negative simply restarts the
			// scope: three words is what a negator reaches in a short
			// customer sentence.
			negLeft, negFrom = 3, t.start
		}
		if i >= 1 && !(st[i].clause || st[i].sentence) {
			if prev1.intensifier {
				t.boost *= prev1.factor
			}
			if i >= 2 && !(st[i-1].clause || st[i-1].sentence) && prev2.intensifier {
				t.boost *= prev2.factor
			}
		}
		if t.upper {
			t.boost *= 1.5
		}
		if t.elong {
			t.boost *= 1.3
		}
		prev2, prev1 = prev1, role
	}
}
