package telemetry

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Probe asks the telemetry endpoint at addr (the process's configured
// VIGIA_TELEMETRY_HTTP_ADDR) whether it is ready. It is the container
// health check of images with no shell or curl: `/app healthcheck`.
func Probe(ctx context.Context, addr string) error {
	if addr == "" {
		return fmt.Errorf("probe: the telemetry endpoint is disabled (VIGIA_TELEMETRY_HTTP_ADDR is empty)")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("probe %s: %w", addr, err)
	}
	// A wildcard listen address is reached on loopback.
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/readyz", nil)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("probe: not ready (%s): %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
