package provider

import (
	"context"
	"sync"
	"time"
)

// windowGuard is how much longer than a second the pacer makes the span of any budget's
// worth of consecutive requests plus one: a provider counts arrivals, which scheduling
// can move a little from when a request was let go. It replaced a margin of 1 % on every
// spacing, which cost 10 ms a second to guard 5 ms (lateness under lateSlack was
// forgiven inside it). On the bench's budget rows (idle machine) Clio and Attio went from
// 97 % of the budget to 98 %, with no 429s. Half the old margin with the old rule drew
// 429s: forgiven lateness then ate the whole guard.
const windowGuard = 5 * time.Millisecond

// lateSlack is how late a caller may leave before the next one's time moves with it.
const lateSlack = 5 * time.Millisecond

// Pacer spaces requests so one credential stays under its documented budget, and holds
// every caller back after a 429 until the provider's reset. A nil *Pacer never waits.
//
// Two rules decide when the next caller goes. Spacing: the budget's interval after the
// previous one was due, so a timer's usual lateness (under lateSlack) is not carried
// forward into a slower pace; a caller later than that pushes the next one back. Window:
// never sooner than windowGuard past a whole window (as many intervals as fit in a
// second) after the caller that many turns back actually went. The window is what a
// provider's "N a second" counts, and it is measured on real release times, so forgiven
// lateness can never put N+1 requests inside one second.
type Pacer struct {
	turn     chan struct{}
	mu       sync.Mutex
	base     time.Duration // spacing for the whole budget
	interval time.Duration // spacing for this process's share of it
	last     time.Time     // when the latest caller was due, or went if much later
	went     []time.Time   // when the latest callers went, a window's worth, oldest at next
	next     int
	hold     time.Time // no caller goes before this (a 429, a spent quota)
}

// NewPacer allows perSecond requests a second; zero or less disables pacing.
func NewPacer(perSecond float64) *Pacer {
	if perSecond <= 0 {
		return nil
	}
	d := time.Duration(float64(time.Second) / perSecond)
	p := &Pacer{turn: make(chan struct{}, 1), base: d}
	p.setInterval(d)
	return p
}

// Share gives this process 1/workers of the budget, when that many processes spend it.
func (p *Pacer) Share(workers int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setInterval(p.base * time.Duration(max(workers, 1)))
}

// setInterval sets the spacing and sizes the window to the intervals that fit in a
// second. The latest releases are kept: Share is called while requests flow, and a window
// forgotten then would let a budget and a half through in the next second.
func (p *Pacer) setInterval(d time.Duration) {
	p.interval = d
	n := max(int(time.Second/d), 1)
	went := make([]time.Time, n)
	for i := range min(n, len(p.went)) { // newest first
		k := (p.next - 1 - i + 2*len(p.went)) % len(p.went)
		went[n-1-i] = p.went[k]
	}
	p.went, p.next = went, 0
}

// window is the shortest time a window's worth of requests plus one may span.
func (p *Pacer) window() time.Duration {
	return time.Duration(len(p.went))*p.interval + windowGuard
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
			p.release(at, time.Now())
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

// release records a caller due at at that went at now.
func (p *Pacer) release(at, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = released(at, now)
	p.went[p.next] = now
	p.next = (p.next + 1) % len(p.went)
}

// released is when a caller due at at and let go at now counts as gone, for spacing.
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
	if oldest := p.went[p.next]; !oldest.IsZero() {
		if w := oldest.Add(p.window()); w.After(at) {
			at = w
		}
	}
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
