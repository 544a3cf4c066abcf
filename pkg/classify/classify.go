// Package classify gives every message an emotion, a sentiment and an
// intent, with the words that carried them as evidence.
//
// Each task is a small multinomial logistic regression over hashed word,
// word-pair and character n-gram features plus the hits of a hand-written
// lexicon (negation and intensifiers included), stored with int8 weights and
// embedded in the binary (pkg/classify/models, built by `vigia train`).
// English models are trained on permissively licensed English data. Spanish
// text is read through a hand-written Spanish→English bridge dictionary by
// models trained on English text restricted to the words the bridge can
// produce, so no Spanish weight comes from data that may not ship. See
// MODEL_CARD.md for data, figures and known weaknesses.
//
// Intents come from a taxonomy file an operator can replace
// (VIGIA_PIPELINE_INTENTS_FILE); the trained intent model only strengthens
// intents the file names.
package classify

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/vigia-cx/vigia/pkg/classify/model"
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/stage"
	"github.com/vigia-cx/vigia/pkg/text"
)

// Version identifies the classification code: features, decision rules,
// evidence. Classification.Version adds the digests of the models, the
// lexicons and the intent taxonomy a score came from.
const Version = "cls-2026.12.1"

// Emotions (neutral also stands for EmoEvent's "others").
const (
	Anger    = "anger"
	Disgust  = "disgust"
	Fear     = "fear"
	Joy      = "joy"
	Sadness  = "sadness"
	Surprise = "surprise"
	Neutral  = "neutral"
)

// Emotions lists the emotion labels in model order.
var Emotions = []string{Anger, Disgust, Fear, Joy, Sadness, Surprise, Neutral}

// Sentiments.
const (
	Negative    = "negative"
	NeutralSent = "neutral"
	Positive    = "positive"
)

// Sentiments lists the sentiment labels in model order.
var Sentiments = []string{Negative, NeutralSent, Positive}

// NoIntent is the intent model's label for "none of the taxonomy".
const NoIntent = "none"

func emotionIndex(e string) int {
	for i, x := range Emotions {
		if x == e {
			return i
		}
	}
	return -1
}

//go:embed lexicon/*.tsv
var lexiconFS embed.FS

//go:embed models
var modelFS embed.FS

//go:embed intents.txt
var defaultIntents []byte

// Tasks and the languages with a model of their own. Any other language
// is read through the Spanish path, whose bridge passes English words
// through, so a wrong language guess degrades rather than silences.
const (
	TaskEmotion   = "emotion"
	TaskSentiment = "sentiment"
	TaskIntent    = "intent"
)

var (
	tasks     = []string{TaskEmotion, TaskSentiment, TaskIntent}
	modelLang = []string{text.LangEnglish, text.LangSpanish}
)

// ModelFile is the file name of a task's model for a language.
func ModelFile(task, lang string) string { return task + "-" + lang + ".vglm.gz" }

// Options configure New.
type Options struct {
	// IntentsFile replaces the built-in intent taxonomy.
	IntentsFile string
	// ModelDir, when set, holds model files that replace the embedded ones
	// of the same name (research models, a freshly trained set).
	ModelDir string
}

// path is what one language uses.
type path struct {
	models  [3]*model.Model // by task
	specs   []model.Spec    // distinct specs of the models
	specOf  [3]int
	version string
	full    string // what Classification.Version holds
}

// Classifier scores texts. It is safe for concurrent use.
type Classifier struct {
	lexicon *Lexicon
	bridge  *Bridge
	intents *Taxonomy
	paths   map[string]*path
	pool    sync.Pool
	lexSum  string
}

type scratch struct {
	toks []text.Token // the pool's token buffer
	// words are the tokens of the text being classified: toks, or the
	// caller's (ClassifyTokens).
	words   []text.Token
	iscore  []float64
	skip    [][2]int
	emo     []wtok
	native  []wtok
	english []wtok
	feats   [2][]model.Feat
	scores  [3][]float32
	contrib []float32
	hits    []intentHit
}

// New loads the lexicons, the models and the intent taxonomy.
func New(opts Options) (*Classifier, error) {
	c, err := newLexical(opts)
	if err != nil {
		return nil, err
	}
	if err := c.loadModels(opts.ModelDir); err != nil {
		return nil, err
	}
	return c, nil
}

// newLexical loads everything but the models: what the trainer needs to
// extract features. Its Classify must not be called.
func newLexical(opts Options) (*Classifier, error) {
	c := &Classifier{paths: map[string]*path{}}
	c.pool.New = func() any { return &scratch{} }
	h := sha256.New()
	raw, err := lexiconFS.ReadFile("lexicon/en.tsv")
	if err != nil {
		return nil, fmt.Errorf("read lexicon: %w", err)
	}
	h.Write(raw)
	if c.lexicon, err = parseLexicon(raw); err != nil {
		return nil, fmt.Errorf("lexicon en.tsv: %w", err)
	}
	if raw, err = lexiconFS.ReadFile("lexicon/bridge_es.tsv"); err != nil {
		return nil, fmt.Errorf("read bridge: %w", err)
	}
	h.Write(raw)
	if c.bridge, err = parseBridge(raw); err != nil {
		return nil, fmt.Errorf("lexicon bridge_es.tsv: %w", err)
	}
	for _, w := range emojiWord {
		c.bridge.vocab[w] = struct{}{}
	}
	c.bridge.vocab["haha"] = struct{}{}
	c.bridge.index()
	c.lexSum = hex.EncodeToString(h.Sum(nil)[:4])
	intents, name := defaultIntents, "built-in"
	if opts.IntentsFile != "" {
		if intents, err = os.ReadFile(opts.IntentsFile); err != nil {
			return nil, fmt.Errorf("intents file: %w", err)
		}
		name = opts.IntentsFile
	}
	if c.intents, err = ParseTaxonomy(intents); err != nil {
		return nil, fmt.Errorf("intents %s: %w", name, err)
	}
	return c, nil
}

func (c *Classifier) loadModels(dir string) error {
	for _, lang := range modelLang {
		p := &path{}
		sum := sha256.New()
		for ti, task := range tasks {
			m, err := loadModel(dir, ModelFile(task, lang))
			if err != nil {
				return err
			}
			if err := checkModel(m, task); err != nil {
				return fmt.Errorf("model %s: %w", ModelFile(task, lang), err)
			}
			p.models[ti] = m
			p.specOf[ti] = -1
			for si, s := range p.specs {
				if s == m.Spec {
					p.specOf[ti] = si
				}
			}
			if p.specOf[ti] < 0 {
				p.specs = append(p.specs, m.Spec)
				p.specOf[ti] = len(p.specs) - 1
			}
			sum.Write([]byte(m.Digest()))
		}
		p.version = hex.EncodeToString(sum.Sum(nil)[:4])
		c.paths[lang] = p
	}
	for lang, p := range c.paths {
		p.full = Version + "/" + lang + ":" + p.version + "/lx:" + c.lexSum + "/in:" + c.intents.Version + "@" + c.intents.digest
	}
	if len(c.paths[text.LangSpanish].specs) > 2 || len(c.paths[text.LangEnglish].specs) > 2 {
		return fmt.Errorf("models of one language use more than two feature specs")
	}
	return nil
}

func loadModel(dir, name string) (*model.Model, error) {
	if dir != "" {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			m, err := model.Unmarshal(b)
			if err != nil {
				return nil, fmt.Errorf("model %s: %w", filepath.Join(dir, name), err)
			}
			return m, nil
		}
		if !os.IsNotExist(err) {
			return nil, fmt.Errorf("model %s: %w", name, err)
		}
	}
	b, err := modelFS.ReadFile("models/" + name)
	if err != nil {
		return nil, fmt.Errorf("model %s is not built into this binary (run vigia train): %w", name, err)
	}
	m, err := model.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", name, err)
	}
	return m, nil
}

func checkModel(m *model.Model, task string) error {
	var want []string
	switch task {
	case TaskEmotion:
		want = Emotions
	case TaskSentiment:
		want = Sentiments
	default:
		if m.Label(NoIntent) < 0 {
			return fmt.Errorf("intent model without a %q label", NoIntent)
		}
		return nil
	}
	if strings.Join(m.Labels, ",") != strings.Join(want, ",") {
		return fmt.Errorf("labels %v, want %v", m.Labels, want)
	}
	return nil
}

// VersionOf is what Classification.Version holds for a language.
func (c *Classifier) VersionOf(lang string) string { return c.pathFor(lang).full }

func (c *Classifier) pathFor(lang string) *path {
	if lang == text.LangEnglish {
		return c.paths[text.LangEnglish]
	}
	return c.paths[text.LangSpanish]
}

// Models describes the loaded models, for the model card and the eval.
func (c *Classifier) Models() []model.Meta {
	var out []model.Meta
	for _, lang := range modelLang {
		for _, m := range c.paths[lang].models {
			out = append(out, m.Meta)
		}
	}
	return out
}

// ModelDigests names every loaded model with its digest.
func (c *Classifier) ModelDigests() map[string]string {
	out := map[string]string{}
	for _, lang := range modelLang {
		for ti, m := range c.paths[lang].models {
			out[ModelFile(tasks[ti], lang)] = m.Digest()
		}
	}
	return out
}

// Intents is the loaded taxonomy.
func (c *Classifier) Intents() *Taxonomy { return c.intents }

// streams tokenizes s and builds the native and English streams into sc.
func (c *Classifier) streams(s, lang string, restrict bool, sc *scratch) {
	// The token slice is the scratch's, reused from text to text.
	sc.toks = text.AppendTokens(sc.toks[:0], s)
	sc.words = sc.toks
	c.streamsOf(s, sc.toks, lang, restrict, sc)
}

// streamsOf builds the streams of s from its tokens, text.Tokenize(s).
func (c *Classifier) streamsOf(s string, toks []text.Token, lang string, restrict bool, sc *scratch) {
	sc.skip = urlSpans(s, sc.skip[:0])
	sc.emo = appendEmoji(s, sc.emo[:0])
	sc.native = nativeStream(s, toks, sc.skip, sc.emo, sc.native[:0])
	markScopes(sc.native)
	switch {
	case lang == text.LangEnglish && restrict:
		sc.english = c.restrict(sc.native, sc.english[:0])
	case lang == text.LangEnglish:
		sc.english = append(sc.english[:0], sc.native...)
		return
	default:
		sc.english = c.englishStream(sc.native, sc.english[:0])
	}
	for i := range sc.english {
		sc.english[i].negFrom, sc.english[i].boost = -1, 1
	}
	markScopes(sc.english)
}

// Features returns the features of s under spec, as the trainer sees them.
// lang is the text's language; restrict applies the bridge vocabulary to
// English text when the spec asks for it.
func (c *Classifier) Features(spec model.Spec, s, lang string, dst []model.Feat) []model.Feat {
	sc := c.pool.Get().(*scratch)
	defer c.pool.Put(sc)
	c.streams(s, lang, spec.Restrict, sc)
	return featurize(spec, c.lexicon, s, sc.native, sc.english, dst)
}

// MaskedFeatures is Features with the word features of every lexicon word
// removed, its lexicon features kept, or nil when no lexicon word occurs
// or the spec's words cannot be lined up with the lexicon's. Training on
// both copies teaches a model what a lexicon hit means by itself, which is
// all it has for a cue word its training text never used ("inadmissible",
// or a Spanish word the bridge maps to a rare English one).
func (c *Classifier) MaskedFeatures(spec model.Spec, s, lang string, dst []model.Feat) []model.Feat {
	if !spec.Lexicon || (spec.Stream != "english" && lang != text.LangEnglish) {
		return nil
	}
	sc := c.pool.Get().(*scratch)
	defer c.pool.Put(sc)
	c.streams(s, lang, spec.Restrict, sc)
	n := len(sc.native)
	hit := make(map[int]bool)
	for i := range sc.english {
		if _, ok := c.lexicon.lookupTok(&sc.english[i]); ok {
			hit[i] = true
		}
	}
	if len(hit) == 0 {
		return nil
	}
	words := spec
	words.Lexicon = false
	all := featurize(words, c.lexicon, s, sc.native, sc.english, nil)
	// Word features index native tokens (English text: the same positions
	// as the English stream) or English-stream tokens offset by n.
	tok := func(i int16) int {
		if spec.Stream == "english" {
			return int(i) - n
		}
		return int(i)
	}
	for _, f := range all {
		if f.A >= 0 && (hit[tok(f.A)] || (f.B >= 0 && hit[tok(f.B)])) {
			continue
		}
		dst = append(dst, f)
	}
	return lexiconFeats(c.lexicon, n, sc.english, dst)
}

// Classify scores one text in language lang (es, en; anything else is read
// as possibly either). The result's Version names every model and list used.
func (c *Classifier) Classify(s, lang string) event.Classification {
	return c.ClassifyTokens(s, nil, lang)
}

// ClassifyTokens is Classify with the text's tokens (text.AppendTokens of
// s) already made, for a caller that shares them; nil tokenizes here.
func (c *Classifier) ClassifyTokens(s string, toks []text.Token, lang string) event.Classification {
	p := c.pathFor(lang)
	sc := c.pool.Get().(*scratch)
	defer c.pool.Put(sc)
	// A Spanish-path model trained with Restrict reads English text the way
	// it was trained; its streams then come from the bridge.
	if toks == nil {
		c.streams(s, lang, false, sc)
	} else {
		sc.words = toks
		defer func() { sc.words = nil }() // the caller's buffer is not the pool's
		c.streamsOf(s, toks, lang, false, sc)
	}
	for si, spec := range p.specs {
		sc.feats[si] = featurize(spec, c.lexicon, s, sc.native, sc.english, sc.feats[si][:0])
	}
	for ti, m := range p.models {
		if cap(sc.scores[ti]) < m.Classes() {
			sc.scores[ti] = make([]float32, m.Classes())
		}
		sc.scores[ti] = sc.scores[ti][:m.Classes()]
		m.Scores(sc.feats[p.specOf[ti]], sc.scores[ti])
		if ti == 1 {
			lexiconPrior(sc.scores[ti], sc.english, c.lexicon)
		}
		model.Softmax(sc.scores[ti])
	}
	out := event.Classification{Version: c.VersionOf(lang)}

	emo, emoP := argmax(sc.scores[0])
	out.Emotion, out.EmotionScore = Emotions[emo], round3(emoP)
	if out.Emotion != Neutral {
		out.Evidence = c.evidence(p.models[0], emo, -1, sc.feats[p.specOf[0]], s, sc, out.Emotion, out.Evidence)
		out.EmotionIntensity = round3(intensity(emoP, out.Emotion, s, sc, c.lexicon))
	}

	sp := sc.scores[1]
	sent, _ := argmax(sp)
	out.Sentiment = Sentiments[sent]
	out.SentimentScore = round3(sp[2] - sp[0])
	if out.Sentiment != NeutralSent {
		out.Evidence = c.evidence(p.models[1], sent, -1, sc.feats[p.specOf[1]], s, sc, out.Sentiment, out.Evidence)
	}

	out.Intent, out.IntentScore, out.Evidence = c.intent(p, lang, s, sc, out.Evidence)
	slices.SortStableFunc(out.Evidence, func(a, b event.Span) int { return a.Start - b.Start })
	return out
}

// priorWeight scales the hand-written lexicon's vote on sentiment. The
// sentiment models learn polarity from Reddit comments; the lexicon's
// explicit negation rule and its cue words the training text rarely used
// ("inadmisible", "no estoy contento") are added as a fixed vote so they
// count the same in every domain. 0.35 per unit of valence lets one strong
// word move a neutral reading, not overturn a confident one.
const priorWeight = 0.5

// lexiconPrior adds the lexicon's signed valence to the negative and
// positive sentiment scores (Sentiments order).
func lexiconPrior(scores []float32, english []wtok, lx *Lexicon) {
	var pos, neg float32
	for i := range english {
		t := &english[i]
		e, ok := lx.lookupTok(t)
		if !ok || e.valence == 0 {
			continue
		}
		v := min(float32(math.Abs(float64(e.valence)))*t.boost, 6)
		negative := e.valence < 0
		if t.negFrom >= 0 {
			negative, v = !negative, v*0.7
		}
		if negative {
			neg += v
		} else {
			pos += v
		}
	}
	scores[0] += priorWeight * min(neg, 8)
	scores[2] += priorWeight * min(pos, 8)
}

func argmax(p []float32) (int, float32) {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best, p[best]
}

// intensity is how strongly the emotion is expressed, apart from how sure
// the model is of it: the lexicon strength of the words that carry it,
// intensifiers, shouting, exclamations, stretched letters and emoji.
func intensity(p float32, emotion, s string, sc *scratch, lx *Lexicon) float32 {
	var lex float32
	for i := range sc.english {
		t := &sc.english[i]
		e, ok := lx.lookupTok(t)
		if !ok || t.negFrom >= 0 {
			continue
		}
		if e.emotion == emotion || (e.emotion == "" && (e.valence < 0) == (emotion != Joy && emotion != Surprise)) {
			lex += float32(math.Abs(float64(e.valence))) * t.boost
		}
	}
	excl := float32(min(strings.Count(s, "!"), 4))
	emph := 1 + 0.12*excl
	upper, words, elong, emoji := 0, 0, 0, 0
	for i := range sc.native {
		t := &sc.native[i]
		if t.emoji {
			emoji++
			continue
		}
		words++
		if t.upper {
			upper++
		}
		if t.elong {
			elong++
		}
	}
	if upper > 0 && upper*2 >= words {
		emph += 0.3
	}
	if elong > 0 {
		emph += 0.15
	}
	emph += 0.1 * float32(min(emoji, 3))
	raw := float64(p * (1 + min(lex, 12)/3) * emph)
	return float32(1 - math.Exp(-raw))
}

func round3(f float32) float32 { return float32(math.Round(float64(f)*1000) / 1000) }

// Stage binds the classifier to the stage contract: messages from people and
// survey comments get a classification; system lines and bots do not.
type Stage struct{ C *Classifier }

// Name implements stage.Stage.
func (Stage) Name() string { return "classify" }

// Process implements stage.Stage.
func (s Stage) Process(_ context.Context, items []*stage.Item) error {
	for _, it := range items {
		if r := it.Record; Classifies(r) {
			c := s.C.Classify(r.Enriched.Text, r.Enriched.Lang)
			r.Classified = &c
		}
	}
	return nil
}

// Classifies says whether the stage classifies r: a text from a person.
func Classifies(r *event.Record) bool {
	if r.Enriched == nil || r.Enriched.Text == "" {
		return false
	}
	return r.Event.Type != event.TypeMessage || (r.Event.Data.Speaker != event.SpeakerSystem && r.Event.Data.Speaker != event.SpeakerBot)
}
