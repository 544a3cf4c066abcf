package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/vigia-cx/vigia/pkg/config"
)

func TestMetricsExposed(t *testing.T) {
	MessagesReceived.WithLabelValues("test").Add(3)
	StageEventsIn.WithLabelValues("enrich").Add(2)
	InsertDuration.WithLabelValues("interaction_events").Observe(0.01)
	EscalationsPublished.WithLabelValues(Severity("bogus")).Inc()
	ConsumerPending.WithLabelValues("test").Set(7)

	log := slog.New(slog.DiscardHandler)
	s, err := Serve("127.0.0.1:0", NewHealth(), log)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Shutdown(context.Background()) }()
	body := get(t, "http://"+s.Addr+"/metrics", http.StatusOK)
	for _, want := range []string{
		`vigia_runner_messages_received_total{consumer="test"} 3`,
		`vigia_stage_events_in_total{stage="enrich"} 2`,
		`vigia_clickhouse_insert_duration_seconds_count{table="interaction_events"} 1`,
		`vigia_escalations_published_total{severity="other"} 1`,
		`vigia_consumer_pending_messages{consumer="test"} 7`,
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// Every vigia metric states its unit or is a count of things.
	mfs, err := Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		name := mf.GetName()
		if !strings.HasPrefix(name, "vigia_") {
			continue
		}
		if !strings.HasSuffix(name, "_total") && !strings.HasSuffix(name, "_seconds") && !strings.HasSuffix(name, "_messages") {
			t.Errorf("metric %s: want a unit suffix", name)
		}
	}
}

func TestLogHandlerAddsTraceIDs(t *testing.T) {
	var buf bytes.Buffer
	log, err := Logger(&buf, "svc", "info", "json")
	if err != nil {
		t.Fatal(err)
	}
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	log.With("k", "v").InfoContext(ctx, "with span")
	log.Info("without span")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines: %s", len(lines), buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["trace_id"] != tid.String() || rec["span_id"] != sid.String() || rec["service"] != "svc" || rec["k"] != "v" {
		t.Errorf("record with span: %v", rec)
	}
	if strings.Contains(lines[1], "trace_id") {
		t.Errorf("record without span has a trace id: %s", lines[1])
	}
}

func TestHealth(t *testing.T) {
	h := NewHealth()
	srv := httptest.NewServer(h.ReadyzHandler())
	defer srv.Close()
	live := httptest.NewServer(h.LivezHandler())
	defer live.Close()
	get(t, live.URL, http.StatusOK)

	// Not started yet.
	if body := get(t, srv.URL, http.StatusServiceUnavailable); !strings.Contains(body, "starting") {
		t.Errorf("before start: %s", body)
	}
	var natsErr atomic.Value
	natsErr.Store(errors.New("nats RECONNECTING"))
	h.Add("nats", func(context.Context) error {
		if err, _ := natsErr.Load().(error); err != nil && err.Error() != "" {
			return err
		}
		return nil
	})
	h.Add("clickhouse", func(context.Context) error { return nil })
	h.SetStarted()
	body := get(t, srv.URL, http.StatusServiceUnavailable)
	var st Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if st.Ready || st.Reason != "nats: nats RECONNECTING" || st.Checks["clickhouse"] != "ok" {
		t.Errorf("one check failing: %+v", st)
	}
	natsErr.Store(errors.New(""))
	body = get(t, srv.URL, http.StatusOK)
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if !st.Ready || st.Checks["nats"] != "ok" {
		t.Errorf("all passing: %+v", st)
	}
	h.SetStopping()
	get(t, srv.URL, http.StatusServiceUnavailable)
	get(t, live.URL, http.StatusOK)
}

func TestCachedCheck(t *testing.T) {
	var calls atomic.Int32
	c := Cached(time.Hour, 50*time.Millisecond, func(ctx context.Context) error {
		calls.Add(1)
		<-ctx.Done() // a dependency that never answers
		return ctx.Err()
	})
	for range 3 {
		if err := c(context.Background()); err == nil || !strings.Contains(err.Error(), "no answer") {
			t.Fatalf("err = %v", err)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("check ran %d times within its interval, want 1", calls.Load())
	}
}

func TestStartDisabledAndOTLPEndpoint(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	tel, err := Start(context.Background(), config.Telemetry{}, "test", log)
	if err != nil {
		t.Fatal(err)
	}
	if tel.Addr() != "" {
		t.Errorf("empty HTTPAddr serves on %s", tel.Addr())
	}
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"http://collector:4318":             "http://collector:4318/v1/traces",
		"http://collector:4318/":            "http://collector:4318/v1/traces",
		"https://c.example/custom/v1/trace": "https://c.example/custom/v1/trace",
	} {
		if got, err := tracesURL(in); err != nil || got != want {
			t.Errorf("tracesURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := tracesURL("collector:4318"); err == nil {
		t.Error("an endpoint without a scheme is accepted")
	}
}

func TestHeaderCarrierRoundTrip(t *testing.T) {
	h := map[string][]string{"traceparent": {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}
	sc := RemoteSpanContext(h)
	if !sc.IsValid() || !sc.IsRemote() || !sc.IsSampled() || sc.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Fatalf("extracted %+v", sc)
	}
	out := map[string][]string{}
	Inject(trace.ContextWithRemoteSpanContext(context.Background(), sc), out)
	if out["traceparent"][0] != h["traceparent"][0] {
		t.Errorf("injected %v", out)
	}
	if RemoteSpanContext(map[string][]string{}).IsValid() || RemoteSpanContext(map[string][]string{"traceparent": {"garbage"}}).IsValid() {
		t.Error("a missing or bad traceparent gives a valid context")
	}
}

func get(t *testing.T, url string, want int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d: %s", url, resp.StatusCode, want, b)
	}
	return string(b)
}
