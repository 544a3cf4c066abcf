package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTokenizeFoldsAccentsKeepsEnye(t *testing.T) {
	toks := Tokenize("¡El AÑO pasado, señora! Eso lo maneja OTRA Área")
	var got []string
	for _, tk := range toks {
		got = append(got, tk.Norm)
	}
	want := "el año pasado señora eso lo maneja otra area"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, " "), want)
	}
	if !toks[1].Upper || toks[2].Upper {
		t.Fatalf("upper flags wrong: %+v", toks[:3])
	}
}

func TestTokenizeOffsetsAreCodePoints(t *testing.T) {
	s := "Ñandú: that's it — it’s company policy"
	for _, tk := range Tokenize(s) {
		got := Fold(Slice(s, tk.Start, tk.End))
		if got != tk.Norm && chatSpelling[got] == "" {
			t.Errorf("token %q spans %q", tk.Norm, Slice(s, tk.Start, tk.End))
		}
	}
	if Fold("that's it’s won't") != "thats its wont" {
		t.Fatalf("contractions: %q", Fold("that's it’s won't"))
	}
}

func TestChatSpellingAndRuns(t *testing.T) {
	if got := Fold("holaaaa xq no me contestan?? q pasa tb"); got != "hola porque no me contestan que pasa tambien" {
		t.Fatalf("got %q", got)
	}
	if got := Fold("llamar leer 1000"); got != "llamar leer 1000" {
		t.Fatalf("doubled letters and digits must stay: %q", got)
	}
}

func TestNormalize(t *testing.T) {
	in := "  Hola\r\nque tal\x00\x07 e\u0301  "
	got := Normalize(in)
	if got != "Hola\nque tal é" {
		t.Fatalf("got %q", got)
	}
	if Normalize("\xff\xfeabc") != "\uFFFDabc" {
		t.Fatalf("invalid UTF-8 not replaced: %q", Normalize("\xff\xfeabc"))
	}
}

func TestDetectLang(t *testing.T) {
	cases := []struct{ text, want string }{
		{"Buenas tardes, le llamo porque mi factura viene mal", LangSpanish},
		{"hola q tal, xq no me llega el pedido", LangSpanish},
		{"Hi, I'm calling because my bill is wrong again", LangEnglish},
		{"THE SYSTEM WONT LET ME CHANGE IT", LangEnglish},
		{"Obrigado pela atenção, até logo", LangOther},
		{"12345 ???", LangOther},
	}
	for _, c := range cases {
		got, _ := DetectLang(c.text, Tokenize(c.text))
		if got != c.want {
			t.Errorf("DetectLang(%q) = %s, want %s", c.text, got, c.want)
		}
	}
}

func TestSliceClips(t *testing.T) {
	if Slice("año", 1, 99) != "ño" || Slice("año", 5, 9) != "" || Slice("año", 2, 1) != "" {
		t.Fatal("Slice must clip")
	}
}

func FuzzNormalizeTokenize(f *testing.F) {
	for _, s := range []string{"Eso lo maneja otra área", "that's it’s", "\xff\r\n\x00", "ÑÑÑ ñ'", "q xq tb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize produced invalid UTF-8 from %q", s)
		}
		if Normalize(n) != n {
			t.Fatalf("Normalize not idempotent on %q", s)
		}
		runes := RuneLen(n)
		prevEnd := 0
		for _, tk := range Tokenize(n) {
			if tk.Start < prevEnd && tk.End != prevEnd {
				t.Fatalf("token %+v overlaps the previous one in %q", tk, n)
			}
			if tk.Start < 0 || tk.End > runes || tk.Start >= tk.End || tk.Norm == "" {
				t.Fatalf("token %+v out of range for %q (%d runes)", tk, n, runes)
			}
			prevEnd = tk.End
		}
	})
}
