package text

import (
	"math/rand"
	"os"
	"reflect"
	"strings"
	"testing"
)

func sameTokens(t *testing.T, s string) {
	t.Helper()
	n := RuneLen(s)
	step := 1 + n/16 // every pair of bounds on short texts, a grid on long ones
	for a := -1; a <= n+1; a += step {
		for b := a - 1; b <= n+2; b += step {
			if got, want := Slice(s, a, b), refSlice(s, a, b); got != want {
				t.Fatalf("Slice(%q, %d, %d) = %q, want %q", s, a, b, got, want)
			}
		}
	}
	got, want := Tokenize(s), refTokenize(s)
	if gl, gc := DetectLang(s, got); true {
		wl, wc := refDetectLang(s, want)
		if gl != wl || gc != wc {
			t.Fatalf("DetectLang(%q) = %s %v, want %s %v", s, gl, gc, wl, wc)
		}
	}
	if (len(got) > 0 || len(want) > 0) && !reflect.DeepEqual(got, want) {
		t.Fatalf("Tokenize(%q):\n got %+v\nwant %+v", s, got, want)
	}
}

func TestTokenizeDifferential(t *testing.T) {
	for _, f := range []string{"../detect/testdata/utterances.jsonl", "../detect/testdata/conversations.jsonl", "../classify/intents.txt"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			sameTokens(t, line)
		}
	}
	alpha := []rune("abcxyzqkAZÁÉñÑüÜçÇíóúéá0129'’ .,;:!?¿¡\n\t()\"“”—-\u0301\x00\x7fẞΣσß日本٣😂İı")
	words := []string{"q", "xq", "porfa", "idk", "asap", "ty", "holaaa", "nooo", "1000", "won't", "it’s", "a''b", "x'"}
	r := rand.New(rand.NewSource(1))
	for k := 0; k < 200000; k++ {
		var b strings.Builder
		n := r.Intn(30)
		for j := 0; j < n; j++ {
			if r.Intn(6) == 0 {
				b.WriteString(words[r.Intn(len(words))])
			} else {
				b.WriteRune(alpha[r.Intn(len(alpha))])
			}
		}
		switch r.Intn(20) {
		case 0:
			b.WriteByte(0xff)
		case 1:
			b.WriteString("\xc3\xc3\xb1\xc2")
		}
		sameTokens(t, b.String())
	}
}

func FuzzTokenizeDifferential(f *testing.F) {
	for _, s := range []string{"Eso lo maneja otra área", "that's it’s", "\xff\r\n\x00", "ÑÑÑ ñ'", "q xq tb", "holaaa NOOO 1000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { sameTokens(t, s) })
}
