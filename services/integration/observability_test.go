package integration

import (
	"bufio"
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/vigia-cx/vigia/pkg/bus"
)

// span is what the test collector keeps of an exported span.
type span struct {
	service, name, traceID, spanID, parentID string
	links                                    []string // trace ids
}

// otlpCollector accepts OTLP/HTTP protobuf trace exports, as a collector
// at http://host:port (the exporter posts to /v1/traces).
type otlpCollector struct {
	*httptest.Server
	mu    sync.Mutex
	spans []span
}

func newCollector(t *testing.T) *otlpCollector {
	t.Helper()
	c := &otlpCollector{}
	c.Server = httptest.NewServer(http.HandlerFunc(c.export))
	t.Cleanup(c.Close)
	return c
}

func (c *otlpCollector) export(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var req coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(b, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var got []span
	for _, rs := range req.GetResourceSpans() {
		service := ""
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				service = kv.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				sp := span{service: service, name: s.GetName(), traceID: hex.EncodeToString(s.GetTraceId()),
					spanID: hex.EncodeToString(s.GetSpanId()), parentID: hex.EncodeToString(s.GetParentSpanId())}
				for _, l := range s.GetLinks() {
					sp.links = append(sp.links, hex.EncodeToString(l.GetTraceId()))
				}
				got = append(got, sp)
			}
		}
	}
	c.mu.Lock()
	c.spans = append(c.spans, got...)
	c.mu.Unlock()
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (c *otlpCollector) all() []span {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]span(nil), c.spans...)
}

var listeningRE = regexp.MustCompile(`msg="telemetry listening".*\baddr=(\S+)`)

// telemetryAddr finds the address a process's telemetry endpoint bound,
// from its log (the tests start every process on port 0).
func telemetryAddr(t *testing.T, p *proc) string {
	t.Helper()
	addr := ""
	waitFor(t, 30*time.Second, p.name+" telemetry address", func() (bool, string) {
		f, err := os.Open(p.log)
		if err != nil {
			return false, err.Error()
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				addr = m[1]
				return true, ""
			}
		}
		return false, "no telemetry line in the log yet"
	})
	return addr
}

var httpClient = &http.Client{Timeout: 5 * time.Second}

func httpGet(url string) (int, string, error) {
	resp, err := httpClient.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// waitStatus polls url until it answers want.
func waitStatus(t *testing.T, url string, want int, timeout time.Duration) string {
	t.Helper()
	body := ""
	waitFor(t, timeout, fmt.Sprintf("%s to answer %d", url, want), func() (bool, string) {
		code, b, err := httpGet(url)
		if err != nil {
			return false, err.Error()
		}
		body = b
		return code == want, fmt.Sprintf("%d %s", code, strings.TrimSpace(b))
	})
	return body
}

// metric returns the value of the sample of name whose labels include
// labels (like `stage="enrich"`) in a Prometheus text exposition.
func metric(exposition, name, labels string) (float64, bool) {
	for _, line := range strings.Split(exposition, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		if labels != "" && !strings.Contains(line, labels) {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		return v, err == nil
	}
	return 0, false
}

func newTraceID(t *testing.T) string {
	t.Helper()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// traceEvents gives every other message a sampled traceparent of a trace
// of its own, as a traced channel system would, and returns those traces.
func traceEvents(t *testing.T, msgs []*nats.Msg) []string {
	var ids []string
	for i, m := range msgs {
		if i%2 == 1 {
			continue
		}
		id := newTraceID(t)
		m.Header.Set("traceparent", "00-"+id+"-00f067aa0ba902b7-01")
		ids = append(ids, id)
	}
	return ids
}

// freeAddr is a local address where nothing listens.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func telemetryEnv(env []string, col *otlpCollector) []string {
	return append(env,
		"VIGIA_TELEMETRY_OTLP_ENDPOINT="+col.URL,
		// Export every 100 ms instead of every 5 s, so spans arrive soon.
		"OTEL_BSP_SCHEDULE_DELAY=100",
	)
}

// hopsOf maps each trace to the set of span names seen in it.
func hopsOf(spans []span) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, s := range spans {
		if out[s.traceID] == nil {
			out[s.traceID] = map[string]bool{}
		}
		out[s.traceID][s.name] = true
	}
	return out
}

// waitHops waits until every trace in ids has a span of every name in hops.
func waitHops(t *testing.T, col *otlpCollector, ids []string, hops []string) {
	t.Helper()
	waitFor(t, time.Minute, "spans of every hop in every published trace", func() (bool, string) {
		byTrace := hopsOf(col.all())
		for _, id := range ids {
			for _, h := range hops {
				if !byTrace[id][h] {
					return false, fmt.Sprintf("trace %s lacks %q (has %v)", id, h, byTrace[id])
				}
			}
		}
		return true, ""
	})
}

// insertUnderLinkedBatch checks the insert spans: children of a batch span
// linked to a published trace.
func insertUnderLinkedBatch(t *testing.T, col *otlpCollector, batchName string, ids []string) {
	t.Helper()
	published := map[string]bool{}
	for _, id := range ids {
		published[id] = true
	}
	waitFor(t, 30*time.Second, "an insert span under a batch linked to a published trace", func() (bool, string) {
		spans := col.all()
		linkedBatches := map[string]bool{}
		for _, s := range spans {
			if s.name != batchName {
				continue
			}
			for _, l := range s.links {
				if published[l] {
					linkedBatches[s.spanID] = true
				}
			}
		}
		for _, s := range spans {
			if s.name == "clickhouse insert interaction_events" && linkedBatches[s.parentID] {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d linked %q spans", len(linkedBatches), batchName)
	})
}

// TestObservabilityServices: the four stage services export spans of every
// hop into the trace an event was published with, count events per stage
// and insert latency on /metrics, and answer /livez and /readyz — 503 for a
// writer whose ClickHouse does not answer.
func TestObservabilityServices(t *testing.T) {
	conn, ch := freshDatabase(t)
	n := startNATS(t)
	col := newCollector(t)
	env := telemetryEnv(serviceEnv(n.url, ch), col)
	procs := map[string]*proc{}
	addrs := map[string]string{}
	for _, s := range stageServices {
		procs[s] = startProc(t, s, env)
	}
	for _, s := range stageServices {
		addrs[s] = telemetryAddr(t, procs[s])
		waitStatus(t, "http://"+addrs[s]+"/readyz", http.StatusOK, time.Minute)
		waitStatus(t, "http://"+addrs[s]+"/livez", http.StatusOK, 5*time.Second)
	}

	msgs, _ := generate(t, 6, "obs")
	ids := traceEvents(t, msgs)
	publish(t, n.js, msgs)
	waitServicesDone(t, n, 2*time.Minute)
	waitRows(t, conn, "interaction_events", uint64(len(msgs)), 30*time.Second)

	waitHops(t, col, ids, []string{"enrich process", "classify process", "detect process", "write process"})
	insertUnderLinkedBatch(t, col, "write batch", ids)
	services := map[string]string{}
	for _, s := range col.all() {
		services[s.name] = s.service
	}
	for name, want := range map[string]string{"enrich process": "vigia-enrich", "classify process": "vigia-classify",
		"detect process": "vigia-detect", "write process": "vigia-write"} {
		if services[name] != want {
			t.Errorf("span %q from service %q, want %q", name, services[name], want)
		}
	}

	scrape := func(s string) string {
		code, body, err := httpGet("http://" + addrs[s] + "/metrics")
		if err != nil || code != http.StatusOK {
			t.Fatalf("%s /metrics: %d %v", s, code, err)
		}
		return body
	}
	for svc, stg := range map[string]string{"enricher": "enrich", "classifier": "classify", "detector": "detect"} {
		body := scrape(svc)
		if v, _ := metric(body, "vigia_stage_events_in_total", `stage="`+stg+`"`); v < float64(len(msgs)) {
			t.Errorf("%s: vigia_stage_events_in_total{stage=%q} = %v, want >= %d", svc, stg, v, len(msgs))
		}
		if v, _ := metric(body, "vigia_stage_events_out_total", `stage="`+stg+`"`); v < float64(len(msgs)) {
			t.Errorf("%s: vigia_stage_events_out_total{stage=%q} = %v, want >= %d", svc, stg, v, len(msgs))
		}
		if _, ok := metric(body, "vigia_consumer_pending_messages", `consumer="`+stg+`"`); !ok {
			t.Errorf("%s: no consumer lag gauge", svc)
		}
	}
	// The writer publishes the escalations of the records it stores.
	if v, _ := metric(scrape("writer"), "vigia_escalations_published_total", ""); v < 1 {
		t.Errorf("writer: %v escalations counted, want at least 1", v)
	}
	wb := scrape("writer")
	if v, _ := metric(wb, "vigia_runner_messages_acked_total", `consumer="write"`); v < float64(len(msgs)) {
		t.Errorf("writer: %v messages acked, want >= %d", v, len(msgs))
	}
	if v, _ := metric(wb, "vigia_runner_batch_messages_count", `consumer="write"`); v < 1 {
		t.Errorf("writer: %v batches observed", v)
	}
	cnt, _ := metric(wb, "vigia_clickhouse_insert_duration_seconds_count", `table="interaction_events"`)
	sum, _ := metric(wb, "vigia_clickhouse_insert_duration_seconds_sum", `table="interaction_events"`)
	if cnt < 1 || sum <= 0 {
		t.Errorf("writer: insert latency count %v sum %v, want observations", cnt, sum)
	}

	// A writer whose ClickHouse does not answer stays up, live and unready.
	dead := startProc(t, "writer", append(serviceEnv(n.url, ch), "VIGIA_CLICKHOUSE_ADDR="+freeAddr(t)))
	deadAddr := telemetryAddr(t, dead)
	body := waitStatus(t, "http://"+deadAddr+"/readyz", http.StatusServiceUnavailable, 30*time.Second)
	if !strings.Contains(body, "clickhouse") {
		t.Errorf("unready writer's reason does not name clickhouse: %s", body)
	}
	waitStatus(t, "http://"+deadAddr+"/livez", http.StatusOK, 5*time.Second)
	if err := dead.stop(syscall.SIGTERM, 15*time.Second); err != nil {
		t.Errorf("unready writer on SIGTERM: %v", err)
	}
	stopServices(t, procs)
}

// TestObservabilityAllInOne: `vigia run` against an external NATS puts its
// hop and its chained stages into the published traces and is ready.
func TestObservabilityAllInOne(t *testing.T) {
	conn, ch := freshDatabase(t)
	n := startNATS(t)
	col := newCollector(t)
	p := startProc(t, "vigia", telemetryEnv(serviceEnv(n.url, ch), col), "run")
	addr := telemetryAddr(t, p)
	waitStatus(t, "http://"+addr+"/readyz", http.StatusOK, time.Minute)
	waitStatus(t, "http://"+addr+"/livez", http.StatusOK, 5*time.Second)

	msgs, _ := generate(t, 6, "obsaio")
	ids := traceEvents(t, msgs)
	publish(t, n.js, msgs)
	waitConsumerDone(t, n.js, bus.StreamEvents, "vigia", time.Minute)
	waitRows(t, conn, "interaction_events", uint64(len(msgs)), 30*time.Second)
	waitHops(t, col, ids, []string{"vigia process"})
	insertUnderLinkedBatch(t, col, "vigia batch", ids)
	names := map[string]bool{}
	for _, s := range col.all() {
		names[s.name] = true
	}
	for _, want := range []string{"stage decode", "stage enrich", "stage classify", "stage detect"} {
		if !names[want] {
			t.Errorf("no %q span", want)
		}
	}
	_, body, err := httpGet("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	for _, stg := range []string{"enrich", "classify", "detect"} {
		if v, _ := metric(body, "vigia_stage_events_in_total", `stage="`+stg+`"`); v < float64(len(msgs)) {
			t.Errorf("vigia_stage_events_in_total{stage=%q} = %v, want >= %d", stg, v, len(msgs))
		}
	}
	if err := p.stop(syscall.SIGTERM, 15*time.Second); err != nil {
		t.Fatal(err)
	}
}
