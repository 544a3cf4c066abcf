package detect

import (
	"bufio"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"
)

type labelled struct {
	ID       string   `json:"id"`
	Lang     string   `json:"lang"`
	Text     string   `json:"text"`
	Labels   []string `json:"labels"`
	Evidence []string `json:"evidence"`
}

func loadLabelled(t *testing.T) []labelled {
	t.Helper()
	f, err := os.Open("testdata/utterances.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l labelled
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

// TestLabelledUtterances measures the rules on the hand-labelled corpus and
// fails when quality drops below the floor this version reached.
func TestLabelledUtterances(t *testing.T) {
	rs, err := LoadRules("")
	if err != nil {
		t.Fatal(err)
	}
	type counts struct{ tp, fp, fn int }
	per := map[string]*counts{}
	get := func(l string) *counts {
		if per[l] == nil {
			per[l] = &counts{}
		}
		return per[l]
	}
	for _, u := range loadLabelled(t) {
		want := map[string]string{}
		for i, l := range u.Labels {
			want[l] = u.Evidence[i]
		}
		got := map[string]bool{}
		for _, s := range rs.Utterance(u.Text, u.Lang, "agent") {
			if got[s.Label] {
				continue
			}
			got[s.Label] = true
			if ev, ok := want[s.Label]; ok {
				get(s.Label).tp++
				if !overlaps(u.Text, ev, s.Evidence.Text) {
					t.Errorf("%s %s: evidence %q does not overlap labelled %q", u.ID, s.Label, s.Evidence.Text, ev)
				}
			} else {
				get(s.Label).fp++
				if testing.Verbose() {
					t.Logf("FP %s %s: %q (%s)", u.ID, s.Label, u.Text, s.RuleID)
				}
			}
		}
		for l := range want {
			if !got[l] {
				get(l).fn++
				if testing.Verbose() {
					t.Logf("FN %s %s: %q", u.ID, l, u.Text)
				}
			}
		}
	}
	var labels []string
	for l := range per {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	var tp, fp, fn int
	for _, l := range labels {
		c := per[l]
		tp, fp, fn = tp+c.tp, fp+c.fp, fn+c.fn
		t.Logf("%-20s P=%.2f R=%.2f (tp %d fp %d fn %d)", l, ratio(c.tp, c.tp+c.fp), ratio(c.tp, c.tp+c.fn), c.tp, c.fp, c.fn)
	}
	p, r := ratio(tp, tp+fp), ratio(tp, tp+fn)
	t.Logf("micro P=%.3f R=%.3f", p, r)
	if p < 0.95 || r < 0.95 {
		t.Errorf("micro precision %.3f / recall %.3f below the floor 0.95 / 0.95", p, r)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func overlaps(text, a, b string) bool {
	ia, ib := strings.Index(text, a), strings.Index(text, b)
	if ia < 0 || ib < 0 {
		return false
	}
	return ia < ib+len(b) && ib < ia+len(a)
}
