package classify

import (
	"cmp"
	"slices"

	"github.com/vigia-cx/vigia/pkg/classify/model"
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/text"
)

// Function words never stand as evidence on their own: a linear model may
// lean on "i" or "que", but an analyst is shown the words that mean
// something. A negator is shown as part of the word it negates.
var evidenceStop = setOf(`the a an i you he she it we they me my your our his her its to of in on at for and or is are
 was were be been am do does did this that these those with as by from have has had will would can could just
 de la el los las que y en un una unos unas lo le les se mi mis tu tus su sus es son por con para al del o
 yo me te nos este esta esto ese esa eso ya como mas pero muy so very really too not no never`)

const (
	maxEvidence = 4
	// A word must carry at least this share of what the words in favour
	// of the label carry together, and this much in absolute terms.
	evidenceShare = 0.15
	evidenceMin   = 0.08
)

// evidence appends the spans of the words that pushed the model towards
// class cls rather than class ref, or rather than the other classes on
// average when ref is -1: each word's share of the decision is the sum of
// its features' weight differences. Against the average, a word that moves
// a text away from neutral towards every emotion ("pésimo") is evidence for
// the one it favours most, not for all of them.
func (c *Classifier) evidence(m *model.Model, cls, ref int, feats []model.Feat, s string, sc *scratch, label string, dst []event.Span) []event.Span {
	n := len(sc.native) + len(sc.english)
	if cap(sc.contrib) < n {
		sc.contrib = make([]float32, n)
	}
	contrib := sc.contrib[:n]
	for i := range contrib {
		contrib[i] = 0
	}
	nc := m.Classes()
	var scaleBuf [16]float32
	scale := scaleBuf[:0]
	for k := 0; k < nc; k++ {
		scale = append(scale, m.Scale(k))
	}
	for _, f := range feats {
		if f.A < 0 {
			continue
		}
		// The same products and sums as Model.Weight, read from one row.
		row := m.Row(f.H)
		var other float32
		if ref >= 0 {
			other = float32(row[ref]) * scale[ref]
		} else {
			for k := 0; k < nc; k++ {
				if k != cls {
					other += float32(row[k]) * scale[k]
				}
			}
			other /= float32(nc - 1)
		}
		d := f.V * (float32(row[cls])*scale[cls] - other)
		if f.B >= 0 {
			contrib[f.A] += d / 2
			contrib[f.B] += d / 2
		} else {
			contrib[f.A] += d
		}
	}
	var total float32
	for _, d := range contrib {
		if d > 0 {
			total += d
		}
	}
	var picks [maxEvidence * 2]pick
	np := 0
	for i, d := range contrib {
		if d < evidenceMin || d < evidenceShare*total {
			continue
		}
		t := c.tokenAt(sc, i)
		if _, stop := evidenceStop[t.norm]; stop && !t.emoji {
			continue
		}
		start := t.start
		if t.negFrom >= 0 && t.negFrom < start {
			start = t.negFrom
		}
		dup := false
		for k := 0; k < np; k++ {
			if picks[k].start == start && picks[k].end == t.end {
				picks[k].d += d
				dup = true
			}
		}
		if dup {
			continue
		}
		if np < len(picks) {
			picks[np] = pick{start, t.end, d}
			np++
		} else if weakest := weakestPick(picks[:np]); picks[weakest].d < d {
			picks[weakest] = pick{start, t.end, d}
		}
	}
	ps := picks[:np]
	slices.SortFunc(ps, func(a, b pick) int { return cmp.Compare(b.d, a.d) })
	if len(ps) > maxEvidence {
		ps = ps[:maxEvidence]
	}
	slices.SortFunc(ps, func(a, b pick) int { return a.start - b.start })
	for i := 0; i < len(ps); i++ {
		start, end := ps[i].start, ps[i].end
		// Neighbouring words are one piece of evidence: "muy mal".
		for i+1 < len(ps) && ps[i+1].start <= end+1 {
			end = max(end, ps[i+1].end)
			i++
		}
		dst = append(dst, event.Span{Start: start, End: end, Text: text.Slice(s, start, end), Label: label})
	}
	return dst
}

type pick struct {
	start, end int
	d          float32
}

func weakestPick(ps []pick) int {
	w := 0
	for i := range ps {
		if ps[i].d < ps[w].d {
			w = i
		}
	}
	return w
}

func (c *Classifier) tokenAt(sc *scratch, i int) *wtok {
	if i < len(sc.native) {
		return &sc.native[i]
	}
	return &sc.english[i-len(sc.native)]
}
