package enrich

import (
	"log/slog"

	"github.com/vigia-cx/vigia/pkg/config"
	"github.com/vigia-cx/vigia/pkg/redact"
)

// NewRedactor builds the redactor configuration describes (VIGIA_REDACT_*),
// reading the key file if one is set.
//
// Without a key (VIGIA_REDACT_KEY or VIGIA_REDACT_KEY_FILE) values are still
// redacted, but no hash is stored: an unkeyed or default-keyed hash of a
// phone or card number is reversed by hashing every possible number. The
// warning on log says what is lost: joining repeat contacts by value. A key
// shorter than redact.MinKeyLen is refused.
func NewRedactor(c config.Redact, log *slog.Logger) (*redact.Redactor, error) {
	key, err := c.KeyBytes()
	if err != nil {
		return nil, err
	}
	r, err := redact.New(redact.Options{Key: key, Types: c.Types, Style: c.Style, KeepLast: c.KeepLast})
	if err != nil {
		return nil, err
	}
	if log != nil {
		if !r.Keyed() {
			log.Warn("VIGIA_REDACT_KEY is not set: personal data is redacted but not hashed, so repeat contacts cannot be joined by value")
		}
		log.Info("redaction", "version", redact.Version, "types", typesOr(c.Types), "hashed", r.Keyed())
	}
	return r, nil
}

func typesOr(t string) string {
	if t == "" {
		return "all"
	}
	return t
}
