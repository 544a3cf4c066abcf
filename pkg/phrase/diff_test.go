package phrase

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigia-cx/vigia/pkg/text"
)

// shippedPatterns reads every pattern of the built-in rule files and the
// intent taxonomy.
func shippedPatterns(t testing.TB) []*Pattern {
	var out []*Pattern
	files, _ := filepath.Glob("../detect/rules/*.rules")
	files = append(files, "../classify/intents.txt")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || line[0] == '#' || line[0] == '@' || strings.HasPrefix(line, "version ") {
				continue
			}
			if l, rest, ok := strings.Cut(line, ":"); ok && (l == "es" || l == "en") {
				line = strings.TrimSpace(rest)
			}
			p, err := Compile(line)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out = append(out, p)
		}
	}
	if len(out) < 100 {
		t.Fatalf("only %d shipped patterns found", len(out))
	}
	return out
}

func testTexts(t testing.TB) []string {
	var out []string
	for _, f := range []string{"../detect/testdata/utterances.jsonl", "../detect/testdata/conversations.jsonl"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range bytes.Split(data, []byte("\n")) {
			var v struct {
				Text  string `json:"text"`
				Turns []struct {
					Text string `json:"text"`
				} `json:"turns"`
			}
			if json.Unmarshal(line, &v) != nil {
				continue
			}
			if v.Text != "" {
				out = append(out, v.Text)
			}
			for _, tr := range v.Turns {
				out = append(out, tr.Text)
			}
		}
	}
	return out
}

// vocabulary is every word the patterns name, plus a few others.
func vocabulary(ps []*Pattern) []string {
	seen := map[string]bool{}
	var out []string
	var walk func([]elem)
	walk = func(es []elem) {
		for _, e := range es {
			if e.word != "" && !seen[e.word] {
				seen[e.word] = true
				out = append(out, e.word)
				if e.kind == kindPrefix {
					out = append(out, e.word+"ado", e.word+"s")
				}
			}
			for _, a := range e.alts {
				walk(a)
			}
		}
	}
	for _, p := range ps {
		walk(p.elems)
	}
	return append(out, "zzz", "a", "b", "c")
}

func randomText(r *rand.Rand, vocab []string, n int) string {
	var b strings.Builder
	for k := 0; k < n; k++ {
		b.WriteString(vocab[r.Intn(len(vocab))])
		switch r.Intn(12) {
		case 0:
			b.WriteString(". ")
		case 1:
			b.WriteString(", ")
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func randomPattern(r *rand.Rand, vocab []string, depth int) string {
	var b strings.Builder
	n := 1 + r.Intn(4)
	for k := 0; k < n; k++ {
		if k > 0 {
			b.WriteByte(' ')
		}
		switch x := r.Intn(10); {
		case x < 5 || depth > 2:
			b.WriteString(vocab[r.Intn(len(vocab))])
		case x == 5 && k > 0 && k < n-1:
			b.WriteString("~" + string(rune('1'+r.Intn(3))))
			continue
		case x == 6:
			w := vocab[r.Intn(len(vocab))]
			if text.RuneLen(w) >= 3 {
				b.WriteString(w[:len(w)-len(w)/3] + "*")
			} else {
				b.WriteString(w)
			}
		default:
			open, closer := "(", ")"
			if r.Intn(3) == 0 {
				open, closer = "[", "]"
			}
			b.WriteString(open)
			m := 1 + r.Intn(3)
			for j := 0; j < m; j++ {
				if j > 0 {
					b.WriteByte('|')
				}
				b.WriteString(randomPattern(r, vocab, depth+1))
			}
			b.WriteString(closer)
		}
		if r.Intn(5) == 0 {
			b.WriteByte('?')
		}
	}
	return b.String()
}

func checkSame(t *testing.T, ps []*Pattern, s string) {
	t.Helper()
	toks := text.Tokenize(s)
	for pi, p := range ps {
		for i := 0; i <= len(toks)+1; i++ {
			gl, gok := p.MatchAt(toks, i)
			wl, wok := p.refMatchAt(toks, i)
			if gl != wl || gok != wok {
				t.Fatalf("pattern %q on %q at %d: got (%d, %v), want (%d, %v)", p, s, i, gl, gok, wl, wok)
			}
		}
		_ = pi
	}
	set := NewSet(ps)
	got := set.FindAll(toks, nil)
	want := set.refFindAll(toks, nil)
	if len(got) != len(want) {
		t.Fatalf("FindAll on %q: %d hits, want %d", s, len(got), len(want))
	}
	for k := range got {
		if got[k] != want[k] {
			t.Fatalf("FindAll on %q: hit %d = %+v, want %+v", s, k, got[k], want[k])
		}
	}
}

func TestDifferentialShipped(t *testing.T) {
	ps := shippedPatterns(t)
	vocab := vocabulary(ps)
	for _, s := range testTexts(t) {
		checkSame(t, ps, s)
	}
	r := rand.New(rand.NewSource(1))
	for k := 0; k < 300; k++ {
		checkSame(t, ps, randomText(r, vocab, 1+r.Intn(40)))
	}
}

func TestDifferentialRandomPatterns(t *testing.T) {
	vocab := []string{"a", "b", "c", "de", "the", "no", "lo", "permite", "perm", "abc", "abcd"}
	r := rand.New(rand.NewSource(2))
	compiled := 0
	for k := 0; k < 3000; k++ {
		p, err := Compile(randomPattern(r, vocab, 0))
		if err != nil {
			continue
		}
		compiled++
		ps := []*Pattern{p}
		for j := 0; j < 10; j++ {
			checkSame(t, ps, randomText(r, vocab, r.Intn(14)))
		}
	}
	if compiled < 1000 {
		t.Fatalf("only %d random patterns compiled", compiled)
	}
}

// TestDifferentialWide holds programs of more than 63 states (several
// words of state set) to the reference too.
func TestDifferentialWide(t *testing.T) {
	var alts []string
	for k := 0; k < 40; k++ {
		alts = append(alts, "w"+string(rune('a'+k%26))+string(rune('a'+k/26))+" x")
	}
	src := "(" + strings.Join(alts, "|") + ") ~3 [y|z x] (waa|wab x) ~2 end"
	p, err := Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	if p.prog.nw < 2 {
		t.Fatalf("program of %d states fits one word", len(p.prog.states))
	}
	vocab := []string{"waa", "wab", "wba", "x", "y", "z", "end", "q"}
	r := rand.New(rand.NewSource(3))
	for j := 0; j < 2000; j++ {
		checkSame(t, []*Pattern{p}, randomText(r, vocab, r.Intn(16)))
	}
}

func FuzzDifferential(f *testing.F) {
	f.Add("[eso|esto] lo (maneja|ve) otra area", "eso lo ve otra área")
	f.Add("a ~2 b?", "a x y b")
	f.Add("(a?|b) ~1 (c|d e)? permit*", "a x permite. a c d e permitir")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		p, err := Compile(pattern)
		if err != nil {
			return
		}
		checkSame(t, []*Pattern{p}, s)
	})
}

func TestEmptySets(t *testing.T) {
	toks := text.Tokenize("eso lo maneja otra área")
	if hits := (&Set{}).FindAll(toks, nil); len(hits) != 0 {
		t.Fatalf("zero Set: %v", hits)
	}
	if hits := NewSet(nil).FindAll(toks, nil); len(hits) != 0 {
		t.Fatalf("empty Set: %v", hits)
	}
}
