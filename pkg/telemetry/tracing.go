package telemetry

import (
	"context"
	"fmt"
	"net/url"
	"sort"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/vigia-cx/vigia/pkg/config"
)

// ScopeName is the instrumentation scope of vigia's spans.
const ScopeName = "github.com/vigia-cx/vigia"

// Propagator reads and writes W3C trace context (traceparent, tracestate).
// It is used directly rather than through otel's global propagator, so
// trace context crosses NATS hops even in a process that never set one up.
var Propagator propagation.TextMapPropagator = propagation.TraceContext{}

// Tracer returns vigia's tracer from the current global provider. It is
// looked up on each call (once per batch, not per message) so a provider
// installed later, as tests do, takes effect.
func Tracer() trace.Tracer { return otel.Tracer(ScopeName) }

// SetupTracing installs the global tracer provider. Without an OTLP
// endpoint it installs nothing: otel's default no-op tracer keeps an
// incoming span context as the current one, so trace context still flows
// through every hop unchanged, at almost no cost. With one, spans are
// batched and exported over OTLP/HTTP, new traces sampled at
// cfg.SampleRatio and parents' decisions kept. The returned function
// flushes and stops the exporter.
func SetupTracing(ctx context.Context, cfg config.Telemetry, service string) (func(context.Context) error, error) {
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	if cfg.OTLPEndpoint == "" {
		return func(context.Context) error { return nil }, nil
	}
	endpoint, err := tracesURL(cfg.OTLPEndpoint)
	if err != nil {
		return nil, err
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(endpoint))
	if err != nil {
		return nil, fmt.Errorf("otlp exporter %s: %w", endpoint, err)
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(
		attribute.String("service.name", "vigia-"+service),
		attribute.String("service.namespace", "vigia"),
	))
	if err != nil {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	ratio := cfg.SampleRatio
	if ratio < 0 || ratio > 1 {
		return nil, fmt.Errorf("telemetry sample ratio %v: want 0..1", ratio)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
	)
	otel.SetTracerProvider(tp)
	return tp.Shutdown, nil
}

// tracesURL takes an OTLP/HTTP base endpoint like http://collector:4318, as
// OTEL_EXPORTER_OTLP_ENDPOINT does, and adds the traces path; an endpoint
// that already has a path is used as given.
func tracesURL(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("otlp endpoint %q: %w", endpoint, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("otlp endpoint %q: want http(s)://host:port", endpoint)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/traces"
	}
	return u.String(), nil
}

// HeaderCarrier adapts NATS message headers to the propagation API. NATS
// header keys are case-sensitive, unlike HTTP's, and trace context travels
// under the lowercase W3C names.
type HeaderCarrier map[string][]string

// Get returns the first value of key.
func (c HeaderCarrier) Get(key string) string {
	if v := c[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Set replaces key's values with value.
func (c HeaderCarrier) Set(key, value string) { c[key] = []string{value} }

// Keys lists the header names.
func (c HeaderCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// RemoteSpanContext is the span context a message's headers carry, or the
// zero (invalid) one. Messages without a traceparent cost one map lookup.
func RemoteSpanContext(h map[string][]string) trace.SpanContext {
	if len(h["traceparent"]) == 0 {
		return trace.SpanContext{}
	}
	return trace.SpanContextFromContext(Propagator.Extract(context.Background(), HeaderCarrier(h)))
}

// Inject writes the trace context of ctx's span into h.
func Inject(ctx context.Context, h map[string][]string) {
	Propagator.Inject(ctx, HeaderCarrier(h))
}
