package sandbox

import (
	"math"
	"sync"
	"time"
)

// rateState is what a provider needs to write its rate-limit headers or its 429.
type rateState struct {
	budgeted  bool // Options.Budget is set; otherwise headers are omitted and 429s use nominal limits
	limit     int  // requests allowed per window (0: use the provider's documented figure)
	remaining int
	window    time.Duration
	reset     time.Time     // when the window next has room (429) or is empty again (2xx)
	delay     time.Duration // > 0: over budget, retry after this long
	now       time.Time
}

// seconds rounds a delay up to whole seconds, at least one, so a client that waits that long
// is never early.
func (rs rateState) seconds() int64 {
	return max(int64(math.Ceil(rs.delay.Seconds())), 1)
}

// limiter enforces Options.Budget with a sliding-window log per credential: at most
// floor(Budget) requests in any trailing second (for Budget < 1: one per 1/Budget seconds).
// A sliding log, unlike a token bucket, makes "never more than Budget in any second" exact,
// and the delay it reports (until the oldest request leaves the window) is exactly true.
// Rejected requests are not logged, so waiting the reported delay always succeeds.
type limiter struct {
	mu      sync.Mutex
	window  time.Duration
	allowed int
	logs    map[string][]time.Time
}

func newLimiter(budget float64) *limiter {
	if budget <= 0 {
		return nil
	}
	l := &limiter{window: time.Second, allowed: int(budget), logs: map[string][]time.Time{}}
	if budget < 1 {
		l.window, l.allowed = time.Duration(float64(time.Second)/budget), 1
	}
	return l
}

func (l *limiter) admit(key string, now time.Time) rateState {
	if l == nil {
		return rateState{now: now}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	log := expire(l.logs[key], now, l.window)
	rs := rateState{budgeted: true, limit: l.allowed, window: l.window, now: now}
	if len(log) >= l.allowed {
		l.logs[key] = log
		rs.reset = log[0].Add(l.window)
		rs.delay = rs.reset.Sub(now)
		return rs
	}
	log = append(log, now)
	l.logs[key] = log
	rs.remaining = l.allowed - len(log)
	rs.reset = now.Add(l.window)
	return rs
}

// expire drops entries at or before now-window.
func expire(log []time.Time, now time.Time, window time.Duration) []time.Time {
	cut := now.Add(-window)
	k := 0
	for k < len(log) && !log[k].After(cut) {
		k++
	}
	return log[k:]
}
