package redact

import (
	"strings"
	"testing"
	"time"
)

// TestLargeTextsStayLinear redacts 256 KiB texts (the largest event) built
// to hit each detector as often as possible. A quadratic detector takes
// minutes on them; a linear one, milliseconds. The bound is loose enough
// for a loaded machine.
func TestLargeTextsStayLinear(t *testing.T) {
	const size = 256 << 10
	r := MustNew(Options{Key: testKey})
	for name, unit := range map[string]string{
		"emails":      "a@b.co ",
		"glued":       "a@a@a@a@a@",
		"cards":       "4111 1111 1111 1111 ",
		"digits":      "1 2 3 4 5 6 7 8 9 0 ",
		"spelled":     "uno dos tres cuatro ",
		"secrets":     "clave:clave=",
		"passwords":   "mi clave es x1 ",
		"addresses":   "calle 5 # 10-20, calle ",
		"placeholder": "[CARD][PHONE ****1234]<EMAIL>",
		"ids":         "ES91 2100 0418 4502 0005 1332 12345678Z ",
		"spoken":      "a punto b arroba c punto com punto ",
		"no-spaces":   "x1y2z3",
	} {
		text := strings.Repeat(unit, size/len(unit))
		start := time.Now()
		res := r.Redact(text)
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s: %s for %d bytes (%d values)", name, d, len(text), len(res.Found))
		} else {
			t.Logf("%s: %s, %d values", name, d.Round(time.Millisecond), len(res.Found))
		}
	}
}
