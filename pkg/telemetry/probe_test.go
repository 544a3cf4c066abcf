package telemetry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestProbe(t *testing.T) {
	ready := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		if !ready {
			http.Error(w, `{"ready":false,"reason":"clickhouse: connection refused"}`, http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"ready":true}`))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	if err := Probe(context.Background(), addr); err != nil {
		t.Fatalf("ready server: %v", err)
	}
	ready = false
	err := Probe(context.Background(), addr)
	if err == nil || !strings.Contains(err.Error(), "clickhouse: connection refused") {
		t.Fatalf("not ready: %v", err)
	}
	// A wildcard listen address is probed on loopback.
	_, port, _ := strings.Cut(addr, ":")
	ready = true
	if err := Probe(context.Background(), "0.0.0.0:"+port); err != nil {
		t.Fatalf("wildcard: %v", err)
	}
	if err := Probe(context.Background(), ""); err == nil {
		t.Fatal("a disabled endpoint must not pass")
	}
}
