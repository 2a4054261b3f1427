package endpoint

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// DefaultTTL is how long a Temporal health answer is reused: probes every few seconds
// from several sources should not each cost a round trip.
const DefaultTTL = 5 * time.Second

// Readiness says whether the worker is polling and Temporal answers. The zero value is
// a worker that has not started.
type Readiness struct {
	// TTL caches the check's answer; zero means DefaultTTL.
	TTL time.Duration
	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time
	// Log hears why the worker stopped being ready; /readyz itself never says.
	Log *slog.Logger

	mu        sync.Mutex
	check     func(context.Context) error
	stopping  bool
	checkedAt time.Time
	last      error
}

var (
	errNotStarted = errors.New("worker not started")
	errStopping   = errors.New("worker stopping")
)

// Started marks the worker as polling; check asks Temporal whether it is reachable.
func (r *Readiness) Started(check func(context.Context) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.check, r.checkedAt, r.last = check, time.Time{}, nil
}

// Stopping marks the worker as draining: it takes no new pages.
func (r *Readiness) Stopping() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopping = true
}

// Ready is nil when the worker is started, not stopping, and the last check (at most
// TTL old) passed. A check gets two seconds.
func (r *Readiness) Ready(ctx context.Context) error {
	if r == nil {
		return errNotStarted
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.stopping:
		return errStopping
	case r.check == nil:
		return errNotStarted
	}
	now := r.now()
	ttl := r.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if r.checkedAt.IsZero() || now.Sub(r.checkedAt) >= ttl {
		// A probe that hangs up must not leave "context canceled" cached for TTL.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		was := r.last
		r.last = r.check(cctx)
		cancel()
		if r.last != nil && was == nil && r.Log != nil {
			r.Log.Warn("not ready: Temporal health check failed", "error", r.last)
		}
		r.checkedAt = now
	}
	if r.last != nil {
		return errors.New("temporal unreachable: " + r.last.Error())
	}
	return nil
}

func (r *Readiness) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
