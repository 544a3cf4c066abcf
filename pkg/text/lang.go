package text

// Language codes returned by DetectLang.
const (
	LangSpanish = "es"
	LangEnglish = "en"
	LangOther   = "other"
)

// Function words are the cheapest strong evidence of a language: every
// sentence has several, and few are shared between Spanish and English. The
// weight of shared or loaned forms ("no", "me", "a") is zero.
var spanishWords = setOf(`de la que el en y los se del las por un para con una su al lo como mas pero sus le ya
 o este porque esta entre cuando muy sin sobre tambien me hasta hay donde quien desde todo nos durante todos uno les ni
 contra otros ese eso ante ellos esto mi antes algunos unos yo otro otras otra tanto esa estos mucho quienes nada
 muchos cual poco ella estar estas algunas algo nosotros mis tu te ti tus ellas usted ustedes gracias hola buenos buenas
 dias tardes noches favor pues entonces es son soy estoy estamos esta estan tengo tiene tienen hace hacer puede
 puedo quiero necesito llamo llame pedido factura cuenta ahora ayer hoy manana senor senora señor señora vez veces
 bien mal ya si aqui alla cuanto cuando nunca siempre tambien todavia aun sea fue era han ha he hemos esto`)

var englishWords = setOf(`the be to of and in that have it for not on with he as you do at this but his by from they we
 say her she or an will my one all would there their what so up out if about who get which go is are was were can your
 please thanks thank hello hi been has had did does dont cant wont im its thats ive youre theyre our us them me am
 could should just really order account bill yesterday today tomorrow sir madam again because when where why how
 any some other than then also still yet need want call called help issue problem number service time week day`)

// langWords marks, in one map, the function words of each language.
const (
	inSpanish = 1 << iota
	inEnglish
)

var langWords = func() map[string]uint8 {
	m := map[string]uint8{}
	for w := range spanishWords {
		m[w] |= inSpanish
	}
	for w := range englishWords {
		m[w] |= inEnglish
	}
	return m
}()

func setOf(words string) map[string]struct{} {
	m := make(map[string]struct{})
	for _, t := range Tokenize(words) {
		m[t.Norm] = struct{}{}
	}
	return m
}

// DetectLang guesses whether tokens are Spanish or English from function
// words, with the marks only Spanish writes (ñ, ¿, ¡, accents) as a tie
// breaker. It returns LangOther when there is too little evidence, so an
// unknown language is never silently routed to the Spanish or English rules.
func DetectLang(raw string, toks []Token) (lang string, confidence float32) {
	var es, en float32
	for _, t := range toks {
		switch langWords[t.Norm] {
		case inSpanish:
			es++
		case inEnglish:
			en++
		case inSpanish | inEnglish:
			es++
			en++
		}
	}
	// The marks are all two-byte sequences led by 0xC2 or 0xC3, bytes that
	// never continue another sequence, so a byte scan finds exactly the
	// runes a rune loop would.
	for i := 0; i+1 < len(raw); i++ {
		switch raw[i] {
		case 0xC2: // ¿ ¡
			if c := raw[i+1]; c == 0xBF || c == 0xA1 {
				es += 0.5
				i++
			}
		case 0xC3: // ñ Ñ á é í ó ú
			switch raw[i+1] {
			case 0xB1, 0x91, 0xA1, 0xA9, 0xAD, 0xB3, 0xBA:
				es += 0.5
				i++
			}
		}
	}
	total := es + en
	if total < 1 {
		return LangOther, 0
	}
	// A text where both languages score about equally (code switching, names)
	// goes to the larger side only with a clear margin.
	switch {
	case es > en:
		return LangSpanish, (es - en) / total
	case en > es:
		return LangEnglish, (en - es) / total
	}
	return LangOther, 0
}
