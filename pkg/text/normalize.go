// Package text holds the normalization and tokenization every stage shares,
// so that a phrase in a rule file and the same phrase in a customer's chat
// fold to the same tokens.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns the text as vigia stores it: valid UTF-8, Unicode NFC,
// line endings unified, control characters other than newline and tab
// removed, surrounding space trimmed. It never changes words, so what an
// analyst reads is what the customer wrote (minus redactions).
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return nfcTrim(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				continue
			}
			b.WriteByte('\n')
		case (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f:
			// dropped: control characters carry no meaning and break terminals.
		default:
			b.WriteByte(c)
		}
	}
	return nfcTrim(b.String())
}

// nfcTrim composes after control characters are gone, since removing one can
// bring a base letter and a combining mark together.
func nfcTrim(s string) string {
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	return strings.TrimSpace(s)
}

// foldRune lower-cases r and removes diacritics, except ñ which is a letter of
// its own in Spanish ("año" is not "ano"). ok is false for runes that are not
// part of a word.
func foldRune(r rune) (folded rune, ok bool) {
	if r < utf8.RuneSelf {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r, true
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A'), true
		}
		return r, false
	}
	switch r {
	case 'á', 'à', 'ä', 'â', 'ã', 'Á', 'À', 'Ä', 'Â', 'Ã':
		return 'a', true
	case 'é', 'è', 'ë', 'ê', 'É', 'È', 'Ë', 'Ê':
		return 'e', true
	case 'í', 'ì', 'ï', 'î', 'Í', 'Ì', 'Ï', 'Î':
		return 'i', true
	case 'ó', 'ò', 'ö', 'ô', 'õ', 'Ó', 'Ò', 'Ö', 'Ô', 'Õ':
		return 'o', true
	case 'ú', 'ù', 'ü', 'û', 'Ú', 'Ù', 'Ü', 'Û':
		return 'u', true
	case 'ñ', 'Ñ':
		return 'ñ', true
	case 'ç', 'Ç':
		return 'c', true
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return unicode.ToLower(r), true
	}
	return r, false
}

// Fold returns the matching form of a phrase: lower case, accents removed
// (ñ kept), apostrophes dropped, letter runs of three or more collapsed, chat
// spellings expanded, tokens joined by single spaces. Rule files and lexicons
// are folded with it so they match Tokenize's output.
func Fold(s string) string {
	toks := Tokenize(s)
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.Norm
	}
	return strings.Join(parts, " ")
}
