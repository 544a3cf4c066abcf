package phrase

import (
	"testing"

	"github.com/vigia-cx/vigia/pkg/text"
)

func TestPatterns(t *testing.T) {
	cases := []struct {
		pattern, text, want string // want = matched words, "" for no match
	}{
		{"eso lo maneja otra area", "Mire, eso lo maneja otra ÁREA, señora", "eso lo maneja otra area"},
		{"[eso|esto] lo (maneja|lleva|ve) (otra|otro) (area|departamento)", "esto lo ve otro departamento", "esto lo ve otro departamento"},
		{"[eso|esto] lo (maneja|lleva|ve) (otra|otro) (area|departamento)", "lo lleva otra área", "lo lleva otra area"},
		{"el sistema no (me|lo)? (deja|permit*)", "el sistema no lo permite", "el sistema no lo permite"},
		{"el sistema no (me|lo)? (deja|permit*)", "el sistema no deja", "el sistema no deja"},
		{"the system (wont|doesnt|does not) (let|allow) me", "The system won't let me do that", "the system wont let me"},
		{"(its|it is) ~2 company policy", "it's just our company policy", "its just our company policy"},
		{"(its|it is) ~2 company policy", "it is company policy", "it is company policy"},
		{"(that is|thats) handled by (another|a different) (department|team)", "That's handled by another department.", "thats handled by another department"},
		{"(that is|thats) handled by (another|a different) (department|team)", "That's handled by this department.", ""},
		{"(esperar|espere) a (que venga|que llegue)? la supervisora", "toca esperar a que venga la supervisora", "esperar a que venga la supervisora"},
	}
	for _, c := range cases {
		p, err := Compile(c.pattern)
		if err != nil {
			t.Fatalf("compile %q: %v", c.pattern, err)
		}
		toks := text.Tokenize(c.text)
		hits := NewSet([]*Pattern{p}).FindAll(toks, nil)
		got := ""
		if len(hits) > 0 {
			for i := hits[0].First; i <= hits[0].Last; i++ {
				if got != "" {
					got += " "
				}
				got += toks[i].Norm
			}
		}
		if got != c.want {
			t.Errorf("%q on %q: got %q, want %q", c.pattern, c.text, got, c.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, bad := range []string{"", "(a|b", "a)", "[a]", "~2 word", "word ~2", "ab*", "a ~9 b", "?", "(|a)"} {
		if _, err := Compile(bad); err == nil {
			t.Errorf("Compile(%q) accepted", bad)
		}
	}
}

func FuzzCompileMatch(f *testing.F) {
	f.Add("[eso|esto] lo (maneja|ve) otra area", "eso lo ve otra área")
	f.Add("a ~2 b?", "a x y b")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		p, err := Compile(pattern)
		if err != nil {
			return
		}
		toks := text.Tokenize(s)
		for _, h := range NewSet([]*Pattern{p}).FindAll(toks, nil) {
			if h.First < 0 || h.Last < h.First || h.Last >= len(toks) {
				t.Fatalf("hit %+v out of range (%d tokens)", h, len(toks))
			}
		}
	})
}
