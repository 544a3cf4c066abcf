package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigia-cx/vigia/pkg/classify"
	"github.com/vigia-cx/vigia/pkg/text"
)

func TestClassifyCommandLines(t *testing.T) {
	c, err := classify.New(classify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := strings.Join([]string{
		`{"id":"a","text":"ESTOY FURIOSO, me cobraron dos veces la factura!!!","lang":"es"}`,
		`{"id":"b","text":"Thank you so much, you were amazing"}`,
		`not json`,
		`{"id":"c","text":"Obrigado pela atenção","lang":"pt"}`,
	}, "\n")
	var out bytes.Buffer
	err = clsLines(c, strings.NewReader(in), &out)
	if err == nil || !strings.Contains(err.Error(), "1 input lines") {
		t.Fatalf("bad line not reported: %v", err)
	}
	var rows []map[string]any
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("output line %q: %v", sc.Text(), err)
		}
		rows = append(rows, m)
	}
	if len(rows) != 4 {
		t.Fatalf("%d output lines for 4 inputs", len(rows))
	}
	for _, k := range []string{"id", "lang", "emotion", "emotion_score", "sentiment", "sentiment_score", "intent", "evidence", "version"} {
		if _, ok := rows[0][k]; !ok {
			t.Errorf("output lacks %q: %v", k, rows[0])
		}
	}
	if rows[0]["emotion"] != "anger" || rows[0]["sentiment"] != "negative" || rows[0]["intent"] != "billing" {
		t.Errorf("row a: %v", rows[0])
	}
	if rows[1]["lang"] != "en" || rows[1]["emotion"] != "joy" {
		t.Errorf("row b (language detected): %v", rows[1])
	}
	if rows[2]["error"] == nil {
		t.Errorf("row for the bad line: %v", rows[2])
	}
	if rows[3]["lang"] != text.LangOther {
		t.Errorf("declared pt is other: %v", rows[3])
	}
	// Evidence offsets are code points into the text as given (already NFC).
	s := "ESTOY FURIOSO, me cobraron dos veces la factura!!!"
	for _, e := range rows[0]["evidence"].([]any) {
		ev := e.(map[string]any)
		if text.Slice(s, int(ev["start"].(float64)), int(ev["end"].(float64))) != ev["text"] {
			t.Errorf("evidence %v does not point into the text", ev)
		}
	}
	// The same path as the pipeline's stage: same classification.
	want := c.Classify(s, "es")
	if rows[0]["version"] != want.Version || math.Abs(rows[0]["emotion_score"].(float64)-float64(want.EmotionScore)) > 1e-6 {
		t.Errorf("command and Classify differ: %v vs %+v", rows[0], want)
	}
}

func TestEvalCommandOnASlice(t *testing.T) {
	dir := os.Getenv("VIGIA_DATA_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data")
	}
	if _, err := os.Stat(filepath.Join(dir, "emoevent")); err != nil {
		t.Skipf("no shared data at %s", dir)
	}
	var out bytes.Buffer
	if err := runClsEval(clsEvalConfig{DataDir: dir, Limit: 80, Bench: 20 * time.Millisecond}, &out); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"EmoEvent es dev", "XLM-T en val", "GoEmotions dev", "banking77 dev", "== summary", "texts/s"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("eval output lacks %q", s)
		}
	}
	if err := runClsEval(clsEvalConfig{DataDir: filepath.Join(t.TempDir(), "none")}, &out); err == nil {
		t.Error("a missing data folder is not an error")
	}
}

func TestTrainRefusesResearchInRepo(t *testing.T) {
	root, err := clsRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if err := classify.CheckResearchDir(filepath.Join(root, "research-models")); err == nil {
		t.Fatal("research models inside the repository accepted")
	}
	d, err := clsDataDir("")
	if err != nil || d != filepath.Join(filepath.Dir(root), "shared", "data") {
		t.Fatalf("default data dir %q, %v", d, err)
	}
}
