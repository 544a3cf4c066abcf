package detect

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/phrase"
)

//go:embed rules/*.rules
var builtinRules embed.FS

// Label is one thing the detector can say about an utterance.
type Label struct {
	Name string
	// Category groups labels for the score: deflection, indifference,
	// empathy_gap, positive, customer.
	Category string
	// Polarity is negative for indifference, positive for good moments.
	Polarity string
	// Weight is the label's addend to the conversation's indifference score.
	Weight float32
	// Speaker is whose words the label applies to: agent (default) or customer.
	Speaker string
	// Unless names a label that, found in the same utterance, cancels this
	// one (empathy followed by an action is not scripted).
	Unless string
	// With names a label that must also be found in the utterance for this
	// one to count (an apology is "with action" only beside an action).
	With string
	// Internal labels (names starting with "_") guide other labels and are
	// never emitted: _refute (negation and quoting), _action.
	Internal bool
}

type rule struct {
	label   *Label
	lang    string
	id      string
	pattern *phrase.Pattern
}

// Rules is a compiled rule book: every label and pattern for every language.
type Rules struct {
	Version string
	labels  map[string]*Label
	byLang  map[string]*langRules
}

type langRules struct {
	rules []rule
	set   *phrase.Set
	// bySpeaker are the views a message is matched against: the rules of
	// the speaker's labels plus the refuting ones (_refute, _negate) every
	// hit is checked against, in their original order. A customer message
	// then never runs the agent's patterns, whose hits were dropped anyway.
	bySpeaker map[string]*langRules
}

// refuting labels are checked against every hit, whatever its speaker.
func refuting(l *Label) bool { return l.Name == "_refute" || l.Name == "_negate" }

func newLangView(rules []rule) *langRules {
	ps := make([]*phrase.Pattern, len(rules))
	for i, r := range rules {
		ps[i] = r.pattern
	}
	return &langRules{rules: rules, set: phrase.NewSet(ps)}
}

// LoadRules compiles the built-in rule files plus every *.rules file in
// extraDir (may be empty). A file's language is the first part of its name:
// es.rules, es.acme.rules, en.local.rules. An @label section of an extra file adds
// patterns to a built-in label or defines a new one.
func LoadRules(extraDir string) (*Rules, error) {
	type file struct {
		name string
		data []byte
	}
	var files []file
	entries, err := fs.ReadDir(builtinRules, "rules")
	if err != nil {
		return nil, fmt.Errorf("built-in rules: %w", err)
	}
	for _, e := range entries {
		data, err := fs.ReadFile(builtinRules, "rules/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("built-in rules: %w", err)
		}
		files = append(files, file{e.Name(), data})
	}
	if extraDir != "" {
		paths, err := filepath.Glob(filepath.Join(extraDir, "*.rules"))
		if err != nil {
			return nil, fmt.Errorf("rules dir %s: %w", extraDir, err)
		}
		sort.Strings(paths)
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, fmt.Errorf("read rules: %w", err)
			}
			files = append(files, file{filepath.Base(p), data})
		}
	}
	rs := &Rules{labels: map[string]*Label{}, byLang: map[string]*langRules{}}
	h := sha256.New()
	var versions []string
	for _, f := range files {
		lang, _, _ := strings.Cut(f.name, ".")
		v, err := rs.parse(lang, f.name, f.data)
		if err != nil {
			return nil, err
		}
		versions = append(versions, lang+"@"+v)
		h.Write([]byte(f.name))
		h.Write(f.data)
	}
	for _, lr := range rs.byLang {
		lr.set = newLangView(lr.rules).set
		lr.bySpeaker = map[string]*langRules{}
		for _, speaker := range []string{event.SpeakerAgent, event.SpeakerCustomer} {
			var view []rule
			for _, r := range lr.rules {
				if r.label.Speaker == speaker || refuting(r.label) {
					view = append(view, r)
				}
			}
			lr.bySpeaker[speaker] = newLangView(view)
		}
	}
	// The digest makes an operator's local edit visible in every stored row
	// even when they forget to bump a version line.
	rs.Version = "rules-" + strings.Join(dedupe(versions), ",") + "+" + hex.EncodeToString(h.Sum(nil))[:8]
	return rs, nil
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// parse reads one rule file:
//
//	version 2026.12.0
//	@label category=deflection polarity=negative weight=25 speaker=agent unless=_action
//	pattern
//	pattern
func (rs *Rules) parse(lang, name string, data []byte) (version string, err error) {
	lr := rs.byLang[lang]
	if lr == nil {
		lr = &langRules{}
		rs.byLang[lang] = lr
	}
	var cur *Label
	counts := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if v, ok := strings.CutPrefix(line, "version "); ok {
			version = strings.TrimSpace(v)
			continue
		}
		if hdr, ok := strings.CutPrefix(line, "@"); ok {
			cur, err = rs.section(strings.Fields(hdr))
			if err != nil {
				return "", fmt.Errorf("%s:%d: %w", name, n, err)
			}
			continue
		}
		if cur == nil {
			return "", fmt.Errorf("%s:%d: pattern before any @label section", name, n)
		}
		p, err := phrase.Compile(line)
		if err != nil {
			return "", fmt.Errorf("%s:%d: %w", name, n, err)
		}
		counts[cur.Name]++
		id := fmt.Sprintf("%s/%s/%s#%d", lang, strings.TrimSuffix(name, ".rules"), cur.Name, counts[cur.Name])
		lr.rules = append(lr.rules, rule{label: cur, lang: lang, id: id, pattern: p})
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	if version == "" {
		version = "unversioned"
	}
	return version, nil
}

func (rs *Rules) section(fields []string) (*Label, error) {
	if len(fields) == 0 {
		return nil, fmt.Errorf("empty section header")
	}
	name := fields[0]
	l := rs.labels[name]
	if l == nil {
		l = &Label{Name: name, Polarity: "negative", Speaker: "agent", Internal: strings.HasPrefix(name, "_")}
		rs.labels[name] = l
	}
	for _, kv := range fields[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("attribute %q: want key=value", kv)
		}
		switch k {
		case "category":
			l.Category = v
		case "polarity":
			if v != "negative" && v != "positive" {
				return nil, fmt.Errorf("polarity %q: want negative or positive", v)
			}
			l.Polarity = v
		case "weight":
			w, err := strconv.ParseFloat(v, 32)
			if err != nil || w < 0 || w > 100 {
				return nil, fmt.Errorf("weight %q: want 0 to 100", v)
			}
			l.Weight = float32(w)
		case "speaker":
			if v != "agent" && v != "customer" {
				return nil, fmt.Errorf("speaker %q: want agent or customer", v)
			}
			l.Speaker = v
		case "unless":
			l.Unless = v
		case "with":
			l.With = v
		default:
			return nil, fmt.Errorf("unknown attribute %q", k)
		}
	}
	return l, nil
}

// Labels returns the labels the rules define, internal ones excluded.
func (rs *Rules) Labels() []*Label {
	var out []*Label
	for _, l := range rs.labels {
		if !l.Internal {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Label returns a label by name.
func (rs *Rules) Label(name string) (*Label, bool) {
	l, ok := rs.labels[name]
	return l, ok
}
