package redact

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

type corpusValue struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type corpusEntry struct {
	Text string        `json:"text"`
	Lang string        `json:"lang"`
	PII  []corpusValue `json:"pii"`
	Note string        `json:"note"`
}

func loadCorpus(t testing.TB) []corpusEntry {
	t.Helper()
	f, err := os.Open("testdata/corpus.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusEntry
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		var e corpusEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("corpus line %d: %v", n, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

type score struct{ tp, fp, fn int }

func (s score) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s score) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

// TestCorpusPrecisionRecall scores the detectors on testdata/corpus.jsonl:
// a value counts as found when a span of its type covers it entirely; any
// other span is a false positive of its type. Leaks are values no span of
// any type covers: what would reach storage.
func TestCorpusPrecisionRecall(t *testing.T) {
	corpus := loadCorpus(t)
	scores := map[string]*score{}
	get := func(typ string) *score {
		if scores[typ] == nil {
			scores[typ] = &score{}
		}
		return scores[typ]
	}
	leaks, positives, negatives, cleanNegatives := 0, 0, 0, 0
	for _, e := range corpus {
		sc := getScanner(e.Text)
		sc.find()
		spans := append([]span(nil), sc.spans...)
		putScanner(sc)
		used := make([]bool, len(spans))
		if len(e.PII) == 0 {
			negatives++
			if len(spans) == 0 {
				cleanNegatives++
			}
		} else {
			positives++
		}
		for _, v := range e.PII {
			at := strings.Index(e.Text, v.Value)
			if at < 0 {
				t.Fatalf("corpus: %q not in %q", v.Value, e.Text)
			}
			end := at + len(v.Value)
			found, covered := false, false
			for i, sp := range spans {
				if sp.start <= at && sp.end >= end {
					covered = true
					if sp.kind.String() == v.Type {
						found, used[i] = true, true
					}
				}
			}
			if found {
				get(v.Type).tp++
				continue
			}
			get(v.Type).fn++
			if !covered {
				leaks++
			}
			if testing.Verbose() {
				t.Logf("missed %s %q in %q (found %v)", v.Type, v.Value, e.Text, describe(e.Text, spans))
			}
		}
		for i, sp := range spans {
			if !used[i] {
				get(sp.kind.String()).fp++
				if testing.Verbose() {
					t.Logf("false %s %q in %q", sp.kind, e.Text[sp.start:sp.end], e.Text)
				}
			}
		}
	}
	if positives < 200 || negatives < 200 {
		t.Fatalf("corpus has %d positive and %d negative texts, want 200 of each", positives, negatives)
	}
	types := make([]string, 0, len(scores))
	var total score
	for typ, s := range scores {
		types = append(types, typ)
		total.tp, total.fp, total.fn = total.tp+s.tp, total.fp+s.fp, total.fn+s.fn
	}
	sort.Strings(types)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-10s %5s %4s %4s %9s %7s\n", "type", "TP", "FP", "FN", "precision", "recall")
	for _, typ := range types {
		s := scores[typ]
		fmt.Fprintf(&b, "%-10s %5d %4d %4d %9.3f %7.3f\n", typ, s.tp, s.fp, s.fn, s.precision(), s.recall())
	}
	fmt.Fprintf(&b, "%-10s %5d %4d %4d %9.3f %7.3f\n", "all", total.tp, total.fp, total.fn, total.precision(), total.recall())
	fmt.Fprintf(&b, "%d positive texts, %d negative texts (%d with nothing redacted), %d values leaked\n",
		positives, negatives, cleanNegatives, leaks)
	t.Log(b.String())

	// The floors are what the detectors reach on this corpus with a small
	// margin; the corpus guided the detectors, so these are development
	// figures, not an independent test.
	const floorType, floorAll = 0.90, 0.97
	for _, typ := range types {
		s := scores[typ]
		if s.precision() < floorType || s.recall() < floorType {
			t.Errorf("%s: precision %.3f, recall %.3f: below %.2f", typ, s.precision(), s.recall(), floorType)
		}
	}
	if total.precision() < floorAll || total.recall() < floorAll {
		t.Errorf("overall precision %.3f, recall %.3f: below %.2f", total.precision(), total.recall(), floorAll)
	}
	if leaks > 0 {
		t.Errorf("%d values were not redacted at all", leaks)
	}
}

func describe(s string, spans []span) []string {
	var out []string
	for _, sp := range spans {
		out = append(out, sp.kind.String()+":"+s[sp.start:sp.end])
	}
	return out
}
