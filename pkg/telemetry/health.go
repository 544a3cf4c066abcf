package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Check reports whether a dependency is usable; nil means yes.
type Check func(ctx context.Context) error

// checkTimeout bounds one readiness probe: a dependency that does not
// answer this fast counts as unreachable.
const checkTimeout = 2 * time.Second

type namedCheck struct {
	name  string
	check Check
}

// Health answers /livez and /readyz. Liveness is the process serving HTTP;
// readiness is: started, not stopping, and every registered check passing.
type Health struct {
	mu       sync.RWMutex
	checks   []namedCheck
	started  atomic.Bool
	stopping atomic.Bool
}

// NewHealth returns a Health that is live and not yet ready.
func NewHealth() *Health { return &Health{} }

// Add registers (or replaces) the check called name.
func (h *Health) Add(name string, c Check) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.checks {
		if h.checks[i].name == name {
			h.checks[i].check = c
			return
		}
	}
	h.checks = append(h.checks, namedCheck{name, c})
}

// SetStarted marks the pipeline as running: until then the process is
// connecting or loading and is not ready.
func (h *Health) SetStarted() { h.started.Store(true) }

// SetStopping marks the process as draining: it is no longer ready.
func (h *Health) SetStopping() { h.stopping.Store(true) }

// Status is the body of /readyz.
type Status struct {
	Ready bool `json:"ready"`
	// Reason is the first failure, for a human glancing at the probe.
	Reason string `json:"reason,omitempty"`
	// Checks maps each check to "ok" or its error.
	Checks map[string]string `json:"checks"`
}

// Ready runs the checks.
func (h *Health) Ready(ctx context.Context) Status {
	h.mu.RLock()
	checks := append([]namedCheck(nil), h.checks...)
	h.mu.RUnlock()
	st := Status{Ready: true, Checks: make(map[string]string, len(checks))}
	fail := func(reason string) {
		if st.Ready {
			st.Ready, st.Reason = false, reason
		}
	}
	if h.stopping.Load() {
		fail("stopping")
	} else if !h.started.Load() {
		fail("starting")
	}
	for _, c := range checks {
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		err := c.check(cctx)
		cancel()
		if err != nil {
			st.Checks[c.name] = err.Error()
			fail(c.name + ": " + err.Error())
			continue
		}
		st.Checks[c.name] = "ok"
	}
	return st
}

// LivezHandler answers 200 while the process can serve HTTP at all.
func (h *Health) LivezHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
}

// ReadyzHandler answers 200 when ready and 503 with the reason when not.
func (h *Health) ReadyzHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := h.Ready(r.Context())
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if !st.Ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(st)
	})
}

// Cached wraps check so it runs at most once per interval; probes in
// between get the last result. Checks that cost a round trip (a ClickHouse
// ping) are cached so frequent probes, or several probers, do not load the
// dependency. The check itself is bounded by timeout.
func Cached(interval, timeout time.Duration, check Check) Check {
	var (
		mu   sync.Mutex
		last time.Time
		err  error
	)
	return func(ctx context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		if !last.IsZero() && time.Since(last) < interval {
			return err
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		err = check(cctx)
		if err != nil && errors.Is(err, context.DeadlineExceeded) {
			err = errors.New("no answer within " + timeout.String())
		}
		last = time.Now()
		return err
	}
}
