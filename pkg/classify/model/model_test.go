package model

import (
	"bytes"
	"testing"
)

func feat(s string) Feat { return Feat{H: Finish(AddString(Seed('u'), s)), V: 1, A: 0, B: -1} }

func TestTrainLearnsSeparableDataAndRoundTrips(t *testing.T) {
	meta := Meta{Name: "toy", Labels: []string{"neg", "pos"}}
	var data []Example
	for i := 0; i < 50; i++ {
		data = append(data,
			Example{Feats: []Feat{feat("bad"), feat("day")}, Target: []float32{1, 0}, Weight: 1},
			Example{Feats: []Feat{feat("good"), feat("day")}, Target: []float32{0, 1}, Weight: 1})
	}
	m := Train(meta, TrainConfig{Bits: 10, Epochs: 5, Rate: 0.5, L2: 1e-6, Seed: 1}, data)
	s := make([]float32, 2)
	m.Scores([]Feat{feat("bad")}, s)
	if s[0] <= s[1] {
		t.Fatalf("bad scored %v", s)
	}
	m.Scores([]Feat{feat("good")}, s)
	if s[1] <= s[0] {
		t.Fatalf("good scored %v", s)
	}
	if m.Weight(feat("day").H, 0) > m.Weight(feat("bad").H, 0) {
		t.Fatal("a word seen in both classes outweighs a discriminative one")
	}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.Digest() != m.Digest() || back.Digest() == "" {
		t.Fatalf("digest %q after round trip, %q before", back.Digest(), m.Digest())
	}
	s2 := make([]float32, 2)
	back.Scores([]Feat{feat("good")}, s2)
	m.Scores([]Feat{feat("good")}, s)
	if s[0] != s2[0] || s[1] != s2[1] {
		t.Fatalf("scores changed in round trip: %v vs %v", s, s2)
	}
	again := Train(meta, TrainConfig{Bits: 10, Epochs: 5, Rate: 0.5, L2: 1e-6, Seed: 1}, data)
	if again.Digest() != m.Digest() {
		t.Fatal("training is not deterministic")
	}
}

func TestUnmarshalRejectsGarbage(t *testing.T) {
	if _, err := Unmarshal([]byte("not gzip")); err == nil {
		t.Fatal("garbage accepted")
	}
	m := Quantize(Meta{Name: "x", Labels: []string{"a", "b"}, Bits: 8}, []float32{0, 0}, make([]float32, 512))
	b, _ := m.Marshal()
	if _, err := Unmarshal(b[:len(b)/2]); err == nil {
		t.Fatal("truncated model accepted")
	}
	if bytes.Equal(b, nil) {
		t.Fatal("empty marshal")
	}
}

func TestSoftmax(t *testing.T) {
	s := []float32{1000, 1000, -1000}
	Softmax(s)
	if s[0] < 0.49 || s[0] > 0.51 || s[2] != 0 {
		t.Fatalf("softmax unstable: %v", s)
	}
}
