package classify

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/vigia-cx/vigia/pkg/classify/corpus"
)

// References are published test-set macro-F1 figures the dev scores are
// compared with: EmoEvent (Plaza-del-Arco et al., 2020, BERT-based) and
// XLM-T (Barbieri et al., 2022, XLM-T multilingual fine-tuned on UMSAB).
var References = map[string]float64{
	"emoevent-es": 0.553, "emoevent-en": 0.450,
	"xlmt-es": 0.685, "xlmt-en": 0.669,
}

// EvalOptions configure Eval.
type EvalOptions struct {
	DataDir string
	// ResearchDir holds research-only models from `vigia train --research`;
	// empty evaluates the shipped models only.
	ResearchDir string
	IntentsFile string
	// Limit caps the texts of each dev file (0 = all), for tests.
	Limit int
	// Bench is how long the throughput loop runs (0 = no loop).
	Bench time.Duration
}

// Result is one model column on one dataset.
type Result struct {
	Key      string // reference key, e.g. emoevent-es
	Dataset  string
	Task     string
	Column   string // shipped or research
	Labels   []string
	Conf     *Confusion
	MacroF1  float64
	Accuracy float64
	N        int
	Note     string
}

// Report is what Eval found.
type Report struct {
	Results   []Result
	Shipped   map[string]string // model file → digest
	Research  map[string]string
	Version   string
	Bench     *Throughput
	Skipped   []string // datasets not found
	ModelInfo []string
}

// Throughput is the timing loop's result.
type Throughput struct {
	Texts         int
	NsPerText     float64
	TextsPerSec   float64
	AllocsPerText float64
	AvgChars      float64
}

// Eval scores the shipped (and research) classifiers on the dev splits.
func Eval(o EvalOptions) (*Report, error) {
	shipped, err := New(Options{IntentsFile: o.IntentsFile})
	if err != nil {
		return nil, err
	}
	rep := &Report{Shipped: shipped.ModelDigests(), Version: shipped.VersionOf("es") + " | " + shipped.VersionOf("en")}
	for _, m := range shipped.Models() {
		rep.ModelInfo = append(rep.ModelInfo, fmt.Sprintf("%s: %s [%s]", m.Name, m.TrainedOn, m.License))
	}
	var research *Classifier
	if o.ResearchDir != "" {
		if research, err = New(Options{IntentsFile: o.IntentsFile, ModelDir: o.ResearchDir}); err != nil {
			return nil, err
		}
		rep.Research = research.ModelDigests()
	}
	skip := func(name string, err error) error {
		if errors.Is(err, corpus.ErrNoData) {
			rep.Skipped = append(rep.Skipped, name)
			return nil
		}
		return err
	}
	type set struct {
		key, name, task string
		load            func() ([]corpus.Example, error)
	}
	sets := []set{
		{"emoevent-es", "EmoEvent es dev", TaskEmotion, func() ([]corpus.Example, error) { return corpus.EmoEvent(o.DataDir, "es", "dev") }},
		{"emoevent-en", "EmoEvent en dev", TaskEmotion, func() ([]corpus.Example, error) { return corpus.EmoEvent(o.DataDir, "en", "dev") }},
		{"xlmt-es", "XLM-T es val", TaskSentiment, func() ([]corpus.Example, error) { return corpus.XLMT(o.DataDir, "es", "val") }},
		{"xlmt-en", "XLM-T en val", TaskSentiment, func() ([]corpus.Example, error) { return corpus.XLMT(o.DataDir, "en", "val") }},
	}
	for _, s := range sets {
		xs, err := s.load()
		if err != nil {
			if err := skip(s.name, err); err != nil {
				return nil, err
			}
			continue
		}
		xs = limit(xs, o.Limit)
		rep.Results = append(rep.Results, scoreSet(shipped, s.key, s.name, s.task, "shipped", xs))
		if research != nil {
			rep.Results = append(rep.Results, scoreSet(research, s.key, s.name, s.task, "research", xs))
		}
	}
	ge, err := corpus.GoEmotions(o.DataDir, "dev")
	if err == nil {
		ge = limit(ge, o.Limit)
		emo := singleMapped(ge, corpus.GoEmotionsEmotion)
		r := scoreSet(shipped, "goemotions", "GoEmotions dev (7 classes, vigia mapping)", TaskEmotion, "shipped", emo)
		r.Note = fmt.Sprintf("texts whose labels map to one class (%d of %d); tuned on: offsets", len(emo), len(ge))
		rep.Results = append(rep.Results, r)
		sent := singleMapped(ge, corpus.GoEmotionsSentiment)
		r = scoreSet(shipped, "goemotions-sent", "GoEmotions dev (sentiment, vigia grouping)", TaskSentiment, "shipped", sent)
		r.Note = fmt.Sprintf("texts whose labels map to one class (%d of %d); tuned on: offsets", len(sent), len(ge))
		rep.Results = append(rep.Results, r)
	} else if err := skip("GoEmotions dev", err); err != nil {
		return nil, err
	}
	bDev, err := corpus.Banking77(o.DataDir, "dev")
	if err == nil {
		rep.Results = append(rep.Results, scoreIntents(shipped, "banking77", "banking77 dev (mapped subset)", limit(bDev, o.Limit), corpus.Banking77Intent, false))
	} else if err := skip("banking77 dev", err); err != nil {
		return nil, err
	}
	cVal, err := corpus.CLINC150(o.DataDir, "val")
	if err == nil {
		rep.Results = append(rep.Results, scoreIntents(shipped, "clinc150", "CLINC150 val (mapped subset)", limit(cVal, o.Limit), corpus.CLINC150Intent, false))
		rep.Results = append(rep.Results, scoreIntents(shipped, "clinc150-none", "CLINC150 val (out-of-taxonomy intents)", limit(cVal, o.Limit), corpus.CLINC150Intent, true))
	} else if err := skip("CLINC150 val", err); err != nil {
		return nil, err
	}
	if o.Bench > 0 {
		rep.Bench = MeasureThroughput(shipped, o.Bench)
	}
	return rep, nil
}

func singleMapped(xs []corpus.Example, m map[string]string) []corpus.Example {
	var out []corpus.Example
	for _, x := range xs {
		label := ""
		ok := true
		for _, l := range x.Labels {
			v := m[l]
			if label != "" && v != label {
				ok = false
			}
			label = v
		}
		if ok && label != "" {
			out = append(out, corpus.Example{Text: x.Text, Lang: x.Lang, Labels: []string{label}})
		}
	}
	return out
}

func scoreSet(c *Classifier, key, name, task, column string, xs []corpus.Example) Result {
	labels := Emotions
	if task == TaskSentiment {
		labels = Sentiments
	}
	idx := indexOf(labels)
	cm := NewConfusion(len(labels))
	for _, x := range xs {
		gold, ok := idx[x.Labels[0]]
		if !ok {
			continue
		}
		out := c.Classify(x.Text, x.Lang)
		pred := out.Emotion
		if task == TaskSentiment {
			pred = out.Sentiment
		}
		cm.Add(gold, idx[pred])
	}
	return Result{Key: key, Dataset: name, Task: task, Column: column, Labels: labels, Conf: cm,
		MacroF1: cm.MacroF1(), Accuracy: cm.Accuracy(), N: len(xs)}
}

// scoreIntents runs the whole intent decision (taxonomy phrases and model)
// on a mapped intent dataset. With none=false it scores the texts whose gold
// is a seed intent; with none=true the texts outside the taxonomy, where
// the right answer is no intent.
func scoreIntents(c *Classifier, key, name string, xs []corpus.Example, m map[string]string, none bool) Result {
	labels := append(c.intents.Names(), "(none)")
	idx := indexOf(labels)
	cm := NewConfusion(len(labels))
	n := 0
	for _, x := range xs {
		gold, mapped := m[x.Labels[0]]
		switch {
		case mapped && gold == "":
			continue // deliberately left out of the mapping
		case none && mapped, !none && !mapped:
			continue
		case none:
			gold = "(none)"
		}
		g, ok := idx[gold]
		if !ok {
			continue // the operator's taxonomy lacks this seed intent
		}
		out := c.Classify(x.Text, "en")
		p := out.Intent
		if p == "" {
			p = "(none)"
		}
		cm.Add(g, idx[p])
		n++
	}
	r := Result{Key: key, Dataset: name, Task: TaskIntent, Column: "shipped", Labels: labels, Conf: cm,
		MacroF1: cm.MacroF1(), Accuracy: cm.Accuracy(), N: n}
	if none {
		r.Note = "accuracy here = share of texts given no intent"
	}
	return r
}

// MeasureThroughput classifies BenchTexts in a loop for about d on one
// goroutine and reports texts per second and allocations per text.
func MeasureThroughput(c *Classifier, d time.Duration) *Throughput {
	var chars int
	for _, t := range BenchTexts {
		chars += len([]rune(t.Text))
	}
	for _, t := range BenchTexts { // warm the pools
		c.Classify(t.Text, t.Lang)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		for _, t := range BenchTexts {
			c.Classify(t.Text, t.Lang)
		}
		n += len(BenchTexts)
	}
	el := time.Since(start)
	runtime.ReadMemStats(&after)
	return &Throughput{Texts: n, NsPerText: float64(el.Nanoseconds()) / float64(n), TextsPerSec: float64(n) / el.Seconds(),
		AllocsPerText: float64(after.Mallocs-before.Mallocs) / float64(n), AvgChars: float64(chars) / float64(len(BenchTexts))}
}

// Print writes the report: per dataset, per column, the per-class table and
// the confusion matrix; then the summary against the references.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "vigia classify eval — dev splits only (test splits are withheld)\nversion: %s\n", r.Version)
	for _, s := range r.ModelInfo {
		fmt.Fprintf(w, "  %s\n", s)
	}
	for _, res := range r.Results {
		fmt.Fprintf(w, "\n== %s — %s, %s models, %d texts ==\n", res.Dataset, res.Task, res.Column, res.N)
		if res.Note != "" {
			fmt.Fprintf(w, "   (%s)\n", res.Note)
		}
		fmt.Fprintf(w, "   macro-F1 %.3f   accuracy %.3f\n", res.MacroF1, res.Accuracy)
		fmt.Fprintf(w, "   %-16s %6s %6s %6s %6s\n", "class", "P", "R", "F1", "gold")
		for k, l := range res.Labels {
			p, rc, f := res.Conf.PRF(k)
			gold := 0
			for _, v := range res.Conf.M[k] {
				gold += v
			}
			fmt.Fprintf(w, "   %-16s %6.3f %6.3f %6.3f %6d\n", l, p, rc, f, gold)
		}
		fmt.Fprintf(w, "   confusion (rows gold, columns predicted):\n   %-16s", "")
		for _, l := range res.Labels {
			fmt.Fprintf(w, " %6.6s", l)
		}
		fmt.Fprintln(w)
		for k, l := range res.Labels {
			fmt.Fprintf(w, "   %-16s", l)
			for _, v := range res.Conf.M[k] {
				fmt.Fprintf(w, " %6d", v)
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintf(w, "\n== summary (macro-F1 on dev; references are published test-set figures) ==\n")
	fmt.Fprintf(w, "%-38s %-9s %8s %8s %9s %8s\n", "dataset", "task", "shipped", "research", "reference", "gap")
	seen := map[string]bool{}
	for _, res := range r.Results {
		if seen[res.Key] {
			continue
		}
		seen[res.Key] = true
		var sh, rs = "-", "-"
		var shv float64
		for _, x := range r.Results {
			if x.Key != res.Key {
				continue
			}
			v := fmt.Sprintf("%.3f", x.MacroF1)
			if x.Task == TaskIntent {
				v = fmt.Sprintf("%.3f*", x.Accuracy)
			}
			if x.Column == "shipped" {
				sh, shv = v, x.MacroF1
			} else {
				rs = v
			}
		}
		ref, gap := "-", "-"
		if v, ok := References[res.Key]; ok {
			ref = fmt.Sprintf("%.3f", v)
			gap = fmt.Sprintf("%+.3f", shv-v)
			for _, x := range r.Results {
				if x.Key == res.Key && x.Column == "research" {
					gap += fmt.Sprintf(" / %+.3f", x.MacroF1-v)
				}
			}
		}
		fmt.Fprintf(w, "%-38s %-9s %8s %8s %9s %s\n", res.Dataset, res.Task, sh, rs, ref, gap)
	}
	fmt.Fprintln(w, "(* intent rows show accuracy; gap = shipped − reference / research − reference)")
	if len(r.Skipped) > 0 {
		fmt.Fprintf(w, "not found, skipped: %s\n", strings.Join(r.Skipped, ", "))
	}
	if b := r.Bench; b != nil {
		fmt.Fprintf(w, "\nthroughput (one goroutine, full Classify, %d texts of %.0f characters on average): %.0f texts/s, %.1f µs/text, %.1f allocs/text\n",
			b.Texts, b.AvgChars, b.TextsPerSec, b.NsPerText/1000, b.AllocsPerText)
	}
}
