package redact

import "strings"

// item is one part of a number as written or spoken: a digit run ("612"),
// a spelled digit ("cuatro"), a spelled pair ("treinta y cuatro" → 34) or a
// doubled digit ("doble cinco" → 55).
type item struct {
	t0, t1  int // tokens, inclusive
	d0, d1  int // its digits in scanner.buf
	spelled bool
	sep     byte // what joins it to the previous item: ' ', '-', '.', ')' or ','
}

// findNumbers groups digit runs and spelled digits into chunks ("+34 612 34
// 56 78", "cuatro cinco uno dos 3456 ...") and classifies each chunk's parts,
// longest first, by format, check digits and the cue words around them.
func (sc *scanner) findNumbers() {
	for k := 0; k < len(sc.toks); {
		sc.buf = sc.buf[:0]
		first, ok := sc.itemAt(k)
		if !ok {
			k++
			continue
		}
		sc.items = append(sc.items[:0], first)
		next := first.t1 + 1
		for next < len(sc.toks) && len(sc.items) < 24 && len(sc.buf) < 40 {
			mark := len(sc.buf)
			it, ok := sc.itemAt(next)
			if !ok {
				break
			}
			prev := sc.items[len(sc.items)-1]
			sep, ok := joinGap(sc.s[sc.toks[prev.t1].end:sc.toks[it.t0].start], prev.spelled || it.spelled)
			if !ok {
				sc.buf = sc.buf[:mark]
				break
			}
			it.sep = sep
			sc.items = append(sc.items, it)
			next = it.t1 + 1
		}
		sc.classifyChunk()
		k = next
	}
}

// itemAt reads the item that starts at token k, appending its digits to
// sc.buf. A digit run glued to letters ("10am", "3º", "ABC123") is part of
// a word or a code, not a number.
func (sc *scanner) itemAt(k int) (item, bool) {
	t := sc.toks[k]
	if sc.taken[k] {
		return item{}, false
	}
	d0 := len(sc.buf)
	switch t.kind {
	case kNum:
		if k > 0 && sc.toks[k-1].kind == kWord && sc.toks[k-1].end == t.start {
			return item{}, false
		}
		if k+1 < len(sc.toks) && sc.toks[k+1].kind == kWord && sc.toks[k+1].start == t.end {
			// A single check letter is allowed ("12345678-Z" is handled by
			// trailingLetter); anything else glued makes it a code.
			if sc.toks[k+1].end-sc.toks[k+1].start != 1 || (k+2 < len(sc.toks) && sc.toks[k+2].start == sc.toks[k+1].end) {
				return item{}, false
			}
		}
		sc.buf = append(sc.buf, sc.s[t.start:t.end]...)
		return item{t0: k, t1: k, d0: d0, d1: len(sc.buf)}, true
	case kWord:
		w := t.w
		if w == nil {
			return item{}, false
		}
		if w.mult > 0 {
			// "doble cinco", "triple zero"
			if k+1 >= len(sc.toks) || sc.taken[k+1] || !isSpace(sc.s[t.end:sc.toks[k+1].start]) {
				return item{}, false
			}
			u := sc.toks[k+1]
			var digit string
			switch {
			case u.kind == kWord && u.w != nil && u.w.unit:
				digit = u.w.digits
			case u.kind == kNum && u.end-u.start == 1:
				digit = sc.s[u.start:u.end]
			default:
				return item{}, false
			}
			for i := 0; i < int(w.mult); i++ {
				sc.buf = append(sc.buf, digit...)
			}
			return item{t0: k, t1: k + 1, d0: d0, d1: len(sc.buf), spelled: true}, true
		}
		if w.digits == "" {
			return item{}, false
		}
		if w.tens {
			// "treinta y cuatro", "thirty-four", "thirty four"
			sc.buf = append(sc.buf, w.digits...)
			if k+2 < len(sc.toks) && !sc.taken[k+2] && sc.isWordText(k+1, "y") && isSpace(sc.gapAfter(k)) &&
				isSpace(sc.gapAfter(k+1)) && sc.isUnit(k+2) {
				sc.buf = append(sc.buf, sc.toks[k+2].w.digits...)
				return item{t0: k, t1: k + 2, d0: d0, d1: len(sc.buf), spelled: true}, true
			}
			if k+1 < len(sc.toks) && !sc.taken[k+1] && sc.isUnit(k+1) && sc.toks[k+1].w.digits != "0" {
				if g := sc.gapAfter(k); g == "-" || g == " " {
					sc.buf = append(sc.buf, sc.toks[k+1].w.digits...)
					return item{t0: k, t1: k + 1, d0: d0, d1: len(sc.buf), spelled: true}, true
				}
			}
			sc.buf = append(sc.buf, '0')
			return item{t0: k, t1: k, d0: d0, d1: len(sc.buf), spelled: true}, true
		}
		sc.buf = append(sc.buf, w.digits...)
		return item{t0: k, t1: k, d0: d0, d1: len(sc.buf), spelled: true}, true
	}
	return item{}, false
}

func (sc *scanner) isUnit(k int) bool {
	t := sc.toks[k]
	return t.kind == kWord && t.w != nil && t.w.unit
}

func (sc *scanner) isWordText(k int, lower string) bool {
	t := sc.toks[k]
	return t.kind == kWord && strings.EqualFold(sc.s[t.start:t.end], lower)
}

func isSpace(g string) bool {
	if g == "" || len(g) > 2 {
		return false
	}
	for i := 0; i < len(g); i++ {
		if g[i] != ' ' && g[i] != '\t' {
			return false
		}
	}
	return true
}

// joinGap decides whether two items belong to one number: a few spaces, one
// dash or dot, or a parenthesis join them; commas only between spelled
// digits ("cuatro, cinco, uno"), where speech-to-text puts them.
func joinGap(g string, spelled bool) (byte, bool) {
	if g == "" || len(g) > 4 {
		return 0, false
	}
	var spaces, dashes, dots, parens, commas int
	for i := 0; i < len(g); i++ {
		switch g[i] {
		case ' ':
			spaces++
		case '-':
			dashes++
		case '.':
			dots++
		case '(', ')':
			parens++
		case ',':
			commas++
		default:
			return 0, false
		}
	}
	switch {
	case dashes+dots+parens+commas > 2 || dashes > 1 || dots > 1 || commas > 1:
		return 0, false
	case dots == 1:
		if len(g) != 1 {
			return 0, false // "612. 345": a sentence ends there
		}
		return '.', true
	case commas == 1:
		if !spelled || dashes+parens > 0 {
			return 0, false
		}
		return ',', true
	case parens > 0:
		return ')', true
	case dashes == 1:
		return '-', true
	case spaces > 2:
		return 0, false
	}
	return ' ', true
}

// classifyChunk tries the chunk's sub-ranges, longest first from each start,
// and claims the first that classifies.
func (sc *scanner) classifyChunk() {
	items := sc.items
	lead, trail := sc.chunkIsAmount(items)
	amount := lead || trail
	for i := 0; i < len(items); {
		matched := false
		for j := len(items) - 1; j >= i; j-- {
			nd := items[j].d1 - items[i].d0
			if nd > 19 {
				continue
			}
			if nd < 6 {
				break
			}
			// A card is not taken for money unless the money cue is at
			// its own end: "6011 5547 3093 4312 6011 5,20" holds a card
			// before the decimals.
			amountHere := (lead && i == 0) || (trail && j == len(items)-1)
			if sc.classify(items, i, j, amount, amountHere) {
				matched = true
				i = j + 1
				break
			}
		}
		if !matched {
			i++
		}
	}
}

// trailingLetter returns the check letter right after token k ("12345678Z",
// "12345678-Z", "12.345.678-K", "12345678 Z"), its token, and whether a
// dash set it apart.
func (sc *scanner) trailingLetter(k int) (letter byte, tok int, dashed bool) {
	n := k + 1
	if n >= len(sc.toks) || sc.toks[n].kind != kWord || sc.toks[n].end-sc.toks[n].start != 1 || sc.taken[n] {
		return 0, 0, false
	}
	if n+1 < len(sc.toks) && sc.toks[n+1].start == sc.toks[n].end {
		return 0, 0, false
	}
	c := sc.s[sc.toks[n].start]
	up := c &^ 0x20
	if !isUpper(up) {
		return 0, 0, false
	}
	switch g := sc.gapAfter(k); g {
	case "":
		return up, n, false
	case "-", " - ":
		return up, n, true
	case " ":
		// "y", "o", "a" after a number are words; only a capital can be a
		// check letter after a space.
		if c != up {
			return 0, 0, false
		}
		return up, n, false
	}
	return 0, 0, false
}

// classify decides what items[i..j] are and claims them. amount says the
// chunk is money; amountHere, that the money cue touches items[i..j].
func (sc *scanner) classify(items []item, i, j int, amount, amountHere bool) bool {
	d := sc.buf[items[i].d0:items[j].d1]
	start, end := sc.toks[items[i].t0].start, sc.toks[items[j].t1].end
	n := len(d)
	spelled := 0
	for _, it := range items[i : j+1] {
		if it.spelled {
			spelled++
		}
	}
	c := sc.cueBefore(items[i].t0)
	if c == 0 || c == cuePhoneWeak {
		if after := sc.cueAfter(items[j].t1); after != 0 {
			c = after
		}
	}
	neg := c&cueNeg != 0
	var norm [24]byte

	// Check letters and check digits first: these are documents whatever
	// the words around them say.
	if letter, lt, dashed := sc.trailingLetter(items[j].t1); lt > 0 {
		lend := sc.toks[lt].end
		if n == 8 && dniLetter(d) == letter {
			sc.claim(start, lend, kIDES, append(append(norm[:0], d...), letter))
			return true
		}
		if (n == 7 || n == 8) && letter == 'K' && (dashed || c&cueRUT != 0) && rutDV(d) == 'K' {
			sc.claim(start, lend, kRUT, append(append(norm[:0], d...), 'K'))
			return true
		}
		if sc.s[sc.toks[items[j].t1].end:sc.toks[lt].start] == "" {
			return false // glued to a letter that checks nothing: a code
		}
	}
	last := items[j]
	if j > i && last.sep == '-' && last.d1-last.d0 == 1 && (n == 8 || n == 9) && rutDV(d[:n-1]) == d[n-1] {
		sc.claim(start, end, kRUT, d)
		return true
	}
	if c&cueRUT != 0 && (n == 8 || n == 9) && rutDV(d[:n-1]) == d[n-1] {
		sc.claim(start, end, kRUT, d)
		return true
	}
	if n == 11 && cuitValid(d) && (c&cueCUIT != 0 || sc.groupsAre(items, i, j, '-', 2, 8, 1)) {
		sc.claim(start, end, kCUIT, d)
		return true
	}
	if neg || sc.isDate(items, i, j) || sc.partOfCode(items, i, j) {
		return false
	}
	if !amountHere && n >= 13 && luhn(d) && cardIssuer(d) && sc.sepsIn(items, i, j, " -") {
		sc.claim(start, end, kCard, d)
		return true
	}
	if amount {
		return false
	}
	if n == 9 && ssnValid(d) && (c&cueSSN != 0 || sc.groupsAre(items, i, j, '-', 3, 2, 4) || sc.groupsAre(items, i, j, ' ', 3, 2, 4)) {
		sc.claim(start, end, kSSN, d)
		return true
	}
	switch {
	case c&cueCedula != 0 && n >= 6 && n <= 10:
		sc.claim(start, end, kCedulaCO, d)
		return true
	case c&cueDNI != 0 && (n == 7 || n == 8):
		sc.claim(start, end, kDNIAR, d)
		return true
	case c&cueNIF != 0 && n == 8:
		sc.claim(start, end, kIDES, d)
		return true
	case c&cueDoc != 0 && (n == 7 || n == 8):
		sc.claim(start, end, kDNIAR, d)
		return true
	case c&cueDoc != 0 && n >= 6 && n <= 10:
		sc.claim(start, end, kCedulaCO, d)
		return true
	}
	plus := i == 0 && start > 0 && sc.s[start-1] == '+'
	if nat, ok := sc.phone(d, items, i, j, plus, spelled, c); ok {
		if plus {
			start--
		} else if i == 0 && start > 0 && sc.s[start-1] == '(' {
			start--
		}
		sc.claim(start, end, kPhone, nat)
		return true
	}
	return false
}

// groupsAre reports whether items[i..j] are groups of exactly these sizes
// joined by sep.
func (sc *scanner) groupsAre(items []item, i, j int, sep byte, sizes ...int) bool {
	if j-i+1 != len(sizes) {
		return false
	}
	for k, size := range sizes {
		it := items[i+k]
		if it.spelled || it.d1-it.d0 != size || (k > 0 && it.sep != sep) {
			return false
		}
	}
	return true
}

// sepsIn reports whether every join in items[i..j] is one of seps; spelled
// digits may be joined any way.
func (sc *scanner) sepsIn(items []item, i, j int, seps string) bool {
	for k := i + 1; k <= j; k++ {
		if !items[k].spelled && !items[k-1].spelled && strings.IndexByte(seps, items[k].sep) < 0 {
			return false
		}
	}
	return true
}

// isDate recognizes 31-12-2026, 2026-12-31, 31.12.26 and their like.
func (sc *scanner) isDate(items []item, i, j int) bool {
	if j-i != 2 {
		return false
	}
	var g [3]int
	var v [3]int
	for k := 0; k < 3; k++ {
		it := items[i+k]
		if it.spelled {
			return false
		}
		g[k] = it.d1 - it.d0
		for _, c := range sc.buf[it.d0:it.d1] {
			v[k] = v[k]*10 + int(c-'0')
		}
	}
	if items[i+1].sep != items[i+2].sep || items[i+1].sep == ' ' {
		return false
	}
	dm := func(a, b int) bool {
		return (a >= 1 && a <= 31 && b >= 1 && b <= 12) || (a >= 1 && a <= 12 && b >= 1 && b <= 31)
	}
	switch {
	case g[0] == 4 && g[1] <= 2 && g[2] <= 2:
		return dm(v[2], v[1])
	case g[0] <= 2 && g[1] <= 2 && (g[2] == 4 || g[2] == 2):
		return dm(v[0], v[1])
	}
	return false
}

// partOfCode reports whether items[i..j] continue a code with letters:
// "INV-2026-00871", "ORD_55123", "2026-00871-AB", "#45218873".
func (sc *scanner) partOfCode(items []item, i, j int) bool {
	first, last := items[i].t0, items[j].t1
	if i == 0 && first > 0 {
		g := sc.gapBefore(first)
		if (g == "-" || g == "_" || g == "/") && sc.toks[first-1].kind == kWord || strings.HasSuffix(g, "#") {
			return true
		}
	}
	if j == len(items)-1 && last+1 < len(sc.toks) {
		g := sc.gapAfter(last)
		next := sc.toks[last+1]
		if (g == "-" || g == "_" || g == "/") && next.kind == kWord && next.end-next.start > 1 {
			return true
		}
	}
	return false
}

// chunkIsAmount reports whether the chunk is money, a percentage or a
// quantity: a currency sign or word next to it, a unit after it, or
// decimals after it ("1.250.000,50"). lead is a cue before the chunk,
// trail one after it.
func (sc *scanner) chunkIsAmount(items []item) (lead, trail bool) {
	first, last := items[0].t0, items[len(items)-1].t1
	before := sc.gapBefore(first)
	if strings.ContainsAny(before, "$€£¥") {
		return true, false
	}
	if first > 0 && isSpace(before) && sc.isWord(first-1, fCurrency) {
		return true, false
	}
	after := sc.gapAfter(last)
	if strings.HasPrefix(strings.TrimLeft(after, " "), "%") || strings.ContainsAny(after, "$€£") {
		return false, true
	}
	if last+1 < len(sc.toks) {
		nt := sc.toks[last+1]
		if (after == "" || isSpace(after)) && nt.kind == kWord && nt.w != nil && nt.w.flags&(fCurrency|fMeasure) != 0 {
			return false, true
		}
		if (after == "," || after == ".") && nt.kind == kNum && nt.end-nt.start <= 2 {
			return false, true
		}
	}
	return false, false
}

// phone decides whether d (items[i..j]) is a phone number of Spain, Mexico,
// Colombia, Argentina, Chile or the US, or any number with a leading '+',
// and returns its national significant number for hashing. A bare run of
// digits needs a cue; a grouped one, a spelled one or one with a country
// code does not.
func (sc *scanner) phone(d []byte, items []item, i, j int, plus bool, spelled int, c cue) ([]byte, bool) {
	strong := c&cuePhone != 0
	weak := c&cuePhoneWeak != 0
	other := c&^(cuePhone|cuePhoneWeak) != 0
	dictated := spelled >= 2
	grouped := j > i
	intl := plus
	if len(d) > 4 && d[0] == '0' && d[1] == '0' {
		d, intl = d[2:], true
	}
	if intl {
		if nat, ok := stripCC(d); ok {
			return nat, true
		}
		if plus && len(d) >= 8 && len(d) <= 15 && (!grouped || sc.plausibleGroups(items, i, j, true)) {
			return d, true
		}
		return nil, false
	}
	if other && !strong {
		return nil, false
	}
	if grouped && !items[i].spelled {
		g0 := items[i].d1 - items[i].d0
		if g0 <= 3 && isCC(d[:g0]) {
			if nat, ok := stripCC(d); ok && sc.plausibleGroups(items, i, j, true) {
				return nat, true
			}
		}
	}
	if !nationalOK(d) {
		if strong && len(d) >= 7 && len(d) <= 8 {
			return d, true
		}
		if strong || weak || dictated {
			if nat, ok := stripCC(d); ok {
				return nat, true
			}
		}
		return nil, false
	}
	nat := d
	switch {
	case len(d) == 11 && d[0] == '0':
		nat = d[1:] // Argentina's trunk prefix
	case len(d) == 12:
		// the same mobile as +54 9 <area> <number>
		cut := 2
		if string(d[2:4]) != "15" {
			cut = 3
		}
		nat = append(append(make([]byte, 0, 10), d[:cut]...), d[cut+2:]...)
	}
	switch {
	case strong || weak || dictated:
		return nat, true
	case grouped && sc.plausibleGroups(items, i, j, false):
		return nat, true
	}
	return nil, false
}

// nationalOK: 9 digits (Spain, Chile), 10 (Mexico, Colombia, Argentina, the
// US; Argentina's 10 start with its area codes 11, 2xx, 3xx), or 11 with
// Argentina's trunk 0.
func nationalOK(d []byte) bool {
	switch len(d) {
	case 9:
		return d[0] >= '2'
	case 10:
		if d[0] == '1' {
			return d[1] == '1'
		}
		return d[0] >= '2'
	case 11:
		return d[0] == '0' && d[1] != '0'
	case 12:
		// Argentina's mobiles dialled at home: area code, 15, number
		// ("11 15 4455 6677", "351 15 123 4567").
		return d[0] >= '1' && d[0] <= '3' && (string(d[2:4]) == "15" || string(d[3:5]) == "15")
	}
	return false
}

func isCC(g []byte) bool {
	switch string(g) {
	case "1", "34", "52", "57", "54", "56":
		return true
	}
	return false
}

// stripCC removes a known country code (and Mexico's old mobile 1,
// Argentina's mobile 9) when what follows is a valid national number.
func stripCC(d []byte) ([]byte, bool) {
	n := len(d)
	switch {
	case n == 11 && d[0] == '3' && d[1] == '4' && d[2] >= '6':
		return d[2:], true
	case n == 12 && d[0] == '5' && d[1] == '2' && d[2] >= '2':
		return d[2:], true
	case n == 13 && d[0] == '5' && d[1] == '2' && d[2] == '1':
		return d[3:], true
	case n == 12 && d[0] == '5' && d[1] == '7' && (d[2] == '3' || (d[2] == '6' && d[3] == '0')):
		return d[2:], true
	case n == 12 && d[0] == '5' && d[1] == '4' && d[2] != '0':
		return d[2:], true
	case n == 13 && d[0] == '5' && d[1] == '4' && d[2] == '9':
		return d[3:], true
	case n == 11 && d[0] == '5' && d[1] == '6' && d[2] >= '2':
		return d[2:], true
	case n == 11 && d[0] == '1' && d[1] >= '2' && d[4] >= '2':
		return d[1:], true
	}
	return nil, false
}

// plausibleGroups reports whether the grouping is one phone numbers are
// written in: groups of 2-4 digits with one kind of separator (dots alone,
// or spaces and dashes, parentheses anywhere). A single digit may stand
// first (Chile's 9, the US 1) or right after a country code (Argentina's
// 9, Mexico's 1); two groups may end in a long one ("612 345678").
func (sc *scanner) plausibleGroups(items []item, i, j int, cc bool) bool {
	dotted, other := false, false
	for k := i + 1; k <= j; k++ {
		switch items[k].sep {
		case '.':
			dotted = true
		case ' ', '-':
			other = true
		case ',':
			return false
		}
	}
	if dotted && other {
		return false
	}
	if sc.groupsAre(items, i, j, '-', 3, 2, 4) {
		return false // the shape of a US SSN, which no phone plan uses
	}
	for k := i; k <= j; k++ {
		it := items[k]
		if it.spelled {
			return false
		}
		size := it.d1 - it.d0
		switch {
		case size >= 2 && size <= 4:
		case size == 1 && (k == i || (cc && k == i+1)):
		case size >= 5 && size <= 8 && k == j && j-i == 1:
		default:
			return false
		}
	}
	return true
}
