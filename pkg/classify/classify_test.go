package classify

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigia-cx/vigia/pkg/classify/model"
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/text"
)

func newClassifier(t testing.TB) *Classifier {
	t.Helper()
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func checkEvidence(t *testing.T, s string, c *Classifier, lang string) {
	t.Helper()
	got := c.Classify(s, lang)
	for _, ev := range got.Evidence {
		if ev.Start < 0 || ev.End <= ev.Start || ev.End > text.RuneLen(s) {
			t.Errorf("%q: evidence %+v out of range", s, ev)
		}
		if text.Slice(s, ev.Start, ev.End) != ev.Text {
			t.Errorf("%q: evidence %+v does not point at its text", s, ev)
		}
		if ev.Label == "" {
			t.Errorf("%q: evidence %+v has no label", s, ev)
		}
	}
}

func TestClassify(t *testing.T) {
	c := newClassifier(t)
	cases := []struct {
		text, lang, emotion, sentiment, intent string
	}{
		{"Estoy FURIOSO, esto es inaceptable!!!", "es", Anger, Negative, ""},
		{"estoy muy preocupada, necesito el dinero urgente", "es", Fear, Negative, ""},
		{"Mil gracias, eres genial", "es", Joy, Positive, ""},
		{"Quiero saber el horario de la tienda", "es", Neutral, NeutralSent, "information"},
		{"me cobraron dos veces la factura", "es", "", "", "billing"},
		{"hola q tal, xq no me llega el pedido?? ya van 2 semanas", "es", "", "", "delivery"},
		{"This is ridiculous, I'm so angry", "en", Anger, Negative, ""},
		{"Thank you so much, you've been amazing", "en", Joy, Positive, ""},
		{"I'm really disappointed and sad about this", "en", Sadness, Negative, ""},
		{"What time do you open?", "en", Neutral, NeutralSent, "information"},
		{"I can't log into my account, I forgot my password", "en", "", "", "account_access"},
		{"I want a refund for the broken blender", "en", "", "", "refund"},
	}
	// A negated positive word leans negative and is no joy.
	for _, s := range []string{"no estoy contento con el servicio", "I'm not happy with the service"} {
		lang, _ := text.DetectLang(s, text.Tokenize(s))
		got := c.Classify(s, lang)
		if got.Emotion == Joy || got.Sentiment == Positive || got.SentimentScore > -0.2 {
			t.Errorf("%q: got %s/%s (%.2f)", s, got.Emotion, got.Sentiment, got.SentimentScore)
		}
	}
	for _, cc := range cases {
		got := c.Classify(cc.text, cc.lang)
		if (cc.emotion != "" && got.Emotion != cc.emotion) || (cc.sentiment != "" && got.Sentiment != cc.sentiment) {
			t.Errorf("%q: got %s/%s (%.2f/%.2f), want %s/%s", cc.text, got.Emotion, got.Sentiment, got.EmotionScore, got.SentimentScore, cc.emotion, cc.sentiment)
		}
		if cc.intent != "" && got.Intent != cc.intent {
			t.Errorf("%q: intent %q (%.2f), want %q", cc.text, got.Intent, got.IntentScore, cc.intent)
		}
		if !strings.HasPrefix(got.Version, Version+"/") || !strings.Contains(got.Version, "/in:seed-") {
			t.Errorf("%q: version %q does not name the code, models and taxonomy", cc.text, got.Version)
		}
		checkEvidence(t, cc.text, c, cc.lang)
	}
}

func TestIntensityAndEvidence(t *testing.T) {
	c := newClassifier(t)
	strong := c.Classify("ESTOY FURIOSO!!! INACEPTABLE", "es")
	mild := c.Classify("estoy molesto", "es")
	if strong.Emotion != Anger || mild.Emotion != Anger {
		t.Fatalf("want anger twice, got %s and %s", strong.Emotion, mild.Emotion)
	}
	if !(strong.EmotionIntensity > mild.EmotionIntensity) || mild.EmotionIntensity <= 0 {
		t.Errorf("intensity not reflected: strong %.3f, mild %.3f", strong.EmotionIntensity, mild.EmotionIntensity)
	}
	if neutral := c.Classify("Mi número de cliente es 4432", "es"); neutral.Emotion != Neutral || neutral.EmotionIntensity != 0 {
		t.Errorf("neutral text: %s intensity %.3f", neutral.Emotion, neutral.EmotionIntensity)
	}
	// The words that carried the emotion are the evidence, and a negated
	// word's evidence starts at its negator.
	got := c.Classify("Estoy furioso con ustedes", "es")
	if !hasEvidence(got.Evidence, "furioso", Anger) {
		t.Errorf("no anger evidence on furioso: %+v", got.Evidence)
	}
	got = c.Classify("No estoy nada contento, el servicio es pésimo", "es")
	if got.Emotion == Joy || got.Sentiment != Negative || !hasEvidence(got.Evidence, "pésimo", Negative) {
		t.Errorf("%s/%s, evidence %+v", got.Emotion, got.Sentiment, got.Evidence)
	}
	negated := false
	for _, ev := range got.Evidence {
		if strings.HasSuffix(ev.Text, "contento") {
			negated = ev.Text == "No estoy nada contento" || ev.Text == "nada contento"
		}
	}
	if !negated {
		t.Errorf("negated word's evidence does not start at its negator: %+v", got.Evidence)
	}
	got = c.Classify("me cobraron dos veces la factura", "es")
	if !hasEvidence(got.Evidence, "me cobraron dos veces", "intent:billing") {
		t.Errorf("intent evidence: %+v", got.Evidence)
	}
	for _, s := range []string{"Ñandú 😡😡 qué VERGÜENZA, sin señal otra vez!!", "jajaja gracias 😂 ya funciona", "no funciona y nadie contesta 👎", "https://t.co/x @user estoy harta"} {
		checkEvidence(t, s, c, "es")
	}
}

func hasEvidence(evs []event.Span, span, label string) bool {
	for _, ev := range evs {
		if ev.Text == span && ev.Label == label {
			return true
		}
	}
	return false
}

func TestOtherLanguageStillHeard(t *testing.T) {
	c := newClassifier(t)
	// A wrong or missing language guess must not silence an angry customer.
	for _, s := range []string{"ESTOY FURIOSO, es una vergüenza", "I'm furious, this is a disgrace"} {
		if got := c.Classify(s, text.LangOther); got.Emotion != Anger || got.Sentiment != Negative {
			t.Errorf("%q as other: %s/%s", s, got.Emotion, got.Sentiment)
		}
	}
}

// TestContactCenterSet checks the hand-written contact-center messages of
// testdata (both languages, every emotion and intent): the share each field
// gets right may not fall below what the shipped models reach, minus a
// margin for retraining noise.
func TestContactCenterSet(t *testing.T) {
	c := newClassifier(t)
	f, err := os.Open(filepath.Join("testdata", "contact_center.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var n, emo, sent, intent int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.Split(line, "\t")
		if len(p) != 5 {
			t.Fatalf("bad line %q", line)
		}
		want := strings.TrimPrefix(p[3], "-")
		got := c.Classify(p[4], p[0])
		n++
		if got.Emotion == p[1] {
			emo++
		} else {
			t.Logf("emotion %s, want %s: %s", got.Emotion, p[1], p[4])
		}
		if got.Sentiment == p[2] {
			sent++
		} else {
			t.Logf("sentiment %s, want %s: %s", got.Sentiment, p[2], p[4])
		}
		if got.Intent == want {
			intent++
		} else {
			t.Logf("intent %q, want %q: %s", got.Intent, want, p[4])
		}
		checkEvidence(t, p[4], c, p[0])
	}
	if n < 40 {
		t.Fatalf("only %d cases", n)
	}
	for _, r := range []struct {
		name string
		ok   int
		min  float64
	}{{"emotion", emo, 0.75}, {"sentiment", sent, 0.75}, {"intent", intent, 0.85}} {
		if share := float64(r.ok) / float64(n); share < r.min {
			t.Errorf("%s right on %d of %d (%.2f), want ≥ %.2f", r.name, r.ok, n, share, r.min)
		}
	}
}

func TestIntentsFileReplacesTaxonomy(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "intents.txt")
	custom := "version acme-1\n@roaming weight=2\nes: (roaming|itinerancia)\nen: roaming\n@billing\nfactura\n"
	if err := os.WriteFile(file, []byte(custom), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{IntentsFile: file})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Classify("no me funciona el roaming en Francia", "es"); got.Intent != "roaming" || !hasEvidence(got.Evidence, "roaming", "intent:roaming") {
		t.Errorf("operator intent not found: %q %+v", got.Intent, got.Evidence)
	}
	// The model knows refund, but the operator's taxonomy no longer has it.
	if got := c.Classify("I want a refund, please refund my money", "en"); got.Intent == "refund" {
		t.Errorf("intent %q is not in the taxonomy", got.Intent)
	}
	if got := c.Classify("x", "en"); !strings.Contains(got.Version, "/in:acme-1@") {
		t.Errorf("version %q does not name the operator's taxonomy", got.Version)
	}
	for _, bad := range []string{"@billing\nfactura\n", "version 1\nfactura\n", "version 1\n@Bad Name\nx\n", "version 1\n@a\n(unclosed\n", "version 1\n@a weight=0\nx\n", "version 1\n@a\nx\n@a\ny\n"} {
		if _, err := ParseTaxonomy([]byte(bad)); err == nil {
			t.Errorf("taxonomy %q accepted", bad)
		}
	}
	if _, err := New(Options{IntentsFile: filepath.Join(dir, "missing.txt")}); err == nil {
		t.Error("missing intents file accepted")
	}
}

func TestLexiconAndBridgeFiles(t *testing.T) {
	for _, bad := range []string{"angry\tanger\n", "angry\trage\t-3\n", "an*\tanger\t-2\n", "angry\tanger\tx\n"} {
		if _, err := parseLexicon([]byte(bad)); err == nil {
			t.Errorf("lexicon %q accepted", bad)
		}
	}
	for _, bad := range []string{"hola\n", "hola\thello\nhola\thi\n", "ab*\tx\n"} {
		if _, err := parseBridge([]byte(bad)); err == nil {
			t.Errorf("bridge %q accepted", bad)
		}
	}
	b, err := parseBridge([]byte("pena\tsadness\nvale la pena\tworth it\nenoj*\tangry\n"))
	if err != nil {
		t.Fatal(err)
	}
	if to, ok := b.word("enojadisimo"); !ok || to[0] != "angry" {
		t.Errorf("prefix entry: %v %v", to, ok)
	}
	c := newClassifier(t)
	sc := &scratch{}
	c.streams("No vale la pena, estoy ENOJADA", "es", false, sc)
	var got []string
	for _, w := range sc.english {
		got = append(got, w.norm)
	}
	if !strings.Contains(strings.Join(got, " "), "worth it") || !strings.Contains(strings.Join(got, " "), "angry") {
		t.Errorf("bridge stream %v", got)
	}
	if sc.english[0].norm != "not" || sc.english[1].negFrom != 0 {
		t.Errorf("negation scope not set: %+v", sc.english[:2])
	}
	for _, w := range []string{"jajaja", "jsjsjs", "hahaha", "jejeje", "lol"} {
		if !isLaugh(w) {
			t.Errorf("%q is laughter", w)
		}
	}
	for _, w := range []string{"hijo", "hoja", "jose", "hace", "haha1"} {
		if isLaugh(w) {
			t.Errorf("%q is not laughter", w)
		}
	}
}

// TestShippedModels guards the license rule and the size budget: every
// embedded model is trained on data that may ship, is under 2 MB, and
// reports the dev figure it was built with.
func TestShippedModels(t *testing.T) {
	c := newClassifier(t)
	entries, err := modelFS.ReadDir("models")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".vglm.gz") {
			continue
		}
		files++
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() >= 2<<20 {
			t.Errorf("%s is %d bytes, over 2 MB", e.Name(), info.Size())
		}
	}
	if files != len(tasks)*len(modelLang) {
		t.Errorf("%d model files, want %d", files, len(tasks)*len(modelLang))
	}
	for _, m := range c.Models() {
		lic := strings.ToLower(m.License + " " + m.TrainedOn)
		for _, banned := range []string{"emoevent", "xlm", "airline", "twcs", "politeness", "epitome", "research"} {
			if strings.Contains(lic, banned) {
				t.Errorf("%s is trained on %q data, which may not ship: %s / %s", m.Name, banned, m.TrainedOn, m.License)
			}
		}
		if raw := (1 << m.Bits) * len(m.Labels); raw >= 2<<20 {
			t.Errorf("%s has %d bytes of weights", m.Name, raw)
		}
		if m.Dev["macro_f1"] <= 0.4 {
			t.Errorf("%s: dev macro-F1 %.3f", m.Name, m.Dev["macro_f1"])
		}
	}
}

func TestFeaturesAreDeterministicAndTraceable(t *testing.T) {
	c := newClassifier(t)
	s := "No me gusta NADA este servicio!!! 😡"
	for _, spec := range []model.Spec{specEnglish, specBridged, specResearch} {
		a := c.Features(spec, s, "es", nil)
		b := c.Features(spec, s, "es", nil)
		if len(a) == 0 || len(a) != len(b) {
			t.Fatalf("%+v: %d then %d features", spec, len(a), len(b))
		}
		sc := &scratch{}
		c.streams(s, "es", spec.Restrict, sc)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%+v: feature %d differs", spec, i)
			}
			if int(a[i].A) >= len(sc.native)+len(sc.english) || int(a[i].B) >= len(sc.native)+len(sc.english) {
				t.Fatalf("%+v: feature %+v points past the tokens", spec, a[i])
			}
		}
	}
}
