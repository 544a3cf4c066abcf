package classify

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/vigia-cx/vigia/pkg/classify/corpus"
	"github.com/vigia-cx/vigia/pkg/classify/model"
	"github.com/vigia-cx/vigia/pkg/text"
)

// Feature specs. English models read the text's own words; the intent
// model adds character n-grams. Spanish models read the bridge's English
// words, and are trained on English text cut down to the words the bridge
// can produce.
//
// Character n-grams were dropped from English emotion and sentiment after
// `vigia eval` with and without them: without, macro-F1 was equal on
// GoEmotions dev and XLM-T en, higher on EmoEvent en (0.296 → 0.332), and
// Classify 1.5× faster. Intent keeps them: banking77 lost 0.018 without.
var (
	specEnglish       = model.Spec{Stream: "native", Bigrams: true, Lexicon: true, Shape: true}
	specEnglishIntent = model.Spec{Stream: "native", Bigrams: true, CharMin: 3, CharMax: 5, Lexicon: true, Shape: true}
	specBridged       = model.Spec{Stream: "english", Restrict: true, Bigrams: true, Lexicon: true, Shape: true}
	// Research models read Spanish (or English) tweets natively, with the
	// bridged lexicon on top.
	specResearch = model.Spec{Stream: "native", Bigrams: true, CharMin: 2, CharMax: 5, Lexicon: true, Shape: true}
)

// TrainOptions configure Train.
type TrainOptions struct {
	DataDir string
	OutDir  string
	// Research trains the evaluation-only models (EmoEvent, XLM-T) instead
	// of the shipped ones; OutDir must then be outside the repository.
	Research bool
	// Limit caps the examples read from each file (0 = all), for tests.
	Limit int
	Log   io.Writer
}

// ShippedDir is where the embedded models live, relative to the repo root.
const ShippedDir = "pkg/classify/models"

type job struct {
	task, lang string
	spec       model.Spec
	labels     []string
	bits       int
	epochs     int
	rate       float64
	train, dev []labelled
	trainedOn  string
	license    string
	tune       bool
	augment    bool
}

// labelled is a text with a target distribution over a job's labels.
type labelled struct {
	text   string
	lang   string
	target []float32
	gold   int // single gold label for dev, -1 if ambiguous
}

// Train builds models from the data folder and writes them to OutDir.
func Train(o TrainOptions) ([]model.Meta, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	c, err := newLexical(Options{})
	if err != nil {
		return nil, err
	}
	var jobs []job
	if o.Research {
		jobs, err = researchJobs(o)
	} else {
		jobs, err = shippedJobs(o)
	}
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("model dir: %w", err)
	}
	var metas []model.Meta
	for _, j := range jobs {
		start := time.Now()
		m := trainJob(c, j)
		b, err := m.Marshal()
		if err != nil {
			return nil, err
		}
		out := filepath.Join(o.OutDir, ModelFile(j.task, j.lang))
		if err := os.WriteFile(out, b, 0o644); err != nil {
			return nil, fmt.Errorf("write model: %w", err)
		}
		fmt.Fprintf(o.Log, "%-22s %6d examples  dev macro-F1 %.3f  %7d bytes  %s  (%s)\n", ModelFile(j.task, j.lang),
			m.Examples, m.Dev["macro_f1"], len(b), m.Digest(), time.Since(start).Round(time.Millisecond))
		metas = append(metas, m.Meta)
	}
	return metas, nil
}

// limit keeps n items spread evenly over xs (files sorted by label would
// otherwise lose whole classes).
func limit[T any](xs []T, n int) []T {
	if n <= 0 || len(xs) <= n {
		return xs
	}
	out := make([]T, n)
	for i := range out {
		out[i] = xs[i*len(xs)/n]
	}
	return out
}

func shippedJobs(o TrainOptions) ([]job, error) {
	geTrain, err := corpus.GoEmotions(o.DataDir, "train")
	if err != nil {
		return nil, err
	}
	geDev, err := corpus.GoEmotions(o.DataDir, "dev")
	if err != nil {
		return nil, err
	}
	geTrain, geDev = limit(geTrain, o.Limit), limit(geDev, o.Limit)
	lic := "goemotions: " + corpus.Licenses["goemotions"].Name
	emoTrain, emoDev := mapMulti(geTrain, Emotions, corpus.GoEmotionsEmotion), mapMulti(geDev, Emotions, corpus.GoEmotionsEmotion)
	sentTrain, sentDev := mapMulti(geTrain, Sentiments, corpus.GoEmotionsSentiment), mapMulti(geDev, Sentiments, corpus.GoEmotionsSentiment)

	inTrain, inDev, inLabels, err := intentData(o, geTrain)
	if err != nil {
		return nil, err
	}
	inLic := "banking77: " + corpus.Licenses["banking77"].Name + "; clinc150: " + corpus.Licenses["clinc150"].Name + "; goemotions (as none): " + corpus.Licenses["goemotions"].Name
	var jobs []job
	for _, lang := range modelLang {
		spec, intentSpec, bits := specEnglish, specEnglishIntent, 18
		if lang == text.LangSpanish {
			spec, intentSpec, bits = specBridged, specBridged, 17
		}
		jobs = append(jobs,
			job{task: TaskEmotion, lang: lang, spec: spec, labels: Emotions, bits: bits, epochs: 6, rate: 0.3,
				train: emoTrain, dev: emoDev, trainedOn: "GoEmotions train (vigia mapping)", license: lic, tune: true, augment: true},
			job{task: TaskSentiment, lang: lang, spec: spec, labels: Sentiments, bits: bits - 1, epochs: 6, rate: 0.3,
				train: sentTrain, dev: sentDev, trainedOn: "GoEmotions train (vigia sentiment grouping)", license: lic, tune: true, augment: true},
			job{task: TaskIntent, lang: lang, spec: intentSpec, labels: inLabels, bits: bits - 2, epochs: 8, rate: 0.3,
				train: inTrain, dev: inDev, trainedOn: "banking77 train + CLINC150 train (mapped), GoEmotions sample as none", license: inLic})
	}
	return jobs, nil
}

func researchJobs(o TrainOptions) ([]job, error) {
	var jobs []job
	for _, lang := range modelLang {
		tr, err := corpus.EmoEvent(o.DataDir, lang, "train")
		if err != nil {
			return nil, err
		}
		dv, err := corpus.EmoEvent(o.DataDir, lang, "dev")
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, job{task: TaskEmotion, lang: lang, spec: specResearch, labels: Emotions, bits: 18, epochs: 10, rate: 0.2,
			train: mapSingle(limit(tr, o.Limit), Emotions), dev: mapSingle(limit(dv, o.Limit), Emotions),
			trainedOn: "EmoEvent " + lang + " train (RESEARCH ONLY)", license: "emoevent: " + corpus.Licenses["emoevent"].Name, tune: true})
		tr, err = corpus.XLMT(o.DataDir, lang, "train")
		if err != nil {
			return nil, err
		}
		dv, err = corpus.XLMT(o.DataDir, lang, "val")
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, job{task: TaskSentiment, lang: lang, spec: specResearch, labels: Sentiments, bits: 18, epochs: 10, rate: 0.2,
			train: mapSingle(limit(tr, o.Limit), Sentiments), dev: mapSingle(limit(dv, o.Limit), Sentiments),
			trainedOn: "XLM-T UMSAB " + lang + " train (RESEARCH ONLY)", license: "xlmt: " + corpus.Licenses["xlmt"].Name, tune: true})
	}
	return jobs, nil
}

// mapMulti turns multi-label examples into target distributions over
// labels: each mapped label gets an equal share. Dev gold is the label when
// all of an example's labels map to one class, else -1.
func mapMulti(xs []corpus.Example, labels []string, m map[string]string) []labelled {
	idx := indexOf(labels)
	out := make([]labelled, 0, len(xs))
	for _, x := range xs {
		t := make([]float32, len(labels))
		var n float32
		for _, l := range x.Labels {
			if k, ok := idx[m[l]]; ok {
				t[k]++
				n++
			}
		}
		if n == 0 {
			continue
		}
		gold, classes := -1, 0
		for k := range t {
			if t[k] > 0 {
				classes++
				gold = k
			}
			t[k] /= n
		}
		if classes > 1 {
			gold = -1
		}
		out = append(out, labelled{text: x.Text, lang: x.Lang, target: t, gold: gold})
	}
	return out
}

func mapSingle(xs []corpus.Example, labels []string) []labelled {
	idx := indexOf(labels)
	out := make([]labelled, 0, len(xs))
	for _, x := range xs {
		k, ok := idx[x.Labels[0]]
		if !ok {
			continue
		}
		t := make([]float32, len(labels))
		t[k] = 1
		out = append(out, labelled{text: x.Text, lang: x.Lang, target: t, gold: k})
	}
	return out
}

func indexOf(labels []string) map[string]int {
	m := make(map[string]int, len(labels))
	for i, l := range labels {
		m[l] = i
	}
	return m
}

// IntentLabels are the intent model's classes: the seed intents with
// training data, then none. complaint has no training data and lives in the
// taxonomy's phrases only.
var IntentLabels = []string{"billing", "cancellation", "delivery", "technical_fault", "refund", "account_access", "information", NoIntent}

// intentData builds the intent training and dev sets.
func intentData(o TrainOptions, ge []corpus.Example) (train, dev []labelled, labels []string, err error) {
	labels = IntentLabels
	add := func(dst []labelled, xs []corpus.Example, m map[string]string, missingIsNone bool) []labelled {
		var keep []corpus.Example
		for _, x := range xs {
			l, ok := m[x.Labels[0]]
			switch {
			case ok && l == "":
				continue
			case !ok && !missingIsNone:
				continue
			case !ok:
				l = NoIntent
			}
			keep = append(keep, corpus.Example{Text: x.Text, Lang: "en", Labels: []string{l}})
		}
		return append(dst, mapSingle(keep, labels)...)
	}
	bTrain, err := corpus.Banking77(o.DataDir, "train")
	if err != nil {
		return nil, nil, nil, err
	}
	bDev, err := corpus.Banking77(o.DataDir, "dev")
	if err != nil {
		return nil, nil, nil, err
	}
	cTrain, err := corpus.CLINC150(o.DataDir, "train")
	if err != nil {
		return nil, nil, nil, err
	}
	cOOS, err := corpus.CLINC150(o.DataDir, "oos_train")
	if err != nil {
		return nil, nil, nil, err
	}
	cVal, err := corpus.CLINC150(o.DataDir, "val")
	if err != nil {
		return nil, nil, nil, err
	}
	train = add(train, limit(bTrain, o.Limit), corpus.Banking77Intent, false)
	train = add(train, limit(cTrain, o.Limit), corpus.CLINC150Intent, true)
	train = add(train, cOOS, corpus.CLINC150Intent, true)
	// Chat without a request: every eighth GoEmotions comment, so the
	// intent model learns that most messages ask for nothing.
	var chat []corpus.Example
	for i := 0; i < len(ge); i += 8 {
		chat = append(chat, corpus.Example{Text: ge[i].Text, Lang: "en", Labels: []string{NoIntent}})
	}
	train = append(train, mapSingle(chat, labels)...)
	dev = add(dev, limit(bDev, o.Limit), corpus.Banking77Intent, false)
	dev = add(dev, limit(cVal, o.Limit), corpus.CLINC150Intent, true)
	return train, dev, labels, nil
}

func trainJob(c *Classifier, j job) *model.Model {
	data := make([]model.Example, len(j.train))
	counts := make([]float64, len(j.labels))
	for _, x := range j.train {
		for k, v := range x.target {
			counts[k] += float64(v)
		}
	}
	// Class weights ∝ 1/sqrt(frequency): rare emotions (fear, disgust) get
	// heard without the model forgetting what is common.
	weights := make([]float32, len(j.labels))
	for k, n := range counts {
		if n > 0 {
			weights[k] = float32(math.Sqrt(float64(len(j.train)) / (float64(len(j.labels)) * n)))
		}
	}
	for i, x := range j.train {
		var w float32
		for k, v := range x.target {
			w += v * weights[k]
		}
		data[i] = model.Example{Feats: c.Features(j.spec, x.text, x.lang, nil), Target: x.target, Weight: w}
		// Every other text with a lexicon word is seen a second time
		// without that word's own features (see MaskedFeatures).
		if j.augment && i%2 == 0 {
			if fs := c.MaskedFeatures(j.spec, x.text, x.lang, nil); fs != nil {
				data = append(data, model.Example{Feats: fs, Target: x.target, Weight: w})
			}
		}
	}
	meta := model.Meta{Name: ModelFile(j.task, j.lang), Task: j.task, Lang: j.lang, Labels: j.labels, Spec: j.spec,
		TrainedOn: j.trainedOn, License: j.license}
	m := model.Train(meta, model.TrainConfig{Bits: j.bits, Epochs: j.epochs, Rate: j.rate, L2: 1e-7, Seed: 7}, data)
	// Dev scores without offsets, then offsets chosen on them.
	scores := make([][]float32, 0, len(j.dev))
	golds := make([]int, 0, len(j.dev))
	for _, x := range j.dev {
		if x.gold < 0 {
			continue
		}
		s := make([]float32, len(j.labels))
		m.Scores(c.Features(j.spec, x.text, x.lang, nil), s)
		scores = append(scores, s)
		golds = append(golds, x.gold)
	}
	before := macroF1(scores, golds, nil, len(j.labels))
	m.Dev = map[string]float64{"macro_f1_untuned": round4(before), "dev_examples": float64(len(golds))}
	if j.tune && len(golds) > 0 {
		m.Offsets = tuneOffsets(scores, golds, len(j.labels))
	}
	m.Dev["macro_f1"] = round4(macroF1(scores, golds, m.Offsets, len(j.labels)))
	return m
}

func round4(f float64) float64 { return math.Round(f*10000) / 10000 }

// tuneOffsets searches per-class score offsets that maximize macro-F1 on dev,
// by coordinate ascent on a grid. Offsets are bounded so a small dev set
// cannot push a class to never or always win.
func tuneOffsets(scores [][]float32, golds []int, k int) []float32 {
	off := make([]float32, k)
	best := macroF1(scores, golds, off, k)
	for pass := 0; pass < 3; pass++ {
		improved := false
		for c := 0; c < k; c++ {
			keep := off[c]
			for v := float32(-1.5); v <= 1.5001; v += 0.1 {
				off[c] = v
				if f := macroF1(scores, golds, off, k); f > best+1e-9 {
					best, keep, improved = f, v, true
				}
			}
			off[c] = keep
		}
		if !improved {
			break
		}
	}
	for c := range off {
		off[c] = float32(math.Round(float64(off[c])*10) / 10)
	}
	return off
}

func macroF1(scores [][]float32, golds []int, off []float32, k int) float64 {
	cm := NewConfusion(k)
	for i, s := range scores {
		best, bv := 0, float32(math.Inf(-1))
		for c, v := range s {
			if off != nil {
				v += off[c]
			}
			if v > bv {
				best, bv = c, v
			}
		}
		cm.Add(golds[i], best)
	}
	return cm.MacroF1()
}

// Confusion is a confusion matrix: rows gold, columns predicted.
type Confusion struct {
	M [][]int
}

// NewConfusion makes a k×k matrix.
func NewConfusion(k int) *Confusion {
	m := make([][]int, k)
	for i := range m {
		m[i] = make([]int, k)
	}
	return &Confusion{M: m}
}

// Add counts one prediction.
func (c *Confusion) Add(gold, pred int) { c.M[gold][pred]++ }

// PRF returns precision, recall and F1 of class k.
func (c *Confusion) PRF(k int) (p, r, f float64) {
	tp := float64(c.M[k][k])
	var predicted, actual float64
	for i := range c.M {
		predicted += float64(c.M[i][k])
		actual += float64(c.M[k][i])
	}
	if predicted > 0 {
		p = tp / predicted
	}
	if actual > 0 {
		r = tp / actual
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

// MacroF1 averages F1 over the classes that occur in gold or predictions.
func (c *Confusion) MacroF1() float64 {
	var sum float64
	n := 0
	for k := range c.M {
		var seen int
		for i := range c.M {
			seen += c.M[k][i] + c.M[i][k]
		}
		if seen == 0 {
			continue
		}
		_, _, f := c.PRF(k)
		sum += f
		n++
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// Accuracy is the share of the diagonal.
func (c *Confusion) Accuracy() float64 {
	var ok, all int
	for i := range c.M {
		for j, v := range c.M[i] {
			all += v
			if i == j {
				ok += v
			}
		}
	}
	if all == 0 {
		return 0
	}
	return float64(ok) / float64(all)
}

// CheckResearchDir refuses a research output directory inside a Go module
// tree (the repository), where a research-only model could be committed or
// embedded by mistake.
func CheckResearchDir(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("research dir: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		for _, marker := range []string{"go.work", "go.mod", ".git"} {
			if _, err := os.Stat(filepath.Join(d, marker)); err == nil {
				return fmt.Errorf("research dir %s is inside %s: research-only models must stay outside the repository", abs, d)
			} else if !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("research dir: %w", err)
			}
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}
