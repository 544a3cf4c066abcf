package redact

import (
	"testing"
	"time"
)

// chatter is what most contact-center messages are: no personal data.
var chatter = []string{
	"Hola, buenas tardes, llevo una semana esperando el pedido y nadie me responde, ya es la tercera vez que llamo por lo mismo.",
	"Déjeme revisar su cuenta un momento, por favor no cuelgue, enseguida le confirmo qué pasó con el cobro duplicado de este mes.",
	"Hi, I was charged twice on this month's bill and the app keeps saying my payment failed, can someone please look into it today?",
	"I understand your frustration, let me check what happened with the shipment and I'll get back to you before the end of the day.",
	"Eso lo maneja otra área, le voy a transferir con facturación para que le expliquen el cargo, ¿le parece bien?",
	"The technician was supposed to come yesterday between 9 and 12 and nobody showed up, I took the morning off work for this.",
}

// benchTexts mixes chatter with the corpus, about 200 characters each:
// one in three is chatter alone, the others end in a corpus text (two in
// three of those with personal data, the rest with tricky numbers).
func benchTexts(tb testing.TB) []string {
	corpus := loadCorpus(tb)
	var out []string
	for i, e := range corpus {
		fill := chatter[i%len(chatter)] + " " + chatter[(i+1)%len(chatter)]
		if i%3 == 0 {
			out = append(out, cut(fill, 200))
			continue
		}
		out = append(out, cut(fill, 199-len(e.Text))+" "+e.Text)
	}
	return out
}

// cut returns the words of s that fit in n bytes.
func cut(s string, n int) string {
	if n >= len(s) {
		return s
	}
	n = max(n, 0)
	for n > 0 && s[n] != ' ' {
		n--
	}
	return s[:n]
}

// BenchmarkRedact reports texts/s on one core (run with -cpu 1): mixed is
// the realistic stream; clean and values are its two extremes.
func BenchmarkRedact(b *testing.B) {
	mixed := benchTexts(b)
	var clean, values []string
	r := MustNew(Options{Key: []byte("benchmark-key-0123456789")})
	for _, t := range mixed {
		if len(r.Redact(t).Found) == 0 {
			clean = append(clean, t)
		} else {
			values = append(values, t)
		}
	}
	for _, set := range []struct {
		name  string
		texts []string
	}{{"mixed", mixed}, {"clean", clean}, {"values", values}} {
		b.Run(set.name, func(b *testing.B) {
			n := 0
			for _, t := range set.texts {
				n += len([]rune(t))
			}
			b.Logf("%d texts, %.0f code points on average", len(set.texts), float64(n)/float64(len(set.texts)))
			b.ReportAllocs()
			start := time.Now()
			i := 0
			for b.Loop() {
				r.Redact(set.texts[i%len(set.texts)])
				i++
			}
			b.ReportMetric(float64(i)/time.Since(start).Seconds(), "texts/s")
		})
	}
}
