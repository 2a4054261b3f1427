// Package endpoint is the worker's operational HTTP endpoint: /metrics for Prometheus,
// /healthz for liveness and /readyz for readiness.
package endpoint

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Handler routes the three paths. metrics may be nil, which serves 404 on /metrics.
func Handler(metrics http.Handler, ready *Readiness) http.Handler {
	mux := http.NewServeMux()
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	// Liveness is only "the process answers": restarting a worker because Temporal is
	// down would not bring Temporal back.
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		// The reason stays in the worker's own logs: Temporal's error text is no one
		// else's business.
		if err := ready.Ready(r.Context()); err != nil {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	return mux
}

// Server is the running endpoint.
type Server struct {
	// Addr is the address it listens on, with the real port when addr asked for port 0.
	Addr string
	srv  *http.Server
}

// Serve listens on addr now, so a taken port fails the worker at start, and serves h in
// the background until Shutdown.
func Serve(addr string, h http.Handler, log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: ln.Addr().String(), srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("HTTP endpoint stopped", "addr", s.Addr, "error", err)
		}
	}()
	return s, nil
}

// Shutdown stops listening and waits for requests in progress.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.srv.Shutdown(ctx)
}
