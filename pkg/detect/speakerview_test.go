package detect

import (
	"bufio"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/text"
)

// TestSpeakerViewsMatchTheFullSet: matching a message against its
// speaker's rules only gives the signals and flags matching it against
// every rule gives, on the labelled utterances said by both speakers.
func TestSpeakerViewsMatchTheFullSet(t *testing.T) {
	rs, err := LoadRules("")
	if err != nil {
		t.Fatal(err)
	}
	full := &Rules{Version: rs.Version, labels: rs.labels, byLang: map[string]*langRules{}}
	for lang, lr := range rs.byLang {
		full.byLang[lang] = &langRules{rules: lr.rules, set: lr.set}
	}
	f, err := os.Open("testdata/utterances.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var texts []struct{ text, lang string }
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var u struct{ Text, Lang string }
		if err := json.Unmarshal(sc.Bytes(), &u); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, struct{ text, lang string }{u.Text, u.Lang})
	}
	// Customer cues and refutations, so both views and the refuting rules
	// are exercised.
	for _, s := range []string{"Gracias, muy amable, ya quedó", "Es la tercera vez que llamo por lo mismo",
		"No es que sea política, pero eso lo maneja otra área", "Thanks a lot, you fixed it", "This is the third time I call",
		"I'll post this on Twitter", "No, it's not policy; I'll handle it myself",
		// A customer's cue after a negator or a refuting phrase: the
		// customer view needs the agent-default refuting rules too.
		"no gracias, prefiero esperar", "no thanks, I will wait", "no es que sea la tercera vez que llamo",
		"it is not that this is the third time I call", "no voy a publicar esto en twitter"} {
		lang, _ := text.DetectLang(s, text.Tokenize(s))
		texts = append(texts, struct{ text, lang string }{s, lang})
	}
	signals := 0
	for _, tx := range texts {
		toks := text.Tokenize(tx.text)
		for _, speaker := range []string{event.SpeakerAgent, event.SpeakerCustomer} {
			gotSigs, gotFlags := rs.analyze(tx.text, toks, tx.lang, speaker, nil)
			wantSigs, wantFlags := full.analyze(tx.text, toks, tx.lang, speaker, nil)
			if !reflect.DeepEqual(gotSigs, wantSigs) || !reflect.DeepEqual(gotFlags, wantFlags) {
				t.Fatalf("%s %q:\n  view: %v %v\n  full: %v %v", speaker, tx.text, gotSigs, gotFlags, wantSigs, wantFlags)
			}
			signals += len(gotSigs)
		}
	}
	if signals < len(texts)/2 {
		t.Fatalf("only %d signals over %d texts: the comparison proves little", signals, len(texts))
	}
}
