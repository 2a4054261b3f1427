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

// Stats is a snapshot of what the sandbox served, per provider.
type Stats struct {
	Providers map[string]ProviderStats `json:"providers"`
}

// ProviderStats counts one provider's data requests (admin endpoints are not counted).
type ProviderStats struct {
	Requests int64 `json:"requests"`
	// ByStatus counts answers by HTTP status; dropped connections and requests whose client
	// left during a timeout fault have no status and are absent.
	ByStatus map[int]int64 `json:"by_status"`
	// RateLimited counts 429 answers, whether from the budget or an injected fault.
	RateLimited int64 `json:"rate_limited"`
	// OverBudget counts 429s caused by Options.Budget alone.
	OverBudget int64 `json:"over_budget"`
	// Faults counts injected faults by kind.
	Faults map[Fault]int64 `json:"faults"`
	// MaxPerSecond is, per credential presented ("(none)" for none), the most requests seen
	// in any trailing one-second window (all requests, including rejected ones).
	MaxPerSecond map[string]int `json:"max_per_second"`
}

type statsBook struct {
	mu     sync.Mutex
	p      map[string]*ProviderStats
	recent map[string][]time.Time // provider\x00credential -> arrivals in the last second
}

func newStatsBook() *statsBook {
	return &statsBook{p: map[string]*ProviderStats{}, recent: map[string][]time.Time{}}
}

func (b *statsBook) get(provider string) *ProviderStats {
	ps := b.p[provider]
	if ps == nil {
		ps = &ProviderStats{ByStatus: map[int]int64{}, Faults: map[Fault]int64{}, MaxPerSecond: map[string]int{}}
		b.p[provider] = ps
	}
	return ps
}

func (b *statsBook) request(provider, cred string, now time.Time) {
	if cred == "" {
		cred = "(none)"
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	ps := b.get(provider)
	ps.Requests++
	key := provider + "\x00" + cred
	log := append(expire(b.recent[key], now, time.Second), now)
	b.recent[key] = log
	ps.MaxPerSecond[cred] = max(ps.MaxPerSecond[cred], len(log))
}

func (b *statsBook) status(provider string, code int) {
	if code == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	ps := b.get(provider)
	ps.ByStatus[code]++
	if code == 429 {
		ps.RateLimited++
	}
}

func (b *statsBook) fault(provider string, f Fault) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.get(provider).Faults[f]++
}

func (b *statsBook) overBudget(provider string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.get(provider).OverBudget++
}

func (b *statsBook) snapshot() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := Stats{Providers: map[string]ProviderStats{}}
	for name, ps := range b.p {
		c := *ps
		c.ByStatus, c.Faults, c.MaxPerSecond = map[int]int64{}, map[Fault]int64{}, map[string]int{}
		for k, v := range ps.ByStatus {
			c.ByStatus[k] = v
		}
		for k, v := range ps.Faults {
			c.Faults[k] = v
		}
		for k, v := range ps.MaxPerSecond {
			c.MaxPerSecond[k] = v
		}
		out.Providers[name] = c
	}
	return out
}
