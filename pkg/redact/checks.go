package redact

// The validators take normalized values: ASCII digits, upper-case letters.
// A check digit is what separates a document number from any other number
// of the same length, so every type that has one is only accepted with it.

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

// luhn reports whether a payment card number's last digit checks.
func luhn(d []byte) bool {
	sum, double := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

func prefixIn(d []byte, lo, hi int, width int) bool {
	if len(d) < width {
		return false
	}
	n := 0
	for _, c := range d[:width] {
		n = n*10 + int(c-'0')
	}
	return n >= lo && n <= hi
}

// cardIssuer reports whether d has the prefix and length of a card network
// that is actually issued. Luhn alone passes one random number in ten; the
// issuer ranges rule out most order and tracking numbers that happen to.
func cardIssuer(d []byte) bool {
	n := len(d)
	if n < 13 || n > 19 {
		return false
	}
	switch {
	case d[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case prefixIn(d, 51, 55, 2), prefixIn(d, 2221, 2720, 4): // Mastercard
		return n == 16
	case prefixIn(d, 34, 34, 2), prefixIn(d, 37, 37, 2): // American Express
		return n == 15
	case prefixIn(d, 6011, 6011, 4), prefixIn(d, 644, 649, 3), prefixIn(d, 65, 65, 2), prefixIn(d, 62, 62, 2): // Discover, UnionPay
		return n >= 16
	case prefixIn(d, 3528, 3589, 4): // JCB
		return n >= 16
	case prefixIn(d, 300, 305, 3), prefixIn(d, 36, 36, 2), prefixIn(d, 38, 39, 2): // Diners
		return n >= 14
	case prefixIn(d, 2200, 2204, 4): // Mir
		return n >= 16
	}
	for _, p := range [...]string{"5018", "5020", "5038", "5893", "6304", "6759", "6761", "6762", "6763"} { // Maestro
		if string(d[:4]) == p {
			return true
		}
	}
	return false
}

// ibanLengths are the IBAN lengths of the countries vigia's customers bank
// in most; an IBAN of another country is not recognized.
var ibanLengths = map[string]int{
	"AD": 24, "AT": 20, "BE": 16, "BG": 22, "BR": 29, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
	"EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26,
	"IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25,
	"RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "CR": 22, "GT": 28, "SV": 28,
}

// ibanValid checks the ISO 13616 mod-97 of an upper-case IBAN without spaces.
func ibanValid(v []byte) bool {
	want, ok := ibanLengths[string(v[:min(2, len(v))])]
	if !ok || len(v) != want || !isDigit(v[2]) || !isDigit(v[3]) {
		return false
	}
	rem := 0
	add := func(c byte) bool {
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case isUpper(c):
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
		return true
	}
	for _, c := range v[4:] {
		if !add(c) {
			return false
		}
	}
	for _, c := range v[:4] {
		if !add(c) {
			return false
		}
	}
	return rem == 1
}

const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

// dniLetter is the control letter of a Spanish DNI number (or of a NIE after
// its X/Y/Z prefix is replaced by 0/1/2).
func dniLetter(d []byte) byte {
	n := 0
	for _, c := range d {
		n = n*10 + int(c-'0')
	}
	return dniLetters[n%23]
}

// nieValid checks X/Y/Z + 7 digits + control letter.
func nieValid(v []byte) bool {
	if len(v) != 9 || !allDigits(v[1:8]) {
		return false
	}
	var d [8]byte
	switch v[0] {
	case 'X':
		d[0] = '0'
	case 'Y':
		d[0] = '1'
	case 'Z':
		d[0] = '2'
	default:
		return false
	}
	copy(d[1:], v[1:8])
	return dniLetter(d[:]) == v[8]
}

// rutDV is the Chilean RUT/RUN check character (mod 11, 10 is K).
func rutDV(d []byte) byte {
	sum, w := 0, 2
	for i := len(d) - 1; i >= 0; i-- {
		sum += int(d[i]-'0') * w
		w++
		if w > 7 {
			w = 2
		}
	}
	switch r := 11 - sum%11; r {
	case 11:
		return '0'
	case 10:
		return 'K'
	default:
		return byte('0' + r)
	}
}

// cuitValid checks an Argentine CUIT/CUIL: type prefix and mod-11 digit.
func cuitValid(d []byte) bool {
	if len(d) != 11 || !allDigits(d) {
		return false
	}
	switch string(d[:2]) {
	case "20", "23", "24", "25", "26", "27", "30", "33", "34":
	default:
		return false
	}
	weights := [10]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i, w := range weights {
		sum += int(d[i]-'0') * w
	}
	dv := 11 - sum%11
	switch dv {
	case 11:
		dv = 0
	case 10:
		// AFIP never issues a number whose digit would be 10: it changes
		// the prefix to 23/33 instead.
		return false
	}
	return int(d[10]-'0') == dv
}

// ssnValid checks the ranges the Social Security Administration assigns:
// no area 000, 666 or 900-999, no group 00, no serial 0000.
func ssnValid(d []byte) bool {
	if len(d) != 9 || !allDigits(d) {
		return false
	}
	area := int(d[0]-'0')*100 + int(d[1]-'0')*10 + int(d[2]-'0')
	if area == 0 || area == 666 || area >= 900 {
		return false
	}
	if d[3] == '0' && d[4] == '0' {
		return false
	}
	return string(d[5:]) != "0000"
}

func twoDigits(b []byte) int { return int(b[0]-'0')*10 + int(b[1]-'0') }

// validYYMMDD checks the date inside CURP and RFC.
func validYYMMDD(b []byte) bool {
	if !allDigits(b[:6]) {
		return false
	}
	m, d := twoDigits(b[2:4]), twoDigits(b[4:6])
	days := [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	return m >= 1 && m <= 12 && d >= 1 && d <= days[m]
}

// curpStates are the birth-state codes of a CURP (NE: born abroad).
var curpStates = map[string]bool{
	"AS": true, "BC": true, "BS": true, "CC": true, "CL": true, "CM": true, "CS": true, "CH": true, "DF": true,
	"DG": true, "GT": true, "GR": true, "HG": true, "JC": true, "MC": true, "MN": true, "MS": true, "NT": true,
	"NL": true, "OC": true, "PL": true, "QT": true, "QR": true, "SP": true, "SL": true, "SR": true, "TC": true,
	"TS": true, "TL": true, "VZ": true, "YN": true, "ZS": true, "NE": true,
}

// curpValue is a character's value in RENAPO's alphabet 0-9 A-N Ñ O-Z.
func curpValue(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'A' && c <= 'N':
		return int(c-'A') + 10
	case c >= 'O' && c <= 'Z':
		return int(c-'O') + 25 // Ñ sits between N and O
	}
	return -1
}

func isVowelX(c byte) bool {
	switch c {
	case 'A', 'E', 'I', 'O', 'U', 'X':
		return true
	}
	return false
}

func isConsonant(c byte) bool { return isUpper(c) && !isVowelX(c) || c == 'X' }

// curpValid checks a Mexican CURP: structure, birth date, state and the
// check digit (RENAPO's weighted sum over the first 17 characters).
func curpValid(v []byte) bool {
	if len(v) != 18 {
		return false
	}
	for i := 0; i < 4; i++ {
		if !isUpper(v[i]) {
			return false
		}
	}
	if !isVowelX(v[1]) || !validYYMMDD(v[4:10]) || (v[10] != 'H' && v[10] != 'M' && v[10] != 'X') ||
		!curpStates[string(v[11:13])] {
		return false
	}
	for i := 13; i < 16; i++ {
		if !isConsonant(v[i]) {
			return false
		}
	}
	if !isDigit(v[16]) && !isUpper(v[16]) || !isDigit(v[17]) {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += curpValue(v[i]) * (18 - i)
	}
	return int(v[17]-'0') == (10-sum%10)%10
}

func rfcValue(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'A' && c <= 'N':
		return int(c-'A') + 10
	case c == '&':
		return 24
	case c >= 'O' && c <= 'Z':
		return int(c-'O') + 25
	case c == ' ':
		return 37
	}
	return -1
}

// rfcShape checks a Mexican RFC's structure: 4 letters (3 for companies),
// a valid YYMMDD date and a 3-character homoclave.
func rfcShape(v []byte) bool {
	if len(v) != 12 && len(v) != 13 {
		return false
	}
	nl := len(v) - 9
	for _, c := range v[:nl] {
		if !isUpper(c) && c != '&' {
			return false
		}
	}
	if !validYYMMDD(v[nl : nl+6]) {
		return false
	}
	for _, c := range v[nl+6:] {
		if !isUpper(c) && !isDigit(c) {
			return false
		}
	}
	return true
}

// rfcCheck verifies the SAT check character (mod 11) of an RFC whose shape
// is valid; companies' 12-character RFCs are padded with a leading space.
func rfcCheck(v []byte) bool {
	var buf [13]byte
	src := v
	if len(v) == 12 {
		buf[0] = ' '
		copy(buf[1:], v)
		src = buf[:]
	}
	sum := 0
	for i := 0; i < 12; i++ {
		x := rfcValue(src[i])
		if x < 0 {
			return false
		}
		sum += x * (13 - i)
	}
	var want byte
	switch r := sum % 11; r {
	case 0:
		want = '0'
	case 1:
		want = 'A'
	default:
		want = byte('0' + 11 - r)
	}
	return src[12] == want
}
