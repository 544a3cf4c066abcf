package classify

import (
	"testing"

	"github.com/vigia-cx/vigia/pkg/text"
)

func TestClassify(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text, lang, emotion, sentiment string
	}{
		{"Estoy FURIOSO, esto es inaceptable!!!", "es", Anger, Negative},
		{"estoy muy preocupada, necesito el dinero urgente", "es", Fear, Negative},
		{"Mil gracias, eres genial", "es", Joy, Positive},
		{"no estoy contento con el servicio", "es", Neutral, Negative},
		{"Quiero saber el horario de la tienda", "es", Neutral, NeutralSent},
		{"This is ridiculous, I'm so angry", "en", Anger, Negative},
		{"Thank you so much, you've been amazing", "en", Joy, Positive},
		{"I'm really disappointed and sad about this", "en", Sadness, Negative},
		{"What time do you open?", "en", Neutral, NeutralSent},
	}
	for _, cc := range cases {
		got := c.Classify(cc.text, cc.lang)
		if got.Emotion != cc.emotion || got.Sentiment != cc.sentiment {
			t.Errorf("%q: got %s/%s (%.2f/%.2f), want %s/%s", cc.text, got.Emotion, got.Sentiment, got.EmotionScore, got.SentimentScore, cc.emotion, cc.sentiment)
		}
		for _, ev := range got.Evidence {
			if text.Slice(cc.text, ev.Start, ev.End) != ev.Text {
				t.Errorf("%q: evidence %+v does not point at its text", cc.text, ev)
			}
		}
	}
	strong := c.Classify("ESTOY FURIOSO!!! INACEPTABLE", "es")
	mild := c.Classify("estoy molesto", "es")
	if !(strong.EmotionScore > mild.EmotionScore) {
		t.Errorf("intensity not reflected: strong %.3f, mild %.3f", strong.EmotionScore, mild.EmotionScore)
	}
}
