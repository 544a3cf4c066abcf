package detect

import (
	"regexp"
	"strings"

	"github.com/vigia-cx/vigia/pkg/text"
)

// What contact-center exports write as system lines, in both languages.
var (
	transferLine = regexp.MustCompile(`(?i)(?:transferid[oa]|transferencia|transferred|transfer|derivad[oa]|escalad[oa])\s+(?:a|al|to|hacia)\s+(?:la\s+|el\s+|the\s+)?(?:cola\s+de\s+|área\s+de\s+|area\s+de\s+)?([\p{L}0-9 _-]{2,60}?)\s*[.!]?$`)
	closedLine   = regexp.MustCompile(`(?i)\b(?:conversation|chat|call|llamada|conversaci[oó]n|caso|ticket)\s+(?:closed|ended|finalizad[oa]|cerrad[oa]|terminad[oa])|\bclosed\s+(?:due\s+to|for)\s+inactivity|\bcerrad[oa]\s+por\s+inactividad|\bcustomer\s+(?:left|disconnected)|\bcliente\s+(?:abandon[oó]|colg[oó]|se\s+desconect[oó])`)
	holdLine     = regexp.MustCompile(`(?i)^\s*(?:en espera|on hold|hold|puesto en espera|placed on hold)\b`)
)

// TransferTarget returns the queue a system line transfers to, if it is one:
// "Llamada transferida a Facturación" → facturacion.
func TransferTarget(line string) (string, bool) {
	m := transferLine.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return "", false
	}
	return QueueName(m[1]), true
}

// ClosedLine reports whether a system line says the contact was closed.
func ClosedLine(line string) bool { return closedLine.MatchString(line) }

// HoldLine reports whether a system line puts the customer on hold.
func HoldLine(line string) bool { return holdLine.MatchString(line) }

// QueueName folds a written area name to a queue id: "Soporte Técnico" →
// "soporte_tecnico".
func QueueName(s string) string {
	return strings.ReplaceAll(text.Fold(s), " ", "_")
}
