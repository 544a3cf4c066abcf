// Package telemetry is what every vigia binary shares to be observed:
// structured logs that carry the current trace, OpenTelemetry tracing with
// W3C trace context carried in NATS headers, Prometheus metrics, and the
// HTTP endpoint serving /metrics, /livez and /readyz.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/vigia-cx/vigia/pkg/config"
)

// Logger makes the process logger: text or JSON on w, at level, with the
// service name on every line. Records logged with a context that holds a
// span also carry its trace_id and span_id.
func Logger(w io.Writer, service, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler
	switch format {
	case "json":
		h = slog.NewJSONHandler(w, opts)
	case "text", "":
		h = slog.NewTextHandler(w, opts)
	default:
		return nil, fmt.Errorf("log format %q: want text or json", format)
	}
	return slog.New(NewTraceHandler(h)).With("service", service), nil
}

// Telemetry is a process's running telemetry: the tracer provider and the
// HTTP endpoint. Health is where the process registers readiness checks.
type Telemetry struct {
	Health   *Health
	server   *Server
	shutdown func(context.Context) error
}

// Start sets up tracing (exported when cfg.OTLPEndpoint is set) and, unless
// cfg.HTTPAddr is empty, serves /metrics, /livez and /readyz. Readiness is
// false until Health.SetStarted is called.
func Start(ctx context.Context, cfg config.Telemetry, service string, log *slog.Logger) (*Telemetry, error) {
	shutdown, err := SetupTracing(ctx, cfg, service)
	if err != nil {
		return nil, err
	}
	t := &Telemetry{Health: NewHealth(), shutdown: shutdown}
	if cfg.OTLPEndpoint != "" {
		log.Info("exporting traces", "endpoint", cfg.OTLPEndpoint, "sample_ratio", cfg.SampleRatio)
	}
	if cfg.HTTPAddr != "" {
		if t.server, err = Serve(cfg.HTTPAddr, t.Health, log); err != nil {
			_ = shutdown(ctx)
			return nil, err
		}
	}
	return t, nil
}

// Shutdown stops the HTTP endpoint and flushes the spans not exported yet.
// It is meant to run after the pipeline drained, so the drain's last spans
// are exported and /metrics answers until the end.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var errs []error
	if t.server != nil {
		errs = append(errs, t.server.Shutdown(ctx))
	}
	errs = append(errs, t.shutdown(ctx))
	return errors.Join(errs...)
}

// Addr is the HTTP endpoint's bound address ("" when disabled).
func (t *Telemetry) Addr() string {
	if t == nil || t.server == nil {
		return ""
	}
	return t.server.Addr
}
