package main

import "fmt"

// handPositives are one-off sentences, each used once, written to be
// harder than the templates: other numbers nearby, odd punctuation,
// values at the start or end, speech-to-text spellings, code switching.
func handPositives(add func(lang, text string, vals ...value)) {
	one := func(lang, typ, format, v string) { add(lang, fmt.Sprintf(format, v), value{typ, v}) }
	c := func() string { return card() }
	one("es", "CARD", "ok le paso los datos... %s, la fecha 03/29 y el cvv ya se lo digo luego", group(c(), []int{4, 4, 4}, " "))
	one("es", "CARD", "%s <- esa es la tarjeta", c())
	one("es", "CARD", "Tarjeta:%s", group(c(), []int{4, 4, 4}, "-"))
	one("es", "CARD", "el numero de mi tarjeta de credito es %s gracias", spell(c(), "es", true))
	one("en", "CARD", "ok so the card is %s and the expiration is oh nine twenty eight", spell(c(), "en", false))
	one("en", "CARD", "Please charge (%s) for both orders", group(c(), []int{4, 4, 4}, " "))
	one("en", "CARD", "I think it's %s? let me check", c())
	one("en", "CARD", "new card: %s.", group(c(), []int{4, 4, 4}, "-"))
	one("es", "EMAIL", "CORREO: %s", "ANA.LOPEZ33@EXAMPLE.COM")
	one("es", "EMAIL", "(%s)", "pablo.ortega+facturas@ejemplo.mx")
	one("es", "EMAIL", "mándalo a %s, es el del trabajo", "sofia.m@correo.example.es")
	one("en", "EMAIL", "email: %s.", "k.smith@mail.example.org")
	one("en", "EMAIL", "my e-mail is %s", "tom_baker77 at example dot com")
	one("es", "EMAIL", "es %s", "diego punto v arroba ejemplo punto com punto ar")
	one("es", "PHONE", "Mi whatsapp es %s", "+52 1 55 1234 5678")
	one("es", "PHONE", "llámeme al %s o al fijo", "612-34-56-78")
	one("es", "PHONE", "tel. %s", "91 123 45 67")
	one("es", "PHONE", "Me pueden llamar al %s en la tarde", "(55) 5123-4567")
	one("es", "PHONE", "el celular de mi esposo es el %s", "+57 310 555 0192")
	one("es", "PHONE", "%s es mi móvil", "654 321 098")
	one("es", "PHONE", "mi número es el %s", "seis cinco cuatro, treinta y dos, diez, noventa y ocho")
	one("es", "PHONE", "celu %s", "11 15 4455 6677")
	one("es", "PHONE", "Teléfono de contacto: %s", "+56 2 2345 6789")
	one("es", "PHONE", "marque al %s", "0341 456-7890")
	one("en", "PHONE", "you can text me at %s anytime", "646.555.0148")
	one("en", "PHONE", "my cell is %s", "2125550173")
	one("en", "PHONE", "call %s and ask for Ann", "+1 (312) 555-0199")
	one("en", "PHONE", "number's %s", "four one five, five five five, oh one two three")
	one("en", "PHONE", "phone: %s / email below", "303-555-0110")
	one("es", "IBAN", "transfieran a %s por favor", "ES7921000813610123456789")
	one("es", "IBAN", "la cuenta es %s (Santander)", "ES91 2100 0418 4502 0005 1332")
	one("en", "IBAN", "my IBAN: %s", "GB82 WEST 1234 5698 7654 32")
	one("en", "IBAN", "%s is my account", "DE89370400440532013000")
	one("es", "ID_ES", "DNI: %s", "00000000T")
	one("es", "ID_ES", "el dni de mi padre es %s, está a su nombre", "12345678Z")
	one("es", "ID_ES", "NIF %s", "87654321X")
	one("es", "ID_ES", "mi nie es %s", "Y1234567X")
	one("es", "CURP", "curp: %s", "BOXW310820HNERXN09")
	one("es", "CURP", "Le dicto la CURP %s", curp())
	one("es", "RFC", "RFC %s, régimen 612", rfc())
	one("es", "RFC", "mi rfc es %s", "GODE561231GR8")
	one("es", "RUT", "rut %s", rut(false))
	one("es", "RUT", "Mi RUN es %s y mi teléfono no lo tengo a mano", rut(true))
	one("es", "RUT", "a nombre de la empresa, RUT %s", rut(false))
	one("es", "CUIT", "CUIT: %s", "20-12345678-6")
	one("es", "CUIT", "el cuil de mi mamá es %s", "27123456780")
	one("es", "DNI_AR", "DNI %s, a nombre de Juana", "28.456.789")
	one("es", "DNI_AR", "mi documento es el %s", "35123456")
	one("es", "CEDULA_CO", "cédula de ciudadanía %s", "1.020.304.050")
	one("es", "CEDULA_CO", "CC %s", "80123456")
	one("es", "CEDULA_CO", "con la c.c. %s de Medellín", "43.567.890")
	one("en", "SSN", "SSN: %s", "078-05-1120")
	one("en", "SSN", "my social security number is %s", "219 09 9999")
	one("en", "SSN", "last thing, ssn %s", "536903001")
	one("es", "ADDRESS", "la dirección es %s, Bogotá", "Calle 93 # 11-26")
	one("es", "ADDRESS", "Vivo en la %s, cerca del metro", "Avenida Reforma 222, piso 4")
	one("es", "ADDRESS", "el paquete va a %s", "C/ Alcalá 45, 2º izquierda")
	one("es", "ADDRESS", "mi domicilio es %s", "Carrera 7 No. 32-16")
	one("es", "ADDRESS", "Dirección: %s", "Av. Insurgentes Sur 1602, int 5")
	one("en", "ADDRESS", "I live at %s", "1600 Pennsylvania Ave NW")
	one("en", "ADDRESS", "my address is %s, Austin TX", "4521 Oak Hollow Rd, Apt 12B")
	one("en", "ADDRESS", "send the technician to %s", "88 Juniper Way")
	one("en", "ADDRESS", "deliver to %s please", "210 Harbor View Dr, Suite 300")
	one("es", "SECRET", "mi clave de internet es %s", "Perro.Azul77")
	one("es", "SECRET", "el código de verificación: %s", "558102")
	one("es", "SECRET", "me llegó un código, %s", "cuatro ocho uno cinco")
	one("es", "SECRET", "la contraseña del wifi es %s", "casa2024")
	one("es", "SECRET", "PIN: %s", "9921")
	one("en", "SECRET", "the OTP is %s", "730215")
	one("en", "SECRET", "pass code is %s", "X7k9Q2")
	one("en", "SECRET", "my password's %s", "sunflower88")
	one("en", "SECRET", "the code you sent me is %s", "six one four nine")
	one("en", "SECRET", "CVV %s", "318")
}

// handNegatives are one-off sentences with numbers that are none of the
// redacted types.
func handNegatives(neg func(lang, note, text string)) {
	for _, n := range []struct{ lang, text string }{
		{"es", "El pedido 100045678 y el 100045679 llegaron juntos."},
		{"es", "Mi pedido es el #4001-2233-9988, lo hice el 2 de noviembre."},
		{"es", "Son 3 cuotas de 1.299,90 € cada una."},
		{"es", "La factura FAC-2026/00871 no coincide con el albarán 55821."},
		{"es", "Han pasado 45 minutos y sigo en espera, es el tercer intento."},
		{"es", "Hice la recarga de 200 pesos a las 18:45."},
		{"es", "El número de serie es SN 4C0A-99F1-2B7E."},
		{"es", "La referencia de pago es 7000 1234 5678 9012 3."},
		{"es", "Ya llamé al 1004 y al 1414 y nada."},
		{"es", "Tengo 2 líneas: una de 15 GB y otra de 40 GB."},
		{"es", "me llegó el cargo 2 veces, el 01/11 y el 02/11"},
		{"es", "El expediente 2026/004512 sigue abierto."},
		{"es", "El técnico vino entre las 9 y las 14 horas."},
		{"es", "Cambié de plan el 15-10-2026 y me siguen cobrando el anterior."},
		{"es", "El código QR no funciona en la sucursal 305."},
		{"es", "El ticket 98765432 ya estaba cerrado."},
		{"es", "En 2024 pagaba 350 y ahora 520, un 48% más."},
		{"es", "La caja registradora marcó 1.234.567 puntos acumulados."},
		{"es", "Me cortaron el servicio el día 5 a las 8 de la mañana."},
		{"es", "Mi hijo de 12 años usa la tablet 8 horas al día."},
		{"es", "La oferta era 3x2 en la tienda 1207 de la calle principal."},
		{"es", "El router lleva 72 horas parpadeando en rojo."},
		{"es", "ya van cuatro cinco llamadas y nadie resuelve"},
		{"es", "Lote 20261015-B, caducidad 10/2027."},
		{"es", "La guía 7801234567890 figura en reparto."},
		{"es", "Me dijeron que el código es el mismo de siempre."},
		{"es", "El número de confirmación de la reserva es 48213907."},
		{"es", "El saldo pendiente es de $12.450.000 COP."},
		{"es", "Su solicitud 1-2233445566 fue registrada."},
		{"es", "Es la segunda vez este mes, la primera fue el 3."},
		{"es", "El contrato 0012-3345-67 vence en 2027."},
		{"es", "Pagué 4.500 el 20 de octubre y 4.500 el 20 de noviembre."},
		{"en", "Orders 100045678 and 100045679 came in the same box."},
		{"en", "My order is #4001-2233-9988, placed on November 2."},
		{"en", "That's 3 payments of $129.99 each."},
		{"en", "Invoice INV-2026-00871 doesn't match packing slip 55821."},
		{"en", "I've been on hold for 45 minutes, third attempt today."},
		{"en", "I topped up $20 at 6:45 pm."},
		{"en", "The serial number is SN 4C0A-99F1-2B7E."},
		{"en", "Payment reference 7000 1234 5678 9012 3."},
		{"en", "I called 611 and 811 and got nowhere."},
		{"en", "I have 2 lines, one with 15 GB and one with 40 GB."},
		{"en", "I was charged twice, on 11/01 and 11/02."},
		{"en", "Claim 2026/004512 is still open."},
		{"en", "The tech came between 9 and 2."},
		{"en", "I changed plans on 10-15-2026 and still get billed the old one."},
		{"en", "Ticket 98765432 was already closed."},
		{"en", "In 2024 I paid 35 and now 52, that's 48% more."},
		{"en", "My kid is 12 and uses the tablet 8 hours a day."},
		{"en", "Store 1207 on Main had the 3 for 2 deal."},
		{"en", "The router has been blinking red for 72 hours."},
		{"en", "Batch 20261015-B, expires 10/2027."},
		{"en", "They said the code is the same as always."},
		{"en", "Booking confirmation 48213907 is what they gave me."},
		{"en", "The outstanding balance is $12,450.00."},
		{"en", "Request 1-2233445566 was logged."},
		{"en", "It's the second time this month, the first was on the 3rd."},
		{"en", "Contract 0012-3345-67 ends in 2027."},
		{"en", "I paid 4,500 on October 20 and 4,500 on November 20."},
		{"en", "Version 10.4.2 build 2026110201 crashes on start."},
		{"en", "My account number ends in 0042."},
		{"en", "Call 1-800 support, they said, but that line is dead."},
		{"en", "Flight AA 2290 seat 14C, confirmation on file."},
	} {
		neg(n.lang, "hand-written, first run", n.text)
	}
}
