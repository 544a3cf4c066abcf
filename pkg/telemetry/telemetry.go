// Package telemetry sets up structured logging for every vigia binary.
package telemetry

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Logger makes the process logger: text or JSON on w, at level, with the
// service name on every line.
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
	return slog.New(h).With("service", service), nil
}
