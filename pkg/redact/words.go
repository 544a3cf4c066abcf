package redact

import (
	"strings"
	"unicode/utf8"
)

// cue is what a word near a number says the number is.
type cue uint16

const (
	cueCard cue = 1 << iota
	cuePhone
	cuePhoneWeak // "número", "number": a phone unless something else is named
	cueDNI       // Argentina's DNI, or Spain's when the control letter is there
	cueDoc       // an identity document of unnamed kind
	cueNIF       // Spain only
	cueCedula
	cueRUT
	cueCUIT
	cueSSN
	cueCURP
	cueRFC
	cueIBAN
	cueNeg // the number is an order, a ticket, an invoice…: not personal data
)

// flag is a word's role in the cue grammars.
type flag uint32

const (
	fFiller       flag = 1 << iota // skipped when looking for a cue ("de", "mi", "is")
	fAbbrev                        // a following dot does not end the sentence ("Tel.", "Av.")
	fConnector                     // ends an address or a value ("y", "and", "pero")
	fCurrency                      // a number next to it is an amount
	fMeasure                       // a number next to it is a quantity ("3 días", "10 GB")
	fStreet                        // street type written before the name ("calle", "avenida")
	fSuffix                        // street type written after the name ("Street", "Ave")
	fUnit                          // part of an address after the number ("piso", "apt")
	fSecretKey                     // names a secret ("clave", "password", "código")
	fSecretDirect                  // a secret that may follow without a verb ("PIN 1234")
	fSecretQual                    // qualifies a secret ("de verificación", "security")
	fSecretNeg                     // a code that is not a secret ("postal", "promo")
	fVerb                          // "es", "is", "era", "was"
	fStop                          // a word that is not a password ("muy", "wrong")
	fPossessive                    // "mi", "my", "su", "your"
	fAddrVerb                      // "vivo", "live", "resido"
	fAddrNoun                      // "dirección", "address", "domicilio"
	fEmailAt                       // "arroba"
	fEmailDot                      // "punto", "dot"
	fEmailJoin                     // "guion", "underscore": inside a spoken address
	fTLD                           // "com", "es", "net"…
	fCallVerb                      // "llámeme", "call"
)

// wordInfo is what the redactor knows about a folded word.
type wordInfo struct {
	// digits is the value of a spelled number ("cuatro" → "4", "doce" → "12").
	digits string
	// tens is set on "veinte"…"noventa", "twenty"…"ninety": a unit may follow.
	tens bool
	// unit is set on one-digit words, which can complete a tens word.
	unit bool
	// mult is 2 for "doble/double", 3 for "triple".
	mult  uint8
	cue   cue
	flags flag
}

var words = buildWords()

func buildWords() map[string]*wordInfo {
	m := map[string]*wordInfo{}
	get := func(w string) *wordInfo {
		wi := m[w]
		if wi == nil {
			wi = &wordInfo{}
			m[w] = wi
		}
		return wi
	}
	each := func(list string, f func(*wordInfo)) {
		for _, w := range strings.Fields(list) {
			f(get(w))
		}
	}
	units := []string{"cero zero", "uno one", "dos two", "tres three", "cuatro four", "cinco five", "seis six",
		"siete seven", "ocho eight", "nueve nine"}
	for d, ws := range units {
		each(ws, func(wi *wordInfo) { wi.digits, wi.unit = string(rune('0'+d)), true })
	}
	// "oh" is how English speakers read a zero inside a number.
	each("oh", func(wi *wordInfo) { wi.digits, wi.unit = "0", true })
	teens := map[string]string{"diez": "10", "once": "11", "doce": "12", "trece": "13", "catorce": "14",
		"quince": "15", "dieciseis": "16", "diecisiete": "17", "dieciocho": "18", "diecinueve": "19",
		"ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
		"sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
		"veintiuno": "21", "veintidos": "22", "veintitres": "23", "veinticuatro": "24", "veinticinco": "25",
		"veintiseis": "26", "veintisiete": "27", "veintiocho": "28", "veintinueve": "29"}
	for w, d := range teens {
		get(w).digits = d
	}
	tens := []string{"", "", "veinte twenty", "treinta thirty", "cuarenta forty", "cincuenta fifty",
		"sesenta sixty", "setenta seventy", "ochenta eighty", "noventa ninety"}
	for d, ws := range tens {
		each(ws, func(wi *wordInfo) { wi.digits, wi.tens = string(rune('0'+d)), true })
	}
	each("doble double", func(wi *wordInfo) { wi.mult = 2 })
	each("triple", func(wi *wordInfo) { wi.mult = 3 })

	cues := map[cue]string{
		cueCard: "tarjeta tarjetas card visa mastercard amex american credito debito credit debit plastico",
		cuePhone: "telefono telefonos tel tlf tlfno tfno fono celular cel movil whatsapp wsp whats phone cell mobile " +
			"cellphone telephone fijo landline fax contacto contact",
		cuePhoneWeak: "numero number num nro",
		cueDNI:       "dni",
		cueDoc:       "documento document identificacion identidad ci",
		cueNIF:       "nif nie",
		cueCedula:    "cedula cc",
		cueRUT:       "rut run",
		cueCUIT:      "cuit cuil",
		cueSSN:       "ssn social",
		cueCURP:      "curp",
		cueRFC:       "rfc",
		cueIBAN:      "iban",
		cueNeg: "pedido pedidos orden order orders tracking seguimiento guia factura facturas invoice ticket tickets folio " +
			"referencia ref reference caso case expediente confirmacion confirmation reserva booking reservation " +
			"envio shipment paquete package remito albaran serie serial modelo model producto product sku " +
			"contrato contract poliza policy cliente customer socio member transaccion transaction operacion " +
			"incidencia incidente incident reclamo reclamacion queja radicado solicitud request cuenta account " +
			"vuelo flight localizador locator pieza part articulo item lote batch version imei extension ext " +
			"cupon coupon cotizacion quote presupuesto recibo receipt boleta pagare",
	}
	for c, list := range cues {
		each(list, func(wi *wordInfo) { wi.cue |= c })
	}
	flags := map[flag]string{
		fFiller: "numero number num nro no n de del la el los las mi my su sus your es is was era the a al un una me " +
			"of this that this's thats este esta ese esa le lo to at on en para for con with mis our nuestro " +
			"nuestra si yes ok okay ya pues bueno well sorry perdon digo i mean seria would be its it",
		fAbbrev: "tel tlf tfno no nro num n av avda ave st rd dr blvd ref dni cel apt apto depto dpto ext cc c pl " +
			"sr sra mr mrs ms col int",
		fConnector: "y e o u and or pero but porque because por please gracias thanks thank favor cuando when " +
			"que which who si if mientras while donde where",
		fCurrency: "euros euro eur pesos peso dolares dolar dollars dollar usd mxn cop clp ars pen soles sol " +
			"bucks cents centavos centimos mil millones million thousand k",
		fMeasure: "horas hora minutos minuto min mins segundos dias dia semanas semana meses mes anos ano veces vez " +
			"hours hour minutes minute seconds days day weeks week months month years year times gb mb kb tb " +
			"km kg g mg ml cm mm am pm hs hrs unidades units piezas pieces megas gigas",
		fStreet: "calle avenida av avda carrera cra kr cl cll diagonal dg transversal tv pasaje psje paseo plaza " +
			"camino carretera ronda travesia bulevar boulevard blvd calzada privada cerrada callejon jiron autopista " +
			"glorieta",
		fSuffix: "street st avenue ave av road rd boulevard blvd lane ln drive dr court ct way place pl terrace " +
			"parkway pkwy highway hwy circle cir square sq trail",
		fUnit: "piso planta puerta pta depto dpto departamento apto apartamento apt apartment suite ste unit " +
			"int interior oficina bloque portal escalera esc torre local lote manzana mz casa no nro num " +
			"floor fl bis",
		fSecretKey:    "clave contrasena password passcode passwd pin nip codigo code cvv cvc cvv2 token otp passphrase",
		fSecretDirect: "pin nip cvv cvc cvv2 otp",
		fSecretQual: "verificacion seguridad acceso autorizacion dinamica temporal sms otp verification security " +
			"access authorization temporary onetime one time unico solo uso",
		fSecretNeg: "postal zip promo promocional promocion descuento discount cupon coupon error area " +
			"barras bar qr fuente source pais country regalo gift referido referral invitacion invite " +
			"producto product pedido order reserva booking confirmacion confirmation cliente customer " +
			"referencia reference seguimiento tracking rastreo dress vestimenta swift bic",
		fVerb: "es is era was son are sera will",
		fStop: "muy demasiado very too la el los las lo que de en a un una no not si yes correcta correcto incorrecta " +
			"incorrecto wrong incorrect invalid invalida valida valid la misma mismo same igual nueva nuevo new vieja " +
			"viejo old expired caducada caducado vencida vencido bloqueada bloqueado blocked locked secreta secret " +
			"segura seguro safe weak debil fuerte strong simple facil easy hard dificil larga largo long corta " +
			"corto short required obligatoria obligatorio the for para con sin with without mine mia mio " +
			"tuya yours it this that esta este eso esa case sensitive please changed cambiada cambiado reset " +
			"distinta distinto different otra otro another other del de siempre always still todavia ya " +
			"sent enviado enviada por on in at from by ok okay fine bien mal bad good buena bueno what cual " +
			"which how como where donde being siendo going to gonna working funciona funcionando and y or o",
		fPossessive: "mi my su your tu nuestra nuestro our mis sus",
		fAddrVerb:   "vivo vive viven vivimos resido reside live lives living",
		fAddrNoun:   "direccion domicilio address residencia",
		fEmailAt:    "arroba",
		fEmailDot:   "punto dot",
		fEmailJoin:  "guion guionbajo underscore dash hyphen bajo",
		fTLD:        "com net org edu gov gob es mx co cl ar us io info biz uk pe ec uy py bo ve",
		fCallVerb: "llamar llame llameme llamame llamen llamarme llamenme marque marcar marcame call text reach " +
			"contact contactar contactarme escribir escribame",
	}
	for f, list := range flags {
		each(list, func(wi *wordInfo) { wi.flags |= f })
	}
	return m
}

// lookupWord finds the folded form of a word of s: ASCII lower case with
// accents removed and ñ read as n. Words the table does not hold, and words
// too long for any entry, return nil without allocating.
func lookupWord(w string) *wordInfo {
	var buf [24]byte
	n := 0
	for i := 0; i < len(w); {
		c := w[i]
		if c < 0x80 {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if n == len(buf) {
				return nil
			}
			buf[n] = c
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(w[i:])
		f := foldAccent(r)
		if f == 0 {
			return nil
		}
		if n == len(buf) {
			return nil
		}
		buf[n] = f
		n++
		i += size
	}
	return words[string(buf[:n])]
}

// foldAccent maps the accented letters of Spanish (and a few of English
// loanwords) to their base letter; 0 for anything else.
func foldAccent(r rune) byte {
	switch r {
	case 'á', 'à', 'ä', 'â', 'Á', 'À', 'Ä', 'Â':
		return 'a'
	case 'é', 'è', 'ë', 'ê', 'É', 'È', 'Ë', 'Ê':
		return 'e'
	case 'í', 'ì', 'ï', 'î', 'Í', 'Ì', 'Ï', 'Î':
		return 'i'
	case 'ó', 'ò', 'ö', 'ô', 'Ó', 'Ò', 'Ö', 'Ô':
		return 'o'
	case 'ú', 'ù', 'ü', 'û', 'Ú', 'Ù', 'Ü', 'Û':
		return 'u'
	case 'ñ', 'Ñ':
		return 'n'
	case 'º', 'ª':
		return 'o'
	}
	return 0
}
