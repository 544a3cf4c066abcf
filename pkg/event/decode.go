package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/vigia-cx/vigia/schemas"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The v1 contract's ceilings. Larger input is rejected, never truncated;
// operators may set lower limits (Limits), never higher ones.
const (
	// MaxEventBytes bounds one encoded event.
	MaxEventBytes = 256 << 10
	// MaxTextChars bounds data.text, in characters (the schema's maxLength).
	MaxTextChars = 65536
)

// Limits bound one event below the contract's ceilings; zero fields mean the
// ceiling. Every object of the v1 schema is closed (additionalProperties:
// false), so the number of fields is bounded by the contract itself.
type Limits struct {
	MaxBytes     int
	MaxTextChars int
}

// Validate rejects limits the contract cannot honour.
func (l Limits) Validate() error {
	if l.MaxBytes < 0 || l.MaxBytes > MaxEventBytes {
		return fmt.Errorf("event size limit %d: must be between 1 and the v1 ceiling %d", l.MaxBytes, MaxEventBytes)
	}
	if l.MaxTextChars < 0 || l.MaxTextChars > MaxTextChars {
		return fmt.Errorf("text length limit %d: must be between 1 and the v1 ceiling %d", l.MaxTextChars, MaxTextChars)
	}
	return nil
}

func (l Limits) bytes() int {
	if l.MaxBytes <= 0 {
		return MaxEventBytes
	}
	return l.MaxBytes
}

func (l Limits) textChars() int {
	if l.MaxTextChars <= 0 {
		return MaxTextChars
	}
	return l.MaxTextChars
}

// ErrInvalid marks input that can never be processed (bad JSON, schema
// violation); such events go to the dead-letter subject at once.
var ErrInvalid = errors.New("invalid event")

var (
	compileOnce sync.Once
	eventSchema *jsonschema.Schema
	escSchema   *jsonschema.Schema
	compileErr  error
)

func compiled() (*jsonschema.Schema, *jsonschema.Schema, error) {
	compileOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		for _, p := range []string{schemas.InteractionEventV1, schemas.EscalationV1} {
			raw, err := fs.ReadFile(schemas.Events, p)
			if err != nil {
				compileErr = fmt.Errorf("read embedded schema %s: %w", p, err)
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				compileErr = fmt.Errorf("parse embedded schema %s: %w", p, err)
				return
			}
			if err := c.AddResource(p, doc); err != nil {
				compileErr = fmt.Errorf("add schema %s: %w", p, err)
				return
			}
		}
		if eventSchema, compileErr = c.Compile(schemas.InteractionEventV1); compileErr != nil {
			return
		}
		escSchema, compileErr = c.Compile(schemas.EscalationV1)
	})
	return eventSchema, escSchema, compileErr
}

// Decode parses and validates one interaction event against the v1 schema.
// Errors wrap ErrInvalid and say which rule failed, for the dead-letter reason.
func Decode(raw []byte) (Event, error) { return DecodeLimited(raw, Limits{}) }

// DecodeLimited is Decode with operator limits below the contract's.
func DecodeLimited(raw []byte, lim Limits) (Event, error) {
	var ev Event
	if max := lim.bytes(); len(raw) > max {
		return ev, fmt.Errorf("%w: %d bytes exceeds the %d-byte event limit", ErrInvalid, len(raw), max)
	}
	if !utf8.Valid(raw) {
		// encoding/json would quietly turn bad bytes into U+FFFD; a producer
		// sending them has a bug worth seeing in the dead-letter queue.
		return ev, fmt.Errorf("%w: not valid UTF-8", ErrInvalid)
	}
	ev, err := decodeFast(raw)
	if err != nil {
		return Event{}, err
	}
	if max := lim.textChars(); len(ev.Data.Text) > max {
		// Byte length bounds the character count from above: count only
		// when it could matter.
		if n := utf8.RuneCountInString(ev.Data.Text); n > max {
			return Event{}, fmt.Errorf("%w: /data/text has %d characters, over the %d-character limit", ErrInvalid, n, max)
		}
	}
	return ev, nil
}

// decodeWithSchema is the reference decoder: the JSON Schema validator on
// the embedded schema, then encoding/json. Decode must agree with it on
// every input (TestDecodeAgreesWithSchema); it is too slow for the hot path.
func decodeWithSchema(raw []byte) (Event, error) {
	var ev Event
	schema, _, err := compiled()
	if err != nil {
		return ev, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return ev, fmt.Errorf("%w: not JSON: %v", ErrInvalid, err)
	}
	if err := schema.Validate(doc); err != nil {
		return ev, fmt.Errorf("%w: %s", ErrInvalid, schemaMessage(err))
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return ev, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return ev, nil
}

// ValidateEscalation checks an encoded escalation against its schema; the
// detect stage's tests use it so producer and contract cannot drift apart.
func ValidateEscalation(raw []byte) error {
	_, schema, err := compiled()
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("%w: not JSON: %v", ErrInvalid, err)
	}
	if err := schema.Validate(doc); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalid, schemaMessage(err))
	}
	return nil
}

// schemaMessage flattens a validation error to its most specific causes on
// one line, which is what an operator reading a dead-letter header needs.
func schemaMessage(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	var leaves []string
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			loc := "/" + joinPath(e.InstanceLocation)
			leaves = append(leaves, fmt.Sprintf("%s: %s", loc, e.ErrorKind.LocalizedString(printer)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	if len(leaves) > 4 {
		leaves = append(leaves[:4], fmt.Sprintf("and %d more", len(leaves)-4))
	}
	return joinWith(leaves, "; ")
}

var printer = message.NewPrinter(language.English)

func joinPath(parts []string) string { return strings.Join(parts, "/") }

func joinWith(parts []string, sep string) string { return strings.Join(parts, sep) }
