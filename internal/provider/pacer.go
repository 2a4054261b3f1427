package provider

import (
	"context"
	"sync"
	"time"
)

// jitterMargin widens the spacing so requests paced at exactly a provider's budget stay
// under a sliding window (at most N in any second): N+1 requests then span at least
// 1 s + 1 %, twice the lateness a caller may leave uncorrected (lateSlack). Measured on the
// bench's budget rows: exactly the budget drew 3 % 429s, each costing the provider's delay;
// 2 % drew none and reached 95-96 % of the budget, 1 % none and 96-97 %.
const jitterMargin = 0.01

// lateSlack is how late a caller may leave before the next one's time moves with it.
const lateSlack = 5 * time.Millisecond

// Pacer spaces requests so one credential stays under its documented budget, and holds
// every caller back after a 429 until the provider's reset. A nil *Pacer never waits.
//
// Callers take turns, and the spacing runs from when the previous caller was let go:
// one that wakes more than lateSlack after its time pushes the next one back, instead of
// leaving two requests closer than the spacing. Lateness under lateSlack (a timer's
// usual) is not carried forward, or it would add up to a slower pace.
type Pacer struct {
	turn     chan struct{}
	mu       sync.Mutex
	base     time.Duration // spacing for the whole budget
	interval time.Duration // spacing for this process's share of it
	last     time.Time     // when the latest caller was let go
	hold     time.Time     // no caller goes before this (a 429, a spent quota)
}

// NewPacer allows perSecond requests a second, less the jitter margin; zero or less
// disables pacing.
func NewPacer(perSecond float64) *Pacer {
	if perSecond <= 0 {
		return nil
	}
	d := time.Duration(float64(time.Second) / perSecond * (1 + jitterMargin))
	return &Pacer{turn: make(chan struct{}, 1), base: d, interval: d}
}

// Share gives this process 1/workers of the budget, when that many processes spend it.
func (p *Pacer) Share(workers int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.interval = p.base * time.Duration(max(workers, 1))
}

// Wait blocks until the next request may go.
func (p *Pacer) Wait(ctx context.Context) error {
	if p == nil {
		return nil
	}
	select {
	case p.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.turn }()
	for {
		at := p.nextAt()
		d := time.Until(at)
		if d <= 0 {
			p.mu.Lock()
			p.last = released(at, time.Now())
			p.mu.Unlock()
			return nil
		}
		// Sleep and look again: a 429 may have moved the hold meanwhile.
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// released is when a caller due at at and let go at now counts as gone.
func released(at, now time.Time) time.Time {
	if now.Sub(at) < lateSlack {
		return at
	}
	return now
}

func (p *Pacer) nextAt() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	at := p.last.Add(p.interval)
	if p.hold.After(at) {
		at = p.hold
	}
	return at
}

// Backoff holds every later request until d from now.
func (p *Pacer) Backoff(d time.Duration) {
	if p == nil || d <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := time.Now().Add(d); until.After(p.hold) {
		p.hold = until
	}
}
