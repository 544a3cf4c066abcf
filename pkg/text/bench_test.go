package text

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// benchTexts are the turns of the detect test conversations joined into
// messages of about 1.5 KB, the size of the bench generator's.
func benchTexts(b *testing.B) []string {
	data, err := os.ReadFile("../detect/testdata/conversations.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		var v struct {
			Turns []struct {
				Text string `json:"text"`
			} `json:"turns"`
		}
		if json.Unmarshal([]byte(line), &v) != nil {
			continue
		}
		for _, t := range v.Turns {
			cur.WriteString(t.Text)
			cur.WriteByte(' ')
			if cur.Len() > 1500 {
				out = append(out, cur.String())
				cur.Reset()
			}
		}
	}
	return out
}

func BenchmarkTokenize(b *testing.B) {
	texts := benchTexts(b)
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		s := texts[i%len(texts)]
		n += len(s)
		Tokenize(s)
	}
	b.SetBytes(int64(n / max(b.N, 1)))
}

func BenchmarkRefTokenize(b *testing.B) {
	texts := benchTexts(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		refTokenize(texts[i%len(texts)])
	}
}

func BenchmarkDetectLang(b *testing.B) {
	texts := benchTexts(b)
	toks := make([][]Token, len(texts))
	for i, s := range texts {
		toks[i] = Tokenize(s)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := i % len(texts)
		DetectLang(texts[k], toks[k])
	}
}

func BenchmarkNormalize(b *testing.B) {
	texts := benchTexts(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Normalize(texts[i%len(texts)])
	}
}
