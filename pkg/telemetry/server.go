package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server is the telemetry HTTP endpoint.
type Server struct {
	// Addr is the bound address: the configured one, with a port 0 replaced
	// by the port the system picked.
	Addr string
	srv  *http.Server
	done chan struct{}
}

// Serve listens on addr and serves /metrics, /livez and /readyz. The bound
// address is logged, so a process started with port 0 can be found.
func Serve(addr string, h *Health, log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("telemetry listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(Registry, promhttp.HandlerOpts{Registry: Registry}))
	mux.Handle("/livez", h.LivezHandler())
	mux.Handle("/readyz", h.ReadyzHandler())
	s := &Server{
		Addr: ln.Addr().String(),
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      30 * time.Second,
		},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("telemetry server", "err", err)
		}
	}()
	log.Info("telemetry listening", "addr", s.Addr)
	return s, nil
}

// Shutdown stops serving, letting requests in flight finish within ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("telemetry server shutdown: %w", err)
	}
	<-s.done
	return nil
}
