// Package classify gives every message an emotion and a sentiment, with the
// words that carried them as evidence. This first version is a hand-written
// lexicon with negation and intensity handling; its Version is stored with
// every score so rows stay interpretable after a model upgrade.
package classify

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/stage"
	"github.com/vigia-cx/vigia/pkg/text"
)

// Version identifies the lexicons and scoring below.
const Version = "lexicon-2026.12.0"

// Emotions (neutral when no emotion word carries enough weight).
const (
	Anger    = "anger"
	Disgust  = "disgust"
	Fear     = "fear"
	Joy      = "joy"
	Sadness  = "sadness"
	Surprise = "surprise"
	Neutral  = "neutral"
)

// Sentiments.
const (
	Negative    = "negative"
	NeutralSent = "neutral"
	Positive    = "positive"
)

//go:embed lexicon/*.tsv
var lexiconFS embed.FS

type entry struct {
	emotion string
	valence float64
}

// Lexicon is one language's word list.
type Lexicon struct {
	exact   map[string]entry
	prefix  map[string]entry
	longest int
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
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: valence: %w", n, err)
		}
		e := entry{emotion: f[1], valence: v}
		if e.emotion == "-" {
			e.emotion = ""
		}
		if term, ok := strings.CutSuffix(f[0], "*"); ok {
			stem := text.Fold(term)
			lx.prefix[stem] = e
			lx.longest = max(lx.longest, len(stem))
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
	for n := min(len(word), lx.longest); n >= 3; n-- {
		if e, ok := lx.prefix[word[:n]]; ok {
			return e, true
		}
	}
	return entry{}, false
}

var negators = map[string]bool{
	"no": true, "nunca": true, "jamas": true, "ni": true, "tampoco": true, "sin": true,
	"not": true, "never": true, "dont": true, "doesnt": true, "didnt": true, "isnt": true,
	"wasnt": true, "arent": true, "cant": true, "cannot": true, "wont": true, "without": true, "nor": true,
}

var intensifiers = map[string]float64{
	"muy": 1.5, "super": 1.5, "tan": 1.4, "demasiado": 1.5, "totalmente": 1.5, "sumamente": 1.7, "bastante": 1.3, "re": 1.4,
	"very": 1.5, "so": 1.4, "really": 1.5, "extremely": 1.7, "totally": 1.5, "absolutely": 1.6, "too": 1.3, "incredibly": 1.7,
}

// Classifier scores texts with the lexicons of each language.
type Classifier struct {
	lexicons map[string]*Lexicon
}

// New loads the embedded lexicons.
func New() (*Classifier, error) {
	c := &Classifier{lexicons: map[string]*Lexicon{}}
	for _, lang := range []string{text.LangSpanish, text.LangEnglish} {
		raw, err := lexiconFS.ReadFile("lexicon/" + lang + ".tsv")
		if err != nil {
			return nil, fmt.Errorf("read lexicon %s: %w", lang, err)
		}
		lx, err := parseLexicon(raw)
		if err != nil {
			return nil, fmt.Errorf("lexicon %s: %w", lang, err)
		}
		c.lexicons[lang] = lx
	}
	return c, nil
}

// Classify scores one text. lang other than es/en uses both lexicons, since a
// wrong guess must not silence an angry customer.
func (c *Classifier) Classify(s, lang string) event.Classification {
	toks := text.Tokenize(s)
	lexs := make([]*Lexicon, 0, 2)
	if lx, ok := c.lexicons[lang]; ok {
		lexs = append(lexs, lx)
	} else {
		lexs = append(lexs, c.lexicons[text.LangSpanish], c.lexicons[text.LangEnglish])
	}
	emphasis := 1 + 0.1*math.Min(float64(strings.Count(s, "!")), 5)
	var (
		emo      = map[string]float64{}
		valence  float64
		evidence []event.Span
	)
	for i, t := range toks {
		var e entry
		found := false
		for _, lx := range lexs {
			if e, found = lx.lookup(t.Norm); found {
				break
			}
		}
		if !found {
			continue
		}
		w := emphasis
		negated := false
		for k := i - 1; k >= 0 && k >= i-3; k-- {
			if negators[toks[k].Norm] {
				negated = true
			}
			if f, ok := intensifiers[toks[k].Norm]; ok {
				w *= f
			}
			if toks[k].Clause {
				break
			}
		}
		if t.Upper {
			w *= 1.5
		}
		v := e.valence * w
		label := e.emotion
		if negated {
			// "no estoy contento" is negative, but not sadness: a negated
			// emotion word says what the customer does not feel.
			v = -0.7 * v
			label = ""
		}
		valence += v
		if label != "" {
			emo[label] += math.Abs(e.valence) * w
		}
		if label == "" {
			label = polarityOf(v)
			if label == "" {
				continue
			}
		}
		evidence = append(evidence, event.Span{Start: t.Start, End: t.End, Text: text.Slice(s, t.Start, t.End), Label: label})
	}
	out := event.Classification{Emotion: Neutral, Sentiment: NeutralSent, Evidence: evidence, Version: Version}
	best, bestW := "", 0.0
	for _, name := range []string{Anger, Disgust, Fear, Sadness, Joy, Surprise} {
		if emo[name] > bestW {
			best, bestW = name, emo[name]
		}
	}
	if bestW >= 2 {
		out.Emotion = best
		out.EmotionScore = round3(1 - math.Exp(-bestW/4))
	}
	score := math.Tanh(valence / 4)
	out.SentimentScore = round3(score)
	switch {
	case score <= -0.25:
		out.Sentiment = Negative
	case score >= 0.25:
		out.Sentiment = Positive
	}
	return out
}

func polarityOf(v float64) string {
	switch {
	case v < 0:
		return Negative
	case v > 0:
		return Positive
	}
	return ""
}

func round3(f float64) float32 { return float32(math.Round(f*1000) / 1000) }

// Stage binds the classifier to the stage contract: messages from people and
// survey comments get a classification; system lines and bots do not.
type Stage struct{ C *Classifier }

// Name implements stage.Stage.
func (Stage) Name() string { return "classify" }

// Process implements stage.Stage.
func (s Stage) Process(_ context.Context, items []*stage.Item) error {
	for _, it := range items {
		r := it.Record
		if r.Enriched == nil || r.Enriched.Text == "" {
			continue
		}
		if r.Event.Type == event.TypeMessage && (r.Event.Data.Speaker == event.SpeakerSystem || r.Event.Data.Speaker == event.SpeakerBot) {
			continue
		}
		c := s.C.Classify(r.Enriched.Text, r.Enriched.Lang)
		r.Classified = &c
	}
	return nil
}
