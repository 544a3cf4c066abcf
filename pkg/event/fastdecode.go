package event

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// The decoder below checks the v1 interaction-event schema in one pass over
// the parsed document, instead of building a generic tree for a JSON Schema
// validator and decoding a second time. It is the hot path of every event.
// The schema stays the contract: TestDecodeAgreesWithSchema and
// FuzzDecodeAgreesWithSchema hold this code to the validator on the
// embedded schema, decision for decision and field for field.

var parsers fastjson.ParserPool

var (
	idPattern      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	subjectPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]+$`)
	tenantPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	langPattern    = regexp.MustCompile(`^[a-z]{2,3}$`)
)

// field is one member an object may carry and the rule for its value.
type field struct {
	name  string
	check func(d *decoder, v *fastjson.Value) error
}

// decoder holds one event being decoded.
type decoder struct {
	ev Event
}

func invalid(path, format string, args ...any) error {
	if path == "" {
		path = "/"
	}
	return fmt.Errorf("%w: %s: %s", ErrInvalid, path, fmt.Sprintf(format, args...))
}

// ruleError is a member's broken rule; object() adds the member's path,
// which is only built when something is wrong.
type ruleError string

func (e ruleError) Error() string { return string(e) }

func bad(format string, args ...any) error { return ruleError(fmt.Sprintf(format, args...)) }

// members collects an object's members by position in fields. A repeated
// name keeps its last value, as the schema validator and encoding/json do.
func members(path string, v *fastjson.Value, fields []field, into []*fastjson.Value) error {
	o, err := v.Object()
	if err != nil {
		return invalid(path, "got %s, want object", v.Type())
	}
	var unknown string
	o.Visit(func(key []byte, val *fastjson.Value) {
		for i := range fields {
			if fields[i].name == string(key) {
				into[i] = val
				return
			}
		}
		if unknown == "" {
			unknown = string(key)
		}
	})
	if unknown != "" {
		return invalid(path, "additional property %q not allowed", unknown)
	}
	return nil
}

// object checks one object: required members present, every member valid.
// It returns the members by position in fields.
func (d *decoder) object(path string, v *fastjson.Value, fields []field, vals []*fastjson.Value, required ...string) error {
	if err := members(path, v, fields, vals); err != nil {
		return err
	}
	for _, r := range required {
		for i := range fields {
			if fields[i].name == r && vals[i] == nil {
				return invalid(path, "missing property %q", r)
			}
		}
	}
	for i, f := range fields {
		if vals[i] != nil {
			if err := f.check(d, vals[i]); err != nil {
				return invalid(path+"/"+f.name, "%s", err)
			}
		}
	}
	return nil
}

// str reads a string value with its length bounds in characters.
func str(v *fastjson.Value, minLen, maxLen int) (string, error) {
	b, err := v.StringBytes()
	if err != nil {
		return "", bad("got %s, want string", v.Type())
	}
	if !utf8.Valid(b) {
		return "", bad("string is not valid UTF-8")
	}
	if n := utf8.RuneCount(b); n < minLen {
		return "", bad("minLength: got %d characters, want at least %d", n, minLen)
	} else if maxLen > 0 && n > maxLen {
		return "", bad("maxLength: got %d characters, want at most %d", n, maxLen)
	}
	return string(b), nil
}

func strInto(dst func(*decoder) *string, minLen, maxLen int, pattern *regexp.Regexp) func(*decoder, *fastjson.Value) error {
	return func(d *decoder, v *fastjson.Value) error {
		s, err := str(v, minLen, maxLen)
		if err != nil {
			return err
		}
		if pattern != nil && !pattern.MatchString(s) {
			return bad("%q does not match pattern %s", clipped(s), pattern)
		}
		*dst(d) = s
		return nil
	}
}

func enumInto(dst func(*decoder) *string, values ...string) func(*decoder, *fastjson.Value) error {
	return func(d *decoder, v *fastjson.Value) error {
		b, err := v.StringBytes()
		if err == nil {
			for _, want := range values {
				if string(b) == want {
					*dst(d) = want
					return nil
				}
			}
		}
		return bad("must be one of %s (enum), got %s", strings.Join(values, ", "), clipped(string(v.MarshalTo(nil))))
	}
}

func constant(want string) func(*decoder, *fastjson.Value) error {
	return func(_ *decoder, v *fastjson.Value) error {
		if b, err := v.StringBytes(); err == nil && string(b) == want {
			return nil
		}
		return bad("must be %q (const), got %s", want, clipped(string(v.MarshalTo(nil))))
	}
}

// integer reads a JSON integer the way encoding/json fills an int: digits
// only, no fraction or exponent.
func integer(v *fastjson.Value, min, max int) (int, error) {
	if v.Type() != fastjson.TypeNumber {
		return 0, bad("got %s, want integer", v.Type())
	}
	raw := string(v.MarshalTo(nil))
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, bad("%s is not an integer", clipped(raw))
	}
	if n < min || n > max {
		return 0, bad("%d is out of range [%d, %d]", n, min, max)
	}
	return n, nil
}

// dateTime accepts what both the schema's date-time format and
// time.Time's JSON decoding accept: RFC 3339 with an upper-case T.
func dateTime(v *fastjson.Value) (time.Time, error) {
	b, err := v.StringBytes()
	if err != nil {
		return time.Time{}, bad("got %s, want date-time string", v.Type())
	}
	s := string(b)
	if !rfc3339(s) {
		return time.Time{}, bad("%q is not an RFC 3339 date-time", clipped(s))
	}
	var t time.Time
	// UnmarshalText is what decoding into time.Time uses: the same
	// strictness as before this decoder existed.
	if err := t.UnmarshalText(b); err != nil {
		return time.Time{}, bad("%q is not an RFC 3339 date-time: %v", clipped(s), err)
	}
	return t, nil
}

// rfc3339 is the shape check of RFC 3339 section 5.6 that the schema
// validator applies and time.Parse is lenient about (it takes a comma
// before the fraction, for one).
func rfc3339(s string) bool {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return false
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	rest := s[19:]
	if rest[0] == '.' {
		j := 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == 1 {
			return false
		}
		rest = rest[j:]
	}
	switch {
	case rest == "Z" || rest == "z":
		return true
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		for _, i := range []int{1, 2, 4, 5} {
			if rest[i] < '0' || rest[i] > '9' {
				return false
			}
		}
		return true
	}
	return false
}

func clipped(s string) string {
	if len(s) <= 64 {
		return s
	}
	n := 64
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func dataField(f func(*Data) *string) func(*decoder) *string {
	return func(d *decoder) *string { return f(&d.ev.Data) }
}

var (
	channelField = field{"channel", enumInto(dataField(func(x *Data) *string { return &x.Channel }), "call", "chat", "email")}
	queueRule    = func(f func(*Data) *string) func(*decoder, *fastjson.Value) error {
		return strInto(dataField(f), 0, 128, nil)
	}
	idRule = func(f func(*Data) *string) func(*decoder, *fastjson.Value) error {
		return strInto(dataField(f), 1, 128, nil)
	}
	langField = field{"lang", strInto(dataField(func(x *Data) *string { return &x.Lang }), 0, 0, langPattern)}

	startedFields = []field{
		channelField,
		{"customer_id", idRule(func(x *Data) *string { return &x.CustomerID })},
		{"queue", queueRule(func(x *Data) *string { return &x.Queue })},
		{"agent_id", idRule(func(x *Data) *string { return &x.AgentID })},
		langField,
		{"direction", enumInto(dataField(func(x *Data) *string { return &x.Direction }), "inbound", "outbound")},
	}
	messageFields = []field{
		channelField,
		{"speaker", enumInto(dataField(func(x *Data) *string { return &x.Speaker }), SpeakerCustomer, SpeakerAgent, SpeakerBot, SpeakerSystem)},
		{"text", strInto(dataField(func(x *Data) *string { return &x.Text }), 1, MaxTextChars, nil)},
		{"seq", func(d *decoder, v *fastjson.Value) error {
			n, err := integer(v, 0, int(^uint(0)>>1))
			d.ev.Data.Seq = &n
			return err
		}},
		{"started_at", func(d *decoder, v *fastjson.Value) error {
			t, err := dateTime(v)
			d.ev.Data.StartedAt = &t
			return err
		}},
		{"ended_at", func(d *decoder, v *fastjson.Value) error {
			t, err := dateTime(v)
			d.ev.Data.EndedAt = &t
			return err
		}},
		{"customer_id", idRule(func(x *Data) *string { return &x.CustomerID })},
		{"agent_id", idRule(func(x *Data) *string { return &x.AgentID })},
		{"queue", queueRule(func(x *Data) *string { return &x.Queue })},
		langField,
		{"subject_line", strInto(dataField(func(x *Data) *string { return &x.SubjectLine }), 0, 1024, nil)},
	}
	transferFields = []field{
		{"from_queue", queueRule(func(x *Data) *string { return &x.FromQueue })},
		{"to_queue", queueRule(func(x *Data) *string { return &x.ToQueue })},
		{"from_agent_id", idRule(func(x *Data) *string { return &x.FromAgentID })},
		{"to_agent_id", idRule(func(x *Data) *string { return &x.ToAgentID })},
		{"reason", strInto(dataField(func(x *Data) *string { return &x.Reason }), 0, 1024, nil)},
	}
	endedFields = []field{
		{"resolution", enumInto(dataField(func(x *Data) *string { return &x.Resolution }), "resolved", "unresolved", "unknown")},
		{"ended_by", enumInto(dataField(func(x *Data) *string { return &x.EndedBy }), "customer", "agent", "system", "timeout")},
	}
	surveyFields = []field{
		{"kind", enumInto(dataField(func(x *Data) *string { return &x.Kind }), "nps", "csat")},
		{"score", func(d *decoder, v *fastjson.Value) error {
			n, err := integer(v, 0, 10)
			d.ev.Data.Score = &n
			return err
		}},
		{"comment", strInto(dataField(func(x *Data) *string { return &x.Comment }), 0, 8192, nil)},
		{"agent_id", idRule(func(x *Data) *string { return &x.AgentID })},
	}
	typeFields = map[string]struct {
		fields   []field
		required []string
	}{
		TypeStarted:  {startedFields, []string{"channel", "customer_id"}},
		TypeMessage:  {messageFields, []string{"channel", "speaker", "text"}},
		TypeTransfer: {transferFields, []string{"to_queue"}},
		TypeEnded:    {endedFields, nil},
		TypeSurvey:   {surveyFields, []string{"kind", "score"}},
	}
)

// envelopeFields are the CloudEvents attributes; data is checked after
// them, once the type says which payload it must be.
var envelopeFields = []field{
	{"specversion", func(d *decoder, v *fastjson.Value) error {
		if err := constant("1.0")(d, v); err != nil {
			return err
		}
		d.ev.SpecVersion = "1.0"
		return nil
	}},
	{"id", strInto(func(d *decoder) *string { return &d.ev.ID }, 0, 0, idPattern)},
	{"source", strInto(func(d *decoder) *string { return &d.ev.Source }, 1, 256, nil)},
	{"type", enumInto(func(d *decoder) *string { return &d.ev.Type }, TypeStarted, TypeMessage, TypeTransfer, TypeEnded, TypeSurvey)},
	{"time", func(d *decoder, v *fastjson.Value) error {
		t, err := dateTime(v)
		d.ev.Time = t
		return err
	}},
	{"subject", strInto(func(d *decoder) *string { return &d.ev.Subject }, 1, 128, subjectPattern)},
	{"tenant", strInto(func(d *decoder) *string { return &d.ev.Tenant }, 0, 64, tenantPattern)},
	{"datacontenttype", func(d *decoder, v *fastjson.Value) error {
		if err := constant("application/json")(d, v); err != nil {
			return err
		}
		d.ev.DataContentType = "application/json"
		return nil
	}},
	{"dataschema", strInto(func(d *decoder) *string { return &d.ev.DataSchema }, 0, 256, nil)},
	{"data", func(*decoder, *fastjson.Value) error { return nil }},
}

var envelopeRequired = []string{"specversion", "id", "source", "type", "time", "subject", "data"}

// decodeFast parses and validates raw (already known to be valid UTF-8 and
// within the size limit).
func decodeFast(raw []byte) (Event, error) {
	if err := fastjson.ValidateBytes(raw); err != nil {
		return Event{}, fmt.Errorf("%w: not JSON: %v", ErrInvalid, err)
	}
	p := parsers.Get()
	defer parsers.Put(p)
	doc, err := p.ParseBytes(raw)
	if err != nil {
		return Event{}, fmt.Errorf("%w: not JSON: %v", ErrInvalid, err)
	}
	var d decoder
	var top, data [16]*fastjson.Value
	if err := d.object("", doc, envelopeFields, top[:len(envelopeFields)], envelopeRequired...); err != nil {
		return Event{}, err
	}
	t := typeFields[d.ev.Type]
	if err := d.object("/data", top[len(envelopeFields)-1], t.fields, data[:len(t.fields)], t.required...); err != nil {
		return Event{}, err
	}
	if d.ev.Type == TypeSurvey && d.ev.Data.Kind == "csat" && (*d.ev.Data.Score < 1 || *d.ev.Data.Score > 5) {
		return Event{}, invalid("/data/score", "a csat score is 1 to 5, got %d", *d.ev.Data.Score)
	}
	return d.ev, nil
}
