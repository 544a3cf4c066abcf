package redact

import "strings"

const maxAddressTokens = 16

// findAddresses finds street addresses in three shapes:
//   - after a cue ("vivo en", "mi dirección es", "my address is", "I live
//     at", "Dirección:"), to the end of the clause, if what follows has a
//     house number;
//   - a street type, a name and a number ("calle Mayor 12, 3º B",
//     "Carrera 7 # 32-16", "Av. Insurgentes Sur 1602");
//   - a number, a name and a street type ("742 Evergreen Terrace",
//     "1600 Pennsylvania Ave NW, Apt 2").
func (sc *scanner) findAddresses() {
	for k := 0; k < len(sc.toks); k++ {
		if sc.taken[k] || sc.toks[k].kind == kHold {
			continue
		}
		if from, ok := sc.addressCue(k); ok {
			if end, ok := sc.cuedAddress(from); ok {
				k = end
				continue
			}
		}
		if end, ok := sc.streetFirst(k); ok {
			k = end
			continue
		}
		if end, ok := sc.numberFirst(k); ok {
			k = end
		}
	}
}

func (sc *scanner) wordIs(k int, ws ...string) bool {
	if k < 0 || k >= len(sc.toks) || sc.toks[k].kind != kWord {
		return false
	}
	t := sc.text(k)
	for _, w := range ws {
		if strings.EqualFold(t, w) {
			return true
		}
	}
	return false
}

// addressCue reports whether a cue starts at token k and where the address
// would begin.
func (sc *scanner) addressCue(k int) (int, bool) {
	t := sc.toks[k]
	if t.kind != kWord || t.w == nil {
		return 0, false
	}
	switch {
	case t.w.flags&fAddrVerb != 0:
		// "vivo en", "resido en", "I live at/on"
		if sc.wordIs(k+1, "en", "at", "on", "in") && sc.onlySpaces(k+1) && sc.onlySpaces(k+2) {
			return k + 2, true
		}
	case t.w.flags&fAddrNoun != 0:
		// "mi dirección es", "la dirección de envío es", "my home address is", "Dirección:"
		i := k + 1
		for n := 0; n < 3 && i < len(sc.toks) && !strings.Contains(sc.gapBefore(i), ":"); n++ {
			if !sc.wordIs(i, "de", "del", "of", "envio", "envío", "entrega", "facturacion", "facturación", "shipping",
				"billing", "delivery", "mailing", "home", "nueva", "new", "actual", "current", "correcta", "correct", "exacta") {
				break
			}
			i++
		}
		if i < len(sc.toks) && strings.Contains(sc.gapBefore(i), ":") && !strings.ContainsAny(sc.gapBefore(i), "\n") {
			return i, true
		}
		if sc.isWord(i, fVerb) && i+1 < len(sc.toks) && !sc.endsSentence(sc.gapAfter(i), i) {
			return i + 1, true
		}
	}
	return 0, false
}

// stopsAddress reports whether token i ends an address: a connector, a word
// that names another kind of value, or anything already found.
func (sc *scanner) stopsAddress(i int) bool {
	t := sc.toks[i]
	if sc.taken[i] || t.kind == kHold {
		return true
	}
	if t.kind != kWord || t.w == nil || (i > 0 && sc.toks[i-1].end == t.start) {
		return false // a letter glued to a number ("3º", "12B") is part of it
	}
	if t.w.flags&(fConnector|fEmailAt|fCallVerb|fSecretKey|fVerb) != 0 {
		return true
	}
	return t.w.cue&^(cuePhoneWeak|cueNeg) != 0
}

// addressBreak reports whether the clause ends before token i: at a
// sentence end or a parenthesis or quote. Commas go on ("Calle Mayor 12,
// 3º B, Madrid"); stopsAddress ends an address at the words after them.
func (sc *scanner) addressBreak(i int) bool {
	g := sc.gapBefore(i)
	return sc.endsSentence(g, i-1) || strings.ContainsAny(g, "()\"“”")
}

func (sc *scanner) cuedAddress(from int) (int, bool) {
	if from >= len(sc.toks) {
		return 0, false
	}
	end, hasNum := -1, false
	for i := from; i < len(sc.toks) && i-from < maxAddressTokens; i++ {
		if i > from && sc.addressBreak(i) {
			break
		}
		if sc.stopsAddress(i) {
			break
		}
		if sc.houseNumber(i) {
			hasNum = true
		}
		end = i
	}
	if end < 0 || !hasNum {
		return 0, false
	}
	sc.claimAddress(from, end)
	return end, true
}

func (sc *scanner) claimAddress(from, end int) {
	var b []byte
	for i := from; i <= end; i++ {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = appendFolded(b, sc.text(i))
	}
	sc.claim(sc.toks[from].start, sc.toks[end].end, kAddress, b)
}

// appendFolded appends s lower-cased, accents removed, for hashing.
func appendFolded(dst []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r < 0x80:
			c := byte(r)
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
		case foldAccent(r) != 0:
			dst = append(dst, foldAccent(r))
		default:
			dst = append(dst, string(r)...)
		}
	}
	return dst
}

// houseNumber reports whether token i can be the number of a building: one
// to five digits, maybe with a letter or ordinal glued on ("12B", "3º").
func (sc *scanner) houseNumber(i int) bool {
	if i >= len(sc.toks) || sc.taken[i] || sc.toks[i].kind != kNum {
		return false
	}
	t := sc.toks[i]
	if t.end-t.start > 5 || (i > 0 && sc.toks[i-1].end == t.start) {
		return false
	}
	if i+1 < len(sc.toks) {
		n := sc.toks[i+1]
		g := sc.gapAfter(i)
		if g == "" && n.end-n.start > 3 {
			return false // "10am", "3kg" are glued longer
		}
		if (g == "" || isSpace(g)) && n.kind == kWord && n.w != nil && n.w.flags&(fMeasure|fCurrency) != 0 {
			return false
		}
		if strings.HasPrefix(strings.TrimLeft(g, " "), "%") || strings.HasPrefix(g, ":") {
			return false
		}
	}
	return true
}

// addressTail extends an address over what follows its number: "# 10-20",
// "-20", "piso 3", "apt 4B", ", 3º B", "bis", glued letters.
func (sc *scanner) addressTail(end int) int {
	for n := 0; n < 6 && end+1 < len(sc.toks); n++ {
		i := end + 1
		if sc.taken[i] || sc.toks[i].kind == kHold {
			break
		}
		g := sc.gapBefore(i)
		t := sc.toks[i]
		switch {
		case g == "":
			if t.kind == kWord && t.end-t.start > 3 {
				return end
			}
			end = sc.side(i) // "12B", "3º", "3º izquierda"
		case (g == "-" || g == " - " || strings.TrimSpace(g) == "#" || strings.TrimSpace(g) == "-#") && t.kind == kNum && t.end-t.start <= 4:
			end = i
		case (isSpace(g) || strings.TrimSpace(g) == ",") && t.kind == kWord && t.w != nil && t.w.flags&fUnit != 0:
			if i+1 < len(sc.toks) && !sc.taken[i+1] && sc.toks[i+1].kind != kHold && !sc.endsSentence(sc.gapAfter(i), i) &&
				(sc.toks[i+1].kind == kNum || sc.toks[i+1].end-sc.toks[i+1].start <= 2) {
				end = i + 1
			} else {
				return end
			}
		case strings.TrimSpace(g) == "," && t.kind == kNum && t.end-t.start <= 2 && i+1 < len(sc.toks) &&
			sc.toks[i+1].start == t.end && sc.toks[i+1].end-sc.toks[i+1].start <= 2:
			end = sc.side(i + 1) // ", 3º", ", 3º izquierda"
		case isSpace(g) && sc.wordIs(i, "NW", "NE", "SW", "SE", "N", "S", "E", "W") && isUpper(sc.s[t.start]) &&
			sc.toks[end].kind == kWord && sc.toks[end].w != nil && sc.toks[end].w.flags&fSuffix != 0:
			end = i // "Ave NW"
		case isSpace(g) && t.kind == kWord && t.end-t.start == 1 && isUpper(sc.s[t.start]) &&
			(sc.toks[end].kind == kNum || sc.toks[end-1].kind == kNum && sc.toks[end-1].end == sc.toks[end].start):
			end = i // "12 B", "3º B"
		default:
			return end
		}
	}
	return end
}

// side extends an address over the side of the landing after a floor
// ("2º izquierda", "3º dcha").
func (sc *scanner) side(end int) int {
	if end+1 < len(sc.toks) && isSpace(sc.gapAfter(end)) && !sc.taken[end+1] &&
		sc.wordIs(end+1, "izquierda", "izda", "izq", "derecha", "dcha", "dch", "centro", "exterior", "interior") {
		return end + 1
	}
	return end
}

// streetFirst: a street type, up to four name words, the number.
func (sc *scanner) streetFirst(k int) (int, bool) {
	t := sc.toks[k]
	street := t.kind == kWord && t.w != nil && t.w.flags&fStreet != 0
	if !street && sc.wordIs(k, "c") && strings.HasPrefix(sc.gapAfter(k), "/") {
		street = true // "C/ Mayor 12"
	}
	if !street || (k > 0 && sc.toks[k-1].end == t.start) {
		return 0, false
	}
	for i, names := k+1, 0; i < len(sc.toks) && names <= 4; i++ {
		if sc.addressBreak(i) || sc.stopsAddress(i) {
			return 0, false
		}
		if sc.houseNumber(i) {
			if names == 0 && i+1 < len(sc.toks) && sc.houseNumber(i+1) {
				// "Calle 80 # 10-20" is fine; "calle 3 4" is not an address
				if g := strings.TrimSpace(sc.gapAfter(i)); g != "#" && g != "-" {
					return 0, false
				}
			}
			end := sc.addressTail(i)
			sc.claimAddress(k, end)
			return end, true
		}
		if sc.toks[i].kind != kWord {
			return 0, false
		}
		names++
	}
	return 0, false
}

// numberFirst: the number, one to four capitalized name words, the street
// type ("742 Evergreen Terrace").
func (sc *scanner) numberFirst(k int) (int, bool) {
	if !sc.houseNumber(k) {
		return 0, false
	}
	for i, names := k+1, 0; i < len(sc.toks) && names <= 4; i++ {
		if sc.addressBreak(i) || sc.taken[i] {
			return 0, false
		}
		t := sc.toks[i]
		if t.kind != kWord || !isUpper(sc.s[t.start]) {
			return 0, false
		}
		if names > 0 && t.w != nil && t.w.flags&fSuffix != 0 {
			end := sc.addressTail(i)
			sc.claimAddress(k, end)
			return end, true
		}
		names++
	}
	return 0, false
}
