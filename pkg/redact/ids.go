package redact

// findIDs finds the identifiers that mix letters and digits: IBANs, CURPs,
// RFCs, Spanish NIEs and DNIs written with their letter glued on. Each has a
// check (mod 97, a check digit, a control letter or a date), which is what
// tells them from product and tracking codes of the same shape.
func (sc *scanner) findIDs() {
	for k := 0; k < len(sc.toks); k++ {
		if sc.taken[k] || sc.toks[k].kind == kHold {
			continue
		}
		if k > 0 && sc.toks[k-1].end == sc.toks[k].start && sc.toks[k-1].kind != kHold {
			continue // not the start of a compound
		}
		if end, ok := sc.iban(k); ok {
			k = end
			continue
		}
		if end, ok := sc.compoundID(k); ok {
			k = end
			continue
		}
		if end, ok := sc.nie(k); ok {
			k = end
			continue
		}
		if end, ok := sc.spacedRFC(k); ok {
			k = end
		}
	}
}

// compound returns the last token of the run of glued tokens from k and
// whether it is all ASCII letters and digits.
func (sc *scanner) compound(k int) (end int, ascii bool) {
	end = k
	for end+1 < len(sc.toks) && sc.toks[end+1].start == sc.toks[end].end && sc.toks[end+1].kind != kHold {
		end++
	}
	ascii = true
	for _, c := range []byte(sc.s[sc.toks[k].start:sc.toks[end].end]) {
		if !isASCIILetter(c) && !isDigit(c) {
			ascii = false
			break
		}
	}
	return end, ascii
}

// upper appends the ASCII letters and digits of s in upper case.
func upper(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			dst = append(dst, c-('a'-'A'))
		case isUpper(c) || isDigit(c):
			dst = append(dst, c)
		}
	}
	return dst
}

// iban reads an IBAN from token k, written in one piece or in groups
// separated by single spaces or dashes ("ES91 2100 0418 4502 0005 1332").
func (sc *scanner) iban(k int) (int, bool) {
	t := sc.toks[k]
	if t.kind != kWord || t.end-t.start != 2 || !isASCIILetter(sc.s[t.start]) || !isASCIILetter(sc.s[t.start+1]) ||
		k+1 >= len(sc.toks) || sc.toks[k+1].kind != kNum || sc.toks[k+1].start != t.end || sc.toks[k+1].end-t.end < 2 {
		return 0, false
	}
	cc := [2]byte{sc.s[t.start] &^ 0x20, sc.s[t.start+1] &^ 0x20}
	want, ok := ibanLengths[string(cc[:])]
	if !ok {
		return 0, false
	}
	v := sc.buf[:0]
	for i := k; i < len(sc.toks); i++ {
		if i > k {
			g := sc.gapBefore(i)
			if g != "" && g != " " && g != "-" {
				return 0, false
			}
		}
		if sc.taken[i] || sc.toks[i].kind == kHold {
			return 0, false
		}
		v = upper(v, sc.text(i))
		if len(v) == want {
			// The IBAN must end here, not run on into a longer code.
			if i+1 < len(sc.toks) && sc.toks[i+1].start == sc.toks[i].end {
				return 0, false
			}
			sc.buf = v
			if !ibanValid(v) {
				return 0, false
			}
			sc.claim(t.start, sc.toks[i].end, kIBAN, v)
			return i, true
		}
		if len(v) > want {
			return 0, false
		}
	}
	return 0, false
}

// compoundID checks a glued run of letters and digits: an 18-character CURP,
// a 12-13-character RFC (its check character, or a cue word, is required:
// the shape alone matches many codes), or a DNI with its letter.
func (sc *scanner) compoundID(k int) (int, bool) {
	end, ascii := sc.compound(k)
	if !ascii || end == k {
		return 0, false
	}
	start, stop := sc.toks[k].start, sc.toks[end].end
	v := upper(sc.buf[:0], sc.s[start:stop])
	sc.buf = v
	switch {
	case len(v) == 18 && curpValid(v):
		sc.claim(start, stop, kCURP, v)
		return end, true
	case (len(v) == 12 || len(v) == 13) && rfcShape(v) && (rfcCheck(v) || sc.cueBefore(k)&cueRFC != 0):
		sc.claim(start, stop, kRFC, v)
		return end, true
	case len(v) == 9 && allDigits(v[:8]) && sc.toks[k].kind == kNum && dniLetter(v[:8]) == v[8]:
		sc.claim(start, stop, kIDES, v)
		return end, true
	case len(v) == 9 && nieValid(v):
		sc.claim(start, stop, kIDES, v)
		return end, true
	}
	return 0, false
}

// nie reads a NIE written in parts: "X-1234567-L", "X 1234567 L".
func (sc *scanner) nie(k int) (int, bool) {
	if k+2 >= len(sc.toks) {
		return 0, false
	}
	a, b, c := sc.toks[k], sc.toks[k+1], sc.toks[k+2]
	if a.kind != kWord || a.end-a.start != 1 || b.kind != kNum || b.end-b.start != 7 || c.kind != kWord || c.end-c.start != 1 ||
		sc.taken[k+1] || sc.taken[k+2] {
		return 0, false
	}
	if k+3 < len(sc.toks) && sc.toks[k+3].start == c.end {
		return 0, false
	}
	g1, g2 := sc.gapAfter(k), sc.gapAfter(k+1)
	okGap := func(g string) bool { return g == "" || g == "-" || g == " " }
	if !okGap(g1) || !okGap(g2) || (g1 == "" && g2 == "") {
		return 0, false
	}
	if (g1 == " " || g2 == " ") && (!isUpper(sc.s[a.start]) || !isUpper(sc.s[c.start])) {
		return 0, false
	}
	v := upper(sc.buf[:0], sc.s[a.start:a.end])
	v = append(v, sc.s[b.start:b.end]...)
	v = upper(v, sc.s[c.start:c.end])
	sc.buf = v
	if !nieValid(v) {
		return 0, false
	}
	sc.claim(a.start, c.end, kIDES, v)
	return k + 2, true
}

// spacedRFC reads an RFC written in three parts: "GODE-561231-GR8",
// "GODE 561231 GR8".
func (sc *scanner) spacedRFC(k int) (int, bool) {
	e1, ok1 := sc.compound(k)
	if !ok1 || sc.toks[k].kind != kWord || e1 != k || e1+1 >= len(sc.toks) {
		return 0, false
	}
	k2 := e1 + 1
	e2, ok2 := sc.compound(k2)
	if !ok2 || e2 != k2 || sc.toks[k2].kind != kNum || e2+1 >= len(sc.toks) {
		return 0, false
	}
	k3 := e2 + 1
	e3, ok3 := sc.compound(k3)
	if !ok3 {
		return 0, false
	}
	g1, g2 := sc.gapAfter(e1), sc.gapAfter(e2)
	if g1 != g2 || (g1 != "-" && g1 != " ") {
		return 0, false
	}
	if !sc.free(k, e3) {
		return 0, false
	}
	start, stop := sc.toks[k].start, sc.toks[e3].end
	v := upper(sc.buf[:0], sc.s[start:stop])
	sc.buf = v
	if !rfcShape(v) {
		return 0, false
	}
	if g1 == " " && sc.s[sc.toks[k].start:sc.toks[k].end] != string(v[:sc.toks[k].end-sc.toks[k].start]) {
		return 0, false // spaced parts must be written in capitals
	}
	if !rfcCheck(v) && sc.cueBefore(k)&cueRFC == 0 {
		return 0, false
	}
	sc.claim(start, stop, kRFC, v)
	return e3, true
}
