package classify

import "testing"

// BenchmarkClassify times the full Classify call on BenchTexts (100–300
// characters, Spanish and English contact-center messages).
func BenchmarkClassify(b *testing.B) {
	c, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t := BenchTexts[i%len(BenchTexts)]
		c.Classify(t.Text, t.Lang)
	}
}
