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
	sigs, _ := rs.Analyze(s, lang, speaker)
	return sigs
}

// Analyze is Utterance plus the internal labels (_action, _ack, ...) the
// utterance matched, which the conversation logic reads.
func (rs *Rules) Analyze(s, lang, speaker string) ([]event.Signal, map[string]bool) {
	toks := text.Tokenize(s)
	var langs []*langRules
	if lr, ok := rs.byLang[lang]; ok {
		langs = []*langRules{lr}
	} else {
		for _, l := range []string{text.LangSpanish, text.LangEnglish} {
			if lr, ok := rs.byLang[l]; ok {
				langs = append(langs, lr)
			}
		}
	}
	var out []event.Signal
	var flags map[string]bool
	for _, lr := range langs {
		sigs, f := lr.utterance(s, toks, speaker)
		out = append(out, sigs...)
		for k := range f {
			if flags == nil {
				flags = map[string]bool{}
			}
			flags[k] = true
		}
	}
	return out, flags
}

func (lr *langRules) utterance(s string, toks []text.Token, speaker string) ([]event.Signal, map[string]bool) {
	var buf [16]phrase.Hit
	hits := lr.set.FindAll(toks, buf[:0])
	if len(hits) == 0 {
		return nil, nil
	}
	present := map[string]bool{}
	for _, h := range hits {
		if l := lr.rules[h.Pattern].label; l.Speaker == speaker && !lr.refuted(hits, toks, h) {
			present[l.Name] = true
		}
	}
	var out []event.Signal
	taken := map[string]int{} // label → last token covered, for one signal per span
	for _, h := range hits {
		r := lr.rules[h.Pattern]
		l := r.label
		if l.Internal || l.Speaker != speaker {
			continue
		}
		if l.Unless != "" && present[l.Unless] {
			continue
		}
		if l.With != "" && !present[l.With] {
			continue
		}
		if lr.refuted(hits, toks, h) {
			continue
		}
		if last, ok := taken[l.Name]; ok && h.First <= last {
			continue
		}
		taken[l.Name] = h.Last
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
