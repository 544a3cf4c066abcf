// Package detect finds agent indifference and its opposite: per utterance
// (deflection phrases and their variants, positive moments) and per
// conversation (a score with its parts, and the decision to escalate). It is
// plain functions over records; the detect stage binds it to the pipeline.
package detect

import (
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/phrase"
	"github.com/vigia-cx/vigia/pkg/text"
)

// refuteWindow is how many words before a match a refuting phrase ("no es
// que", "you said") may stand and still cancel it, within one clause.
const refuteWindow = 4

// Utterance finds the labels of one utterance by speaker ("agent" or
// "customer") in language lang. Rules of the other speaker never apply, so a
// customer's words are never attributed to the agent. For a language with no
// rules (other), both es and en rules run.
func (rs *Rules) Utterance(s, lang, speaker string) []event.Signal {
	var buf [8]string
	sigs, _ := rs.analyze(s, text.Tokenize(s), lang, speaker, buf[:0])
	return sigs
}

// Analyze is Utterance plus the internal labels (_action, _ack, ...) the
// utterance matched, which the conversation logic reads.
func (rs *Rules) Analyze(s, lang, speaker string) ([]event.Signal, map[string]bool) {
	var buf [8]string
	sigs, present := rs.analyze(s, text.Tokenize(s), lang, speaker, buf[:0])
	var flags map[string]bool
	if len(present) > 0 {
		flags = make(map[string]bool, len(present))
		for _, k := range present {
			flags[k] = true
		}
	}
	return sigs, flags
}

// analyze is Analyze over the text's tokens, with the labels found appended
// to present (a label may appear once per language).
func (rs *Rules) analyze(s string, toks []text.Token, lang, speaker string, present []string) ([]event.Signal, []string) {
	var langs [2]*langRules
	n := 0
	if lr, ok := rs.byLang[lang]; ok {
		langs[0], n = lr, 1
	} else {
		for _, l := range [...]string{text.LangSpanish, text.LangEnglish} {
			if lr, ok := rs.byLang[l]; ok {
				langs[n] = lr
				n++
			}
		}
	}
	var out []event.Signal
	for _, lr := range langs[:n] {
		out, present = lr.utterance(s, toks, speaker, out, present)
	}
	return out, present
}

func hasLabel(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// utterance appends the signals of one language's rules to out and the
// labels present (matched, by this speaker, not refuted) to present.
func (lr *langRules) utterance(s string, toks []text.Token, speaker string, out []event.Signal, present []string) ([]event.Signal, []string) {
	if v := lr.bySpeaker[speaker]; v != nil {
		lr = v
	}
	var buf [16]phrase.Hit
	hits := lr.set.FindAll(toks, buf[:0])
	if len(hits) == 0 {
		return out, present
	}
	// refutedOf caches lr.refuted per hit: 0 not known yet, 1 no, 2 yes.
	var cacheBuf [16]uint8
	cache := cacheBuf[:0]
	if len(hits) <= len(cacheBuf) {
		cache = cacheBuf[:len(hits)]
	} else {
		cache = make([]uint8, len(hits))
	}
	refutedOf := func(k int) bool {
		if cache[k] == 0 {
			cache[k] = 1
			if lr.refuted(hits, toks, hits[k]) {
				cache[k] = 2
			}
		}
		return cache[k] == 2
	}
	base := len(present)
	for k, h := range hits {
		if l := lr.rules[h.Pattern].label; l.Speaker == speaker && !refutedOf(k) && !hasLabel(present[base:], l.Name) {
			present = append(present, l.Name)
		}
	}
	mine := present[base:]
	// taken: label → last token covered, for one signal per span.
	var takenBuf [8]struct {
		name string
		last int
	}
	taken := takenBuf[:0]
	for k, h := range hits {
		r := lr.rules[h.Pattern]
		l := r.label
		if l.Internal || l.Speaker != speaker {
			continue
		}
		if l.Unless != "" && hasLabel(mine, l.Unless) {
			continue
		}
		if l.With != "" && !hasLabel(mine, l.With) {
			continue
		}
		if refutedOf(k) {
			continue
		}
		ti := -1
		for j := range taken {
			if taken[j].name == l.Name {
				ti = j
				break
			}
		}
		if ti >= 0 && h.First <= taken[ti].last {
			continue
		}
		if ti >= 0 {
			taken[ti].last = h.Last
		} else {
			taken = append(taken, struct {
				name string
				last int
			}{l.Name, h.Last})
		}
		start, end := toks[h.First].Start, toks[h.Last].End
		if l.With != "" {
			// The evidence of "apology with action" is the apology through
			// the action, not the apology alone.
			for _, o := range hits {
				if lr.rules[o.Pattern].label.Name == l.With {
					start, end = min(start, toks[o.First].Start), max(end, toks[o.Last].End)
					break
				}
			}
		}
		out = append(out, event.Signal{
			Label:    l.Name,
			Category: l.Category,
			Polarity: l.Polarity,
			Score:    l.Weight,
			Evidence: event.Span{Start: start, End: end, Text: text.Slice(s, start, end), Label: l.Name},
			RuleID:   r.id,
		})
	}
	return out, present
}

// refuted reports whether a _negate phrase stands right before h, or a
// _refute phrase ends shortly before it in the same clause: "no es política",
// "no es que el sistema no lo permita", "usted dice que otra área lo maneja".
func (lr *langRules) refuted(hits []phrase.Hit, toks []text.Token, h phrase.Hit) bool {
	for _, o := range hits {
		switch lr.rules[o.Pattern].label.Name {
		case "_negate":
			// A negation counts only right before the match: "no, es política"
			// and "no lo sé; es política" still deflect.
			if o.Last == h.First-1 && !toks[h.First].Clause {
				return true
			}
			continue
		case "_refute":
		default:
			continue
		}
		if o.Last >= h.First || h.First-o.Last > refuteWindow {
			continue
		}
		crossed := false
		for k := o.Last + 1; k <= h.First; k++ {
			if toks[k].Clause {
				crossed = true
				break
			}
		}
		if !crossed {
			return true
		}
	}
	return false
}
