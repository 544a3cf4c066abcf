package detect

import (
	"strings"
	"testing"

	"github.com/vigia-cx/vigia/pkg/text"
)

func TestCorePhrasesExactSpans(t *testing.T) {
	rs, err := LoadRules("")
	if err != nil {
		t.Fatal(err)
	}
	carriers := map[string][]string{
		"es": {"Mire señora, %s, de verdad.", "%s", "Pues %s y no hay más."},
		"en": {"Look, %s, sorry.", "%s", "Well %s and that is all."},
	}
	for _, p := range CorePhrases {
		for _, c := range carriers[p.Lang] {
			msg := strings.Replace(c, "%s", p.Phrase, 1)
			if c == "%s" {
				msg = strings.ToUpper(p.Phrase[:1]) + p.Phrase[1:]
			}
			start := text.RuneLen(msg[:strings.Index(strings.ToLower(msg), strings.ToLower(p.Phrase))])
			end := start + text.RuneLen(p.Phrase)
			found := false
			for _, s := range rs.Utterance(msg, p.Lang, "agent") {
				if s.Label == p.Label && s.Evidence.Start == start && s.Evidence.End == end {
					found = true
				}
			}
			if !found {
				t.Errorf("%q: want %s at [%d,%d), got %+v", msg, p.Label, start, end, rs.Utterance(msg, p.Lang, "agent"))
			}
			if got := rs.Utterance(msg, p.Lang, "customer"); len(got) != 0 {
				for _, s := range got {
					if s.Polarity == "negative" && s.Category == "deflection" {
						t.Errorf("%q said by the customer was attributed as agent deflection: %+v", msg, s)
					}
				}
			}
		}
	}
}
