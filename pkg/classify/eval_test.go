package classify

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigia-cx/vigia/pkg/classify/corpus"
)

// dataDir is the shared data folder beside the repository; a user's clone
// has none, and the tests that need it skip.
func dataDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("VIGIA_DATA_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data")
	}
	if _, err := os.Stat(filepath.Join(dir, "goemotions", "dev.tsv")); err != nil {
		t.Skipf("no shared data at %s", dir)
	}
	return dir
}

func TestEvalOnASlice(t *testing.T) {
	dir := dataDir(t)
	rep, err := Eval(EvalOptions{DataDir: dir, Limit: 150, Bench: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"emoevent-es": false, "emoevent-en": false, "xlmt-es": false, "xlmt-en": false, "goemotions": false, "banking77": false}
	for _, r := range rep.Results {
		if _, ok := want[r.Key]; ok {
			want[r.Key] = true
		}
		if r.N == 0 || r.MacroF1 <= 0 || r.MacroF1 > 1 {
			t.Errorf("%s: %d texts, macro-F1 %.3f", r.Dataset, r.N, r.MacroF1)
		}
		total := 0
		for _, row := range r.Conf.M {
			for _, v := range row {
				total += v
			}
		}
		if total != r.N && r.Task != TaskIntent {
			t.Errorf("%s: confusion holds %d texts, want %d", r.Dataset, total, r.N)
		}
		// Better than always answering the commonest class, on every set.
		if r.Task == TaskIntent && r.Accuracy < 0.6 {
			t.Errorf("%s: intent accuracy %.3f", r.Dataset, r.Accuracy)
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("no result for %s", k)
		}
	}
	if rep.Bench == nil || rep.Bench.TextsPerSec <= 0 {
		t.Fatal("no throughput")
	}
	var out bytes.Buffer
	rep.Print(&out)
	for _, s := range []string{"EmoEvent es dev", "confusion (rows gold", "macro-F1", "0.553", "texts/s"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("report lacks %q", s)
		}
	}
}

func TestTrainOnASlice(t *testing.T) {
	dir := dataDir(t)
	out := t.TempDir()
	metas, err := Train(TrainOptions{DataDir: dir, OutDir: out, Limit: 400})
	if err != nil {
		t.Fatal(err)
	}
	if len(metas) != len(tasks)*len(modelLang) {
		t.Fatalf("%d models", len(metas))
	}
	c, err := New(Options{ModelDir: out})
	if err != nil {
		t.Fatal(err)
	}
	for name, d := range c.ModelDigests() {
		if d == newClassifier(t).ModelDigests()[name] {
			t.Errorf("%s: the model from the slice is the shipped one", name)
		}
	}
	if got := c.Classify("thank you so much, this is great", "en"); got.Sentiment != Positive {
		t.Errorf("slice-trained model: %s", got.Sentiment)
	}
	if err := CheckResearchDir("."); err == nil {
		t.Error("a research dir inside the repository was accepted")
	}
	if err := CheckResearchDir(t.TempDir()); err != nil {
		t.Errorf("temp dir refused: %v", err)
	}
}

func TestCorpusMissing(t *testing.T) {
	if _, err := corpus.EmoEvent(t.TempDir(), "es", "dev"); !errors.Is(err, corpus.ErrNoData) {
		t.Fatalf("missing dataset: %v", err)
	}
	rep, err := Eval(EvalOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 0 || len(rep.Skipped) == 0 {
		t.Fatalf("empty folder: %d results, skipped %v", len(rep.Results), rep.Skipped)
	}
}

func TestMappingsCoverEveryLabel(t *testing.T) {
	for _, m := range []map[string]string{corpus.GoEmotionsEmotion, corpus.GoEmotionsSentiment} {
		if len(m) != 28 {
			t.Errorf("GoEmotions mapping has %d of 28 labels", len(m))
		}
		for from, to := range m {
			if emotionIndex(to) < 0 && to != Negative && to != Positive {
				t.Errorf("%s maps to unknown %q", from, to)
			}
		}
	}
	tx, err := ParseTaxonomy(defaultIntents)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []map[string]string{corpus.Banking77Intent, corpus.CLINC150Intent} {
		for from, to := range m {
			if to != "" && tx.Index(to) < 0 {
				t.Errorf("%s maps to %q, not in the seed taxonomy", from, to)
			}
		}
	}
	for _, l := range IntentLabels {
		if l != NoIntent && tx.Index(l) < 0 {
			t.Errorf("intent model label %q is not in the seed taxonomy", l)
		}
	}
}
