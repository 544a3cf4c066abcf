package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia-cx/vigia/pkg/bus"
	"github.com/vigia-cx/vigia/pkg/detect"
	"github.com/vigia-cx/vigia/pkg/event"
	"github.com/vigia-cx/vigia/pkg/pipeline"
	"github.com/vigia-cx/vigia/pkg/redact"
	"github.com/vigia-cx/vigia/pkg/transcript"
)

const piiTestKey = "integration-test-key-0123456789"

// corpusPositive is one text of the redaction corpus with the values in it.
type corpusPositive struct {
	Text string `json:"text"`
	Lang string `json:"lang"`
	PII  []struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"pii"`
}

func loadPIICorpus(t *testing.T) []corpusPositive {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "pkg", "redact", "testdata", "corpus.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusPositive
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e corpusPositive
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if len(e.PII) > 0 {
			out = append(out, e)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// syncBuffer collects the pipeline's log lines from all its goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// sent is a message or survey comment as published, with what the
// `vigia redact` command says the pipeline stores for it.
type sent struct {
	eventID, channel, raw string
	pii                   bool // built from the corpus's positive texts
}

// piiConversations builds conversations whose customer messages, survey
// comments, email signatures and quoted email history carry every value of
// the corpus. Every fourth conversation is a call or chat where the agent
// deflects twice, with personal data in the same messages, so it escalates.
func piiConversations(t *testing.T, corpus []corpusPositive) (msgs []*nats.Msg, texts []sent, needles []string, escalating int) {
	t.Helper()
	base := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	byLang := map[string][]corpusPositive{}
	for _, e := range corpus {
		byLang[e.Lang] = append(byLang[e.Lang], e)
		for _, v := range e.PII {
			needles = append(needles, v.Value)
		}
	}
	phrases := map[string][]string{}
	for _, p := range detect.CorePhrases {
		phrases[p.Lang] = append(phrases[p.Lang], p.Phrase)
	}
	signOff := map[string]string{"es": "\n\nSaludos,\nCliente de prueba\n", "en": "\n\nBest regards,\nTest Customer\n"}
	quoteHead := map[string]string{"es": "\nEl lun, 2 nov 2026 a las 10:00, Soporte <soporte@example.com> escribió:\n> ",
		"en": "\nOn Mon, Nov 2, 2026 at 10:00 AM Support <support@example.com> wrote:\n> "}
	i := 0
	for _, lang := range []string{"es", "en"} {
		pool := byLang[lang]
		withPII := map[string]bool{}
		next := func() string {
			e := pool[0]
			pool = pool[1:]
			withPII[e.Text] = true
			return e.Text
		}
		for len(pool) >= 4 {
			escalates := i%4 == 0
			channel := []string{"call", "chat", "email"}[i%3]
			if escalates && channel == "email" {
				channel = "chat"
			}
			c := transcript.Conversation{ID: fmt.Sprintf("pii-%s-%04d", lang, i), Lang: lang, Channel: channel,
				CustomerID: fmt.Sprintf("cust-pii-%04d", i), Queue: "billing", Resolution: "unresolved"}
			at := base.Add(time.Duration(i) * 11 * time.Second)
			agent := fmt.Sprintf("ag-%03d", 200+i%20)
			turn := func(k int, role, text string) transcript.Turn {
				tr := transcript.Turn{Role: role, TS: at.Add(time.Duration(k*15) * time.Second), Text: text}
				if role == "agent" {
					tr.AgentID = agent
				}
				return tr
			}
			first := next()
			if channel == "email" {
				// Only the new text is stored; the signature and the quote
				// hold values too, which must not appear anywhere.
				first += signOff[lang] + next() + "\n" + quoteHead[lang] + next()
			}
			c.Turns = append(c.Turns, turn(0, "customer", first), turn(1, "agent", agentLines[lang][i%len(agentLines[lang])]))
			if escalates {
				escalating++
				p := phrases[lang]
				c.Turns = append(c.Turns,
					turn(2, "customer", next()),
					turn(3, "agent", fmt.Sprintf(carriers[lang], p[i%len(p)])+" "+next()),
					turn(4, "customer", customerLines[lang][i%len(customerLines[lang])]),
					turn(5, "agent", fmt.Sprintf(carriers[lang], second[lang])))
			} else {
				c.Turns = append(c.Turns, turn(2, "customer", next()))
			}
			if len(pool) > 0 {
				c.Survey = &transcript.Survey{Kind: "csat", Score: 1, Comment: next()}
			}
			evs, err := c.Events()
			if err != nil {
				t.Fatal(err)
			}
			for j := range evs {
				ev := &evs[j]
				msgs = append(msgs, eventMsg(t, c.Channel, ev))
				switch ev.Type {
				case event.TypeMessage:
					texts = append(texts, sent{ev.ID, c.Channel, ev.Data.Text, hasAny(ev.Data.Text, withPII)})
				case event.TypeSurvey:
					texts = append(texts, sent{ev.ID, "", ev.Data.Comment, hasAny(ev.Data.Comment, withPII)})
				}
			}
			i++
		}
	}
	return msgs, texts, needles, escalating
}

// hasAny reports whether s holds one of the texts.
func hasAny(s string, texts map[string]bool) bool {
	for t := range texts {
		if strings.Contains(s, t) {
			return true
		}
	}
	return false
}

// needleForms are the ways a value could show up if it leaked: as written,
// and as its digits alone when it has enough of them to be recognizable.
func needleForms(values []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, v := range values {
		// Short values (4-digit PINs, CVVs) occur by chance in timestamps
		// and counters; the unit tests and the exact stored-text check below
		// cover them.
		if len(v) >= 6 {
			add(v)
			add(strings.ToLower(v))
		}
		var d []byte
		for i := 0; i < len(v); i++ {
			if v[i] >= '0' && v[i] <= '9' {
				d = append(d, v[i])
			}
		}
		if len(d) >= 8 {
			add(string(d))
		}
	}
	return out
}

func findNeedles(where, hay string, needles []string) []string {
	var hits []string
	for _, n := range needles {
		if strings.Contains(hay, n) {
			hits = append(hits, fmt.Sprintf("%s holds %q", where, n))
		}
	}
	return hits
}

// TestNoPIIAtRest runs the all-in-one pipeline, with a hash key and its
// logs captured, over conversations full of personal data, and then looks
// for every original value in every String and Array(String) column of
// interaction_events, signals, conversations and escalations, in every
// escalation published on NATS, in the detector's key-value state and in
// the logs. It also checks that what was redacted is recorded (types,
// 32-hex hashes, the redactor version), that one card written two ways
// hashes the same, and that `vigia redact --json` prints exactly the text
// the pipeline stored.
func TestNoPIIAtRest(t *testing.T) {
	conn, ch := freshDatabase(t)
	n := startNATS(t)
	corpus := loadPIICorpus(t)
	msgs, texts, values, escalating := piiConversations(t, corpus)
	// One conversation with the same card written and spoken.
	sameCard := transcript.Conversation{ID: "pii-same-card", Lang: "es", Channel: "call", CustomerID: "cust-same", Queue: "billing",
		Turns: []transcript.Turn{
			{Role: "customer", TS: time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC), Text: "mi tarjeta es 4539 1488 0343 6467"},
			{Role: "customer", TS: time.Date(2026, 11, 3, 8, 0, 5, 0, time.UTC), Text: "repito: cuatro cinco tres nueve uno cuatro ocho ocho cero tres cuatro tres seis cuatro seis siete"},
		}}
	evs, err := sameCard.Events()
	if err != nil {
		t.Fatal(err)
	}
	var sameCardIDs []string
	for j := range evs {
		data, _ := json.Marshal(&evs[j])
		msgs = append(msgs, &nats.Msg{Subject: transcript.Subject("call", &evs[j]), Data: data})
		if evs[j].Type == event.TypeMessage {
			sameCardIDs = append(sameCardIDs, evs[j].ID)
			texts = append(texts, sent{evs[j].ID, "call", evs[j].Data.Text, true})
		}
	}
	values = append(values, "4539 1488 0343 6467")
	needles := needleForms(values)
	t.Logf("%d events, %d texts, %d values (%d needle forms), %d conversations meant to escalate",
		len(msgs), len(texts), len(values), len(needles), escalating)

	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	red, err := redact.New(redact.Options{Key: []byte(piiTestKey)})
	if err != nil {
		t.Fatal(err)
	}
	runConn, _ := openCH(t, ch)
	node, err := pipeline.AllInOne(context.Background(), n.js, runConn, testPipelineConfig(), log, pipeline.WithRedactor(red))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- node.Run(ctx) }()
	publish(t, n.js, msgs)
	waitConsumerDone(t, n.js, bus.StreamEvents, pipeline.ConsumerName, 2*time.Minute)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("pipeline: %v", err)
	}

	var leaks []string
	// 1. Every String and Array(String) column of the four tables, every
	// row version (no FINAL). pii_hashes is checked on its own: random hex
	// can hold a digit run by chance.
	for _, table := range []string{"interaction_events", "signals", "conversations", "escalations"} {
		hay := tableStrings(t, conn, ch.Database, table, "pii_hashes")
		if hay == "" {
			t.Errorf("table %s is empty", table)
		}
		leaks = append(leaks, findNeedles("table "+table, hay, needles)...)
	}
	// 2. Escalations as published.
	escalations := streamMessages(t, n.js, bus.StreamEscalations)
	for i, m := range escalations {
		leaks = append(leaks, findNeedles(fmt.Sprintf("escalation message %d", i), string(m), needles)...)
		var v any
		if err := json.Unmarshal(m, &v); err != nil {
			t.Fatalf("escalation %d: %v", i, err)
		}
		leaks = append(leaks, findNeedles(fmt.Sprintf("escalation message %d (decoded)", i), strings.Join(jsonStrings(v, nil), "\n"), needles)...)
	}
	// 3. The detector's state.
	for _, bucket := range []string{bus.BucketConversations, bus.BucketCustomers} {
		leaks = append(leaks, findNeedles("bucket "+bucket, bucketValues(t, n.js, bucket), needles)...)
	}
	// 4. The logs.
	leaks = append(leaks, findNeedles("the logs", logs.String(), needles)...)
	for _, l := range leaks {
		t.Error(l)
	}

	// Nothing was dead-lettered: a dead letter keeps the raw event, by
	// design, so every event must have gone through.
	dlq, err := n.js.Stream(context.Background(), bus.StreamDLQ)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := dlq.Info(context.Background()); err != nil || info.State.Msgs != 0 {
		t.Fatalf("dead letters: %+v, %v", info.State, err)
	}

	// Escalations happened, so the check above covered their evidence.
	nEsc := count(t, conn, "SELECT count() FROM escalations FINAL")
	if nEsc < 3 || len(escalations) < 3 {
		t.Errorf("%d escalation rows and %d escalation messages, want at least 3 of each (%d conversations deflected twice)",
			nEsc, len(escalations), escalating)
	}
	if got := count(t, conn, "SELECT count() FROM signals FINAL WHERE category = 'deflection'"); got < uint64(escalating) {
		t.Errorf("%d deflection signals, want at least %d", got, escalating)
	}

	// What was redacted is recorded, and the hashes are keyed hex.
	stored := storedTexts(t, conn)
	hexHash := regexp.MustCompile(`^[0-9a-f]{32}$`)
	redacted, withPII := 0, 0
	for _, s := range texts {
		row, ok := stored[s.eventID]
		if !ok {
			t.Errorf("event %s not stored", s.eventID)
			continue
		}
		if row.version != redact.Version {
			t.Errorf("event %s: redactor_version %q", s.eventID, row.version)
		}
		if len(row.types) != len(row.hashes) {
			t.Errorf("event %s: %d types, %d hashes", s.eventID, len(row.types), len(row.hashes))
		}
		for k, h := range row.hashes {
			if row.types[k] == "SECRET" {
				if h != "" {
					t.Errorf("event %s: a secret was hashed", s.eventID)
				}
			} else if !hexHash.MatchString(h) {
				t.Errorf("event %s: hash %q", s.eventID, h)
			}
		}
		if s.pii {
			withPII++
			if len(row.types) > 0 {
				redacted++
			} else {
				t.Errorf("event %s: nothing redacted in %q, stored as %q", s.eventID, s.raw, row.text)
			}
		} else if len(row.types) > 0 {
			t.Errorf("event %s: %v redacted in %q, which has no personal data", s.eventID, row.types, s.raw)
		}
	}
	a, b := stored[sameCardIDs[0]], stored[sameCardIDs[1]]
	if len(a.hashes) != 1 || len(b.hashes) != 1 || a.hashes[0] != b.hashes[0] || a.types[0] != "CARD" {
		t.Errorf("one card written and spoken: %+v and %+v", a, b)
	}

	// `vigia redact --json`, configured the same way, prints what was stored.
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, s := range texts {
		if err := enc.Encode(map[string]string{"id": s.eventID, "text": s.raw, "channel": s.channel}); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(filepath.Join(binDir, "vigia"), "redact", "--json")
	cmd.Env = append(os.Environ(), "VIGIA_REDACT_KEY="+piiTestKey)
	cmd.Stdin = &in
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("vigia redact: %v\n%s", err, stderr.String())
	}
	lines := 0
	for sc := bufio.NewScanner(&out); sc.Scan(); lines++ {
		var o struct {
			ID    string   `json:"id"`
			Text  string   `json:"text"`
			Types []string `json:"types"`
		}
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			t.Fatal(err)
		}
		row := stored[o.ID]
		if o.Text != row.text || strings.Join(o.Types, ",") != strings.Join(row.types, ",") {
			t.Errorf("event %s: vigia redact says %q %v, the pipeline stored %q %v", o.ID, o.Text, o.Types, row.text, row.types)
		}
	}
	if lines != len(texts) {
		t.Errorf("vigia redact wrote %d lines for %d", lines, len(texts))
	}
	t.Logf("%d texts, %d of the %d with personal data redacted; %d escalation rows, %d escalation messages; no value found at rest",
		len(texts), redacted, withPII, nEsc, len(escalations))
}

// tableStrings concatenates every String and Array(String) value of a
// table, one per line.
func tableStrings(t *testing.T, conn driver.Conn, db, table string, skip ...string) string {
	t.Helper()
	ctx := context.Background()
	rows, err := conn.Query(ctx, "SELECT name, type FROM system.columns WHERE database = ? AND table = ?", db, table)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		if contains(skip, name) {
			continue
		}
		switch typ {
		case "String":
			parts = append(parts, name)
		case "Array(String)":
			parts = append(parts, "arrayStringConcat("+name+", '\\n')")
		}
	}
	rows.Close()
	if len(parts) == 0 {
		t.Fatalf("%s has no string columns", table)
	}
	q := "SELECT concat(" + strings.Join(parts, ", '\\n', ") + ") FROM " + table
	rows, err = conn.Query(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.String()
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func streamMessages(t *testing.T, js jetstream.JetStream, name string) [][]byte {
	t.Helper()
	ctx := context.Background()
	s, err := js.Stream(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			continue // a deleted or replaced sequence
		}
		out = append(out, m.Data)
	}
	return out
}

func bucketValues(t *testing.T, js jetstream.JetStream, bucket string) string {
	t.Helper()
	ctx := context.Background()
	kv, err := js.KeyValue(ctx, bucket)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := kv.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for k := range keys.Keys() {
		e, err := kv.Get(ctx, k)
		if err != nil {
			continue // deleted since listed
		}
		b.WriteString(k)
		b.WriteByte('\n')
		b.Write(e.Value())
		b.WriteByte('\n')
	}
	return b.String()
}

// jsonStrings collects every string in a decoded JSON value.
func jsonStrings(v any, out []string) []string {
	switch x := v.(type) {
	case string:
		out = append(out, x)
	case []any:
		for _, e := range x {
			out = jsonStrings(e, out)
		}
	case map[string]any:
		for k, e := range x {
			out = jsonStrings(e, append(out, k))
		}
	}
	return out
}

type storedRow struct {
	text, version string
	types, hashes []string
}

func storedTexts(t *testing.T, conn driver.Conn) map[string]storedRow {
	t.Helper()
	rows, err := conn.Query(context.Background(),
		"SELECT toString(event_id), text, redactor_version, pii_types, pii_hashes FROM interaction_events FINAL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]storedRow{}
	for rows.Next() {
		var id string
		var r storedRow
		if err := rows.Scan(&id, &r.text, &r.version, &r.types, &r.hashes); err != nil {
			t.Fatal(err)
		}
		out[id] = r
	}
	return out
}
