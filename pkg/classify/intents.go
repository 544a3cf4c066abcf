package classify

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/phrase"
	"github.com/vigia-cx/vigia/pkg/text"
)

// Intent is one entry of the taxonomy.
type Intent struct {
	Name   string
	Weight float64
}

// Taxonomy is the intent list: names, and for each the phrases that show it
// in Spanish and English, in the pattern language of the rule files
// (pkg/phrase). It is a file so an operator can add an intent or a phrase
// with a restart, not a rebuild.
type Taxonomy struct {
	Version string
	Intents []Intent
	digest  string
	// Per language: the patterns and, for each, its intent.
	sets   map[string]*phrase.Set
	owners map[string][]int
}

var intentName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// ParseTaxonomy reads an intents file:
//
//	version <name>
//	@<intent> [weight=<w>]
//	es: <pattern>     Spanish only
//	en: <pattern>     English only
//	<pattern>         both languages
func ParseTaxonomy(raw []byte) (*Taxonomy, error) {
	sum := sha256.Sum256(raw)
	t := &Taxonomy{digest: hex.EncodeToString(sum[:4]), sets: map[string]*phrase.Set{}, owners: map[string][]int{}}
	pats := map[string][]*phrase.Pattern{}
	cur := -1
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if v, ok := strings.CutPrefix(line, "version "); ok {
			t.Version = strings.TrimSpace(v)
			continue
		}
		if head, ok := strings.CutPrefix(line, "@"); ok {
			f := strings.Fields(head)
			if len(f) == 0 || !intentName.MatchString(f[0]) || f[0] == NoIntent {
				return nil, fmt.Errorf("line %d: intent name %q: want lower-case letters, digits, _", n, head)
			}
			if seen[f[0]] {
				return nil, fmt.Errorf("line %d: intent %q defined twice", n, f[0])
			}
			seen[f[0]] = true
			in := Intent{Name: f[0], Weight: 1}
			for _, opt := range f[1:] {
				v, ok := strings.CutPrefix(opt, "weight=")
				if !ok {
					return nil, fmt.Errorf("line %d: unknown option %q", n, opt)
				}
				w, err := strconv.ParseFloat(v, 64)
				if err != nil || w <= 0 || w > 10 {
					return nil, fmt.Errorf("line %d: weight %q: want a number in (0, 10]", n, v)
				}
				in.Weight = w
			}
			t.Intents = append(t.Intents, in)
			cur = len(t.Intents) - 1
			continue
		}
		if cur < 0 {
			return nil, fmt.Errorf("line %d: pattern before the first @intent", n)
		}
		langs := []string{text.LangSpanish, text.LangEnglish}
		if l, rest, ok := strings.Cut(line, ":"); ok && (l == "es" || l == "en") {
			langs, line = []string{l}, strings.TrimSpace(rest)
		}
		p, err := phrase.Compile(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		for _, l := range langs {
			pats[l] = append(pats[l], p)
			t.owners[l] = append(t.owners[l], cur)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if t.Version == "" {
		return nil, fmt.Errorf("no version line")
	}
	if len(t.Intents) == 0 {
		return nil, fmt.Errorf("no intents")
	}
	for _, l := range []string{text.LangSpanish, text.LangEnglish} {
		t.sets[l] = phrase.NewSet(pats[l])
	}
	return t, nil
}

// Index returns the position of an intent, or -1.
func (t *Taxonomy) Index(name string) int {
	for i, in := range t.Intents {
		if in.Name == name {
			return i
		}
	}
	return -1
}

// Names lists the intents in file order.
func (t *Taxonomy) Names() []string {
	out := make([]string, len(t.Intents))
	for i, in := range t.Intents {
		out[i] = in.Name
	}
	return out
}

type intentHit struct {
	intent      int
	first, last int // tokens
}

// Intent thresholds: one matched word gives a phrase score of 0.57, which
// alone decides; the model alone must be surer than that, because it was
// trained on banking and assistant requests and reads a contact center's
// other topics with less certainty than its probabilities claim.
const (
	phraseScale = 1.2
	intentMin   = 0.5
	modelAlone  = 0.75
)

// intent picks the intent of a text: phrase matches of the taxonomy,
// combined with the intent model for intents the model knows, as two
// independent pieces of evidence (noisy-or).
func (c *Classifier) intent(p *path, lang, s string, sc *scratch, dst []event.Span) (string, float32, []event.Span) {
	tx := c.intents
	sc.hits = sc.hits[:0]
	if cap(sc.iscore) < len(tx.Intents) {
		sc.iscore = make([]float64, len(tx.Intents))
	}
	score := sc.iscore[:len(tx.Intents)]
	for i := range score {
		score[i] = 0
	}
	match := func(l string) {
		set := tx.sets[l]
		if set.Len() == 0 {
			return
		}
		var buf [8]phrase.Hit
		for _, h := range set.FindAll(sc.words, buf[:0]) {
			in := tx.owners[l][h.Pattern]
			score[in] += float64(h.Last-h.First+1) * tx.Intents[in].Weight
			sc.hits = append(sc.hits, intentHit{in, h.First, h.Last})
		}
	}
	switch lang {
	case text.LangSpanish, text.LangEnglish:
		match(lang)
	default:
		match(text.LangSpanish)
		match(text.LangEnglish)
	}
	m := p.models[2]
	probs := sc.scores[2]
	best, bestS := -1, 0.0
	for i, in := range tx.Intents {
		phr := 1 - math.Exp(-score[i]/phraseScale)
		pm := 0.0
		if k := m.Label(in.Name); k >= 0 {
			pm = float64(probs[k])
		}
		if score[i] == 0 && pm < modelAlone {
			pm = 0
		}
		s := 1 - (1-phr)*(1-pm)
		score[i] = s
		if s > bestS {
			best, bestS = i, s
		}
	}
	if best < 0 || bestS < intentMin {
		return "", 0, dst
	}
	name := tx.Intents[best].Name
	label := "intent:" + name
	found := false
	first := len(dst)
	for _, h := range sc.hits {
		if h.intent != best {
			continue
		}
		a, b := sc.words[h.first], sc.words[h.last]
		found = true
		// Patterns overlap ("me cobraron dos veces", "cobraron"): keep the
		// widest span.
		covered := false
		for k := first; k < len(dst); k++ {
			switch {
			case dst[k].Start <= a.Start && dst[k].End >= b.End:
				covered = true
			case a.Start <= dst[k].Start && b.End >= dst[k].End:
				dst[k] = event.Span{Start: a.Start, End: b.End, Text: text.Slice(s, a.Start, b.End), Label: label}
				covered = true
			}
		}
		if !covered {
			dst = append(dst, event.Span{Start: a.Start, End: b.End, Text: text.Slice(s, a.Start, b.End), Label: label})
		}
	}
	if !found {
		dst = c.evidence(m, m.Label(name), m.Label(NoIntent), sc.feats[p.specOf[2]], s, sc, label, dst)
	}
	return name, round3(float32(bestS)), dst
}
