package detect

// CorePhrases are the deflection phrases vigia promises to catch word for
// word, with their labels. The tests hold the rules to them: exact spans
// here, and stored spans in the 10,000-event pipeline test.
var CorePhrases = []struct{ Lang, Phrase, Label string }{
	{"es", "eso lo maneja otra área", "deflect_other_area"},
	{"es", "el sistema no lo permite", "deflect_system"},
	{"es", "son políticas de la compañía", "deflect_policy"},
	{"es", "se me sale de las manos", "powerless"},
	{"es", "yo soy nuevo", "powerless"},
	{"es", "toca esperar a que venga la supervisora", "powerless"},
	{"es", "nos quedaron mal con el pedido", "blame_third_party"},
	{"en", "that's handled by another department", "deflect_other_area"},
	{"en", "the system won't let me", "deflect_system"},
	{"en", "it's company policy", "deflect_policy"},
	{"en", "it's out of my hands", "powerless"},
	{"en", "I'm new here", "powerless"},
	{"en", "you'll have to wait for my supervisor", "powerless"},
}
