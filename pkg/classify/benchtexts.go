package classify

// BenchText is one message of the throughput set.
type BenchText struct{ Text, Lang string }

// BenchTexts are contact-center messages of 100–300 characters, written for
// vigia (no dataset text), in the mix of languages, channels and moods the
// pipeline sees. BenchmarkClassify and `vigia eval` time Classify on them.
var BenchTexts = []BenchText{
	{"Hola, buenas tardes. Les escribo porque este mes me cobraron dos veces la factura de internet y nadie me da una solución. Ya llamé tres veces y siempre me dicen que lo revisan.", "es"},
	{"ESTOY HARTO!!! llevo una semana sin internet, pago puntualmente cada mes y ustedes no hacen nada. Es una vergüenza, quiero hablar con un supervisor ya mismo", "es"},
	{"Muchísimas gracias Laura, de verdad me ayudaste un montón, ya me llegó el reembolso a la tarjeta. Excelente atención, se nota que les importa el cliente 😊", "es"},
	{"buenas, queria saber si puedo cambiar la direccion de envio de mi pedido, todavia no salio del deposito y me mude la semana pasada. Gracias", "es"},
	{"No puedo entrar a mi cuenta, me dice que la contraseña es incorrecta y cuando intento recuperarla nunca me llega el código. Estoy muy preocupada porque tengo pagos pendientes", "es"},
	{"quiero dar de baja el servicio, no me interesa ninguna oferta, ya lo decidí. Por favor confírmenme por correo cuando esté hecho y que no me vuelvan a cobrar nada", "es"},
	{"El técnico vino hoy, revisó el router y ahora la conexión funciona perfecto. Les agradezco la rapidez, la verdad no esperaba que lo solucionaran tan rápido", "es"},
	{"me da mucha pena decirlo pero el paquete llegó todo roto, la caja aplastada y el producto no enciende. Ya no sé qué hacer, era un regalo para mi hija 😢", "es"},
	{"Hola que tal, tengo una duda sobre el plan, dice que incluye llamadas ilimitadas pero en la factura aparecen cargos por minutos. Me podrían explicar?", "es"},
	{"Esto es un robo!! me cargaron una comisión que nadie me informó y encima el asesor me colgó. Voy a poner una queja en defensa del consumidor", "es"},
	{"Hi, I was charged twice for my internet this month, same amount, a day apart. I already called twice and was told it would be fixed. Can someone please check?", "en"},
	{"This is absolutely ridiculous. Three weeks without service and every time I call I get transferred to another department. I'm so angry I could scream.", "en"},
	{"Thank you so much Kevin, you were incredibly helpful and patient with me. The refund already shows up on my card. Great service, really appreciate it!", "en"},
	{"Where is my order? The tracking number hasn't updated in six days and the delivery date already passed. I need it for a trip on Friday, I'm getting worried.", "en"},
	{"I can't log into my account, it says my password is wrong and the reset email never arrives. I'm locked out and I have a payment due tomorrow.", "en"},
	{"I want to cancel my subscription effective today. Please don't try to sell me another plan, just confirm the cancellation by email and stop charging my card.", "en"},
	{"hey, quick question: do you ship to Canada and how long does it usually take? I'd like to order a couple of things before the holidays, thanks!", "en"},
	{"The app keeps crashing every time I try to pay my bill. I've reinstalled it twice, restarted my phone, nothing works. Honestly this is so frustrating 😡", "en"},
	{"I'm really disappointed. I've been a loyal customer for ten years and this is how you treat me? Nobody called me back like they promised. Sad.", "en"},
	{"wow, I did not expect that at all, you actually waived the late fee? that's amazing, thank you!! totally made my day 🎉", "en"},
	{"Buenos días, llamo por lo del reclamo 4471, me dijeron que en 48 horas me contactaban y ya pasaron cinco días. Necesito una respuesta urgente, por favor.", "es"},
	{"ok, I'll wait for the technician then. Just to confirm, the visit is Tuesday between 9 and 12, right? I need to let my boss know I'll be working from home.", "en"},
	{"Me siento completamente ignorado, nadie contesta los mensajes y el servicio sigue caído. Pésima atención, no se lo recomiendo a nadie.", "es"},
	{"Honestly the worst customer service I've ever dealt with. Disgusting how you treat people. I'm filing a complaint with the Better Business Bureau.", "en"},
}
