package provider

import (
	"context"
	"sync"
	"time"
)

// Pacer spaces requests so one credential stays under its documented budget, and holds
// every caller back after a 429 until the provider's reset. A nil *Pacer never waits.
type Pacer struct {
	mu       sync.Mutex
	base     time.Duration // spacing for the whole budget
	interval time.Duration // spacing for this process's share of it
	next     time.Time
}

// NewPacer allows perSecond requests a second; zero or less disables pacing.
func NewPacer(perSecond float64) *Pacer {
	if perSecond <= 0 {
		return nil
	}
	d := time.Duration(float64(time.Second) / perSecond)
	return &Pacer{base: d, interval: d}
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
	p.mu.Lock()
	now := time.Now()
	at := p.next
	if at.Before(now) {
		at = now
	}
	p.next = at.Add(p.interval)
	p.mu.Unlock()
	if d := time.Until(at); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// Backoff pushes every later request past d from now.
func (p *Pacer) Backoff(d time.Duration) {
	if p == nil || d <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := time.Now().Add(d); until.After(p.next) {
		p.next = until
	}
}

// Spent holds requests after the provider says the budget is used up until refill, but
// no longer than two requests' spacing: a sliding window (Clio, Close) has room again as
// soon as its oldest request ages out, long before the reset it reports. If it does not,
// the 429 that follows carries the provider's own delay.
func (p *Pacer) Spent(refill time.Duration) {
	if p == nil {
		return
	}
	p.Backoff(min(refill, 2*p.base))
}
