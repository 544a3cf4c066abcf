package classify

import (
	"math"

	"github.com/vigia-cx/vigia/pkg/classify/model"
)

// Feature weights within a text. Words and pairs of words are normalized by
// the length of the text (a long email says each thing less strongly than a
// short chat line); character n-grams, of which every word has many, count
// less than the word itself; lexicon hits are not normalized, because one
// "furious" in a long message is still furious.
const (
	wUnigram = 1.0
	wBigram  = 0.7
	wChar    = 0.25
	wLexicon = 1.0 / 3
	wShape   = 0.5
)

const negFlag = 1

// featurize appends the features of one text to dst. Indices in Feat.A/B
// point into native (0..len(native)-1) or english (offset by len(native)).
func featurize(spec model.Spec, lx *Lexicon, raw string, native, english []wtok, dst []model.Feat) []model.Feat {
	words, base := native, 0
	if spec.Stream == "english" {
		words, base = english, len(native)
	}
	s := float32(1 / math.Sqrt(float64(len(words))+1))
	// When the words are the English stream (or English text, whose two
	// streams are one), a negated lexicon word gives no word features at
	// all, only the lexicon's hand-ruled flip: the data taught "not happy"
	// to mean joy, because in comments a negated cue word is so often an
	// idiom of joy ("couldn't be happier", "can't thank you enough").
	aligned := spec.Stream == "english" || sameStream(native, english)
	for i := range words {
		t := &words[i]
		if t.negFrom >= 0 && aligned && spec.Lexicon {
			if e, ok := lx.lookupTok(t); ok && e.valence != 0 {
				continue
			}
		}
		h := model.AddString(model.Seed('u'), t.norm)
		if t.negFrom >= 0 {
			h = model.AddByte(h, negFlag)
		}
		dst = append(dst, model.Feat{H: model.Finish(h), V: wUnigram * s, A: int16(base + i), B: -1})
		if spec.Bigrams && i > 0 && !t.sentence {
			h := model.AddString(model.Seed('b'), words[i-1].norm)
			h = model.AddString(model.AddByte(h, 0), t.norm)
			// "no estoy contento" must not read as the pair "am happy".
			if t.negFrom >= 0 {
				h = model.AddByte(h, negFlag)
			}
			dst = append(dst, model.Feat{H: model.Finish(h), V: wBigram * s, A: int16(base + i - 1), B: int16(base + i)})
		}
		if spec.CharMax > 0 && !t.emoji {
			dst = charGrams(t.norm, spec.CharMin, spec.CharMax, wChar*s, int16(base+i), dst)
		}
	}
	if spec.Lexicon {
		dst = lexiconFeats(lx, len(native), english, dst)
	}
	if spec.Shape {
		dst = shape(raw, native, dst)
	}
	return dst
}

// lexiconFeats adds one feature per lexicon hit in the English stream: its
// emotion and its polarity, valued by the word's strength and what
// intensifies it. A negated word is hand-ruled, not learned: it gives no
// emotion and the opposite polarity at 0.7 of its strength ("no estoy
// contento" is negative, but not sadness: it says what the customer does not
// feel). Left to the data, "not happy" leaned towards joy, because the
// word's own features outweigh its negation in too few training examples.
func lexiconFeats(lx *Lexicon, base int, english []wtok, dst []model.Feat) []model.Feat {
	for i := range english {
		t := &english[i]
		e, ok := lx.lookupTok(t)
		if !ok {
			continue
		}
		v := float32(math.Abs(float64(e.valence))) * t.boost
		v = min(v, 6) * wLexicon
		neg := t.negFrom >= 0
		if e.emotion != "" && !neg {
			h := model.AddString(model.Seed('l'), e.emotion)
			dst = append(dst, model.Feat{H: model.Finish(h), V: v, A: int16(base + i), B: -1})
		}
		if e.valence != 0 {
			negative := e.valence < 0
			if neg {
				negative = !negative
				v *= 0.7
			}
			sign := "+"
			if negative {
				sign = "-"
			}
			h := model.AddString(model.Seed('p'), sign)
			dst = append(dst, model.Feat{H: model.Finish(h), V: v, A: int16(base + i), B: -1})
		}
	}
	return dst
}

// sameStream reports whether two streams hold the same words at the same
// places (an English text's native and English streams).
func sameStream(a, b []wtok) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].start != b[i].start || a[i].norm != b[i].norm {
			return false
		}
	}
	return true
}

// charGrams adds the byte n-grams of "<word>", which carry misspellings,
// stretched words and inflections to the weights of the words they resemble.
func charGrams(w string, lo, hi int, v float32, tok int16, dst []model.Feat) []model.Feat {
	// The grams are read from "<" + w + ">", spelled out once.
	var buf [64]byte
	var b []byte
	if len(w)+2 <= len(buf) {
		b = buf[:0]
	} else {
		b = make([]byte, 0, len(w)+2)
	}
	b = append(b, '<')
	b = append(b, w...)
	b = append(b, '>')
	n := len(b)
	for i := 0; i < n; i++ {
		h := model.Seed('c')
		for k := 0; k < hi && i+k < n; k++ {
			h = model.AddByte(h, b[i+k])
			if k+1 >= lo {
				dst = append(dst, model.Feat{H: model.Finish(h), V: v, A: tok, B: -1})
			}
		}
	}
	return dst
}

// shape adds the language-neutral marks of emotion: exclamations, questions,
// shouting, stretched words, emoji, length.
func shape(raw string, native []wtok, dst []model.Feat) []model.Feat {
	excl, quest := 0, 0
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '!':
			excl++
		case '?':
			quest++
		}
	}
	upper, elong, emoji, words := 0, 0, 0, 0
	for i := range native {
		t := &native[i]
		switch {
		case t.emoji:
			emoji++
		default:
			words++
			if t.upper {
				upper++
			}
			if t.elong {
				elong++
			}
		}
	}
	add := func(name string, bucket int) {
		h := model.AddString(model.Seed('s'), name)
		dst = append(dst, model.Feat{H: model.Finish(model.AddByte(h, byte(bucket))), V: wShape, A: -1, B: -1})
	}
	add("excl", min(excl, 3))
	add("quest", min(quest, 2))
	if excl > 0 && quest > 0 {
		add("exq", 1)
	}
	add("upper", min(upper, 3))
	if upper > 0 && upper*2 >= words {
		add("shout", 1)
	}
	add("elong", min(elong, 2))
	add("emoji", min(emoji, 3))
	switch {
	case words <= 3:
		add("len", 0)
	case words <= 8:
		add("len", 1)
	case words <= 20:
		add("len", 2)
	default:
		add("len", 3)
	}
	return dst
}
