package provider

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

func TestPacerShare(t *testing.T) {
	p := NewPacer(10)
	if p.base != 100*time.Millisecond || len(p.went) != 10 || p.window() != time.Second+windowGuard {
		t.Fatalf("10/s: spacing %v, window of %d taking %v; want 100ms, 10 and a second and the guard", p.base, len(p.went), p.window())
	}
	p.Share(4)
	if p.interval != 4*p.base || len(p.went) != 2 || p.window() != 800*time.Millisecond+windowGuard {
		t.Fatalf("a quarter of 10/s: spacing %v, window of %d; want %v and 2", p.interval, len(p.went), 4*p.base)
	}
	p.Share(0)
	if p.interval != p.base || len(p.went) != 10 {
		t.Fatalf("sharing with no one spaces requests %v apart, want %v", p.interval, p.base)
	}
	if p := NewPacer(0.5); len(p.went) != 1 || p.window() != 2*time.Second+windowGuard {
		t.Fatalf("0.5/s: a window of %d taking %v, want one request and 2 s and the guard", len(p.went), p.window())
	}
	var none *Pacer
	none.Share(3) // pacing off stays off
}

// Spacing forgives a timer's usual lateness, but the window counts when callers really
// went: a budget's worth plus one never fits in a second and the guard.
func TestPacerWindowCountsRealReleases(t *testing.T) {
	p := NewPacer(20)
	start := time.Unix(1_000, 0)
	for i := range 20 {
		due := start.Add(time.Duration(i) * p.interval)
		went := due
		if i == 0 {
			went = due.Add(4 * time.Millisecond) // late, but under lateSlack
		}
		p.release(due, went)
	}
	want := start.Add(4*time.Millisecond + time.Second + windowGuard)
	if got := p.nextAt(); !got.Equal(want) {
		t.Fatalf("the 21st request may go %v after the first was due, want %v", got.Sub(start), want.Sub(start))
	}
}

// Callers let go as soon as allowed, each a little late, keep within the budget over any
// second and lose little of it: the margin is one guard a window, not one a request.
func TestPacerKeepsCloseToTheBudget(t *testing.T) {
	p := NewPacer(20)
	rng := rand.New(rand.NewPCG(1, 2))
	var went []time.Time
	for range 2_000 {
		at := p.nextAt()
		now := at.Add(time.Duration(rng.Int64N(int64(time.Millisecond))))
		p.release(at, now)
		went = append(went, now)
	}
	for i := 20; i < len(went); i++ {
		if span := went[i].Sub(went[i-20]); span < time.Second+windowGuard {
			t.Fatalf("requests %d to %d went within %v", i-20, i, span)
		}
	}
	// 2,000 requests at exactly 20/s take 99.95 s; a 1 % margin would take 100.95 s.
	if took := went[len(went)-1].Sub(went[0]); took > 100_600*time.Millisecond {
		t.Fatalf("2,000 requests at 20/s took %v, want at most 0.65 %% over the budget's 99.95 s", took)
	}
}

// A caller released a little late counts from its due time; one released much later
// counts from when it went, so the next request is never closer than the spacing.
func TestPacerCarriesOnlyRealLateness(t *testing.T) {
	due := time.Unix(1_000, 0)
	if got := released(due, due.Add(time.Millisecond)); !got.Equal(due) {
		t.Fatalf("1 ms late counts from %v, want the due time", got)
	}
	late := due.Add(30 * time.Millisecond)
	if got := released(due, late); !got.Equal(late) {
		t.Fatalf("30 ms late counts from %v, want when it went", got)
	}
}

// Callers in turn never leave closer than the spacing, and a backoff holds the next.
func TestPacerSpacesCallersAndHoldsAfterBackoff(t *testing.T) {
	p := NewPacer(100)
	ctx := context.Background()
	var gone []time.Time
	for range 5 {
		if err := p.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		gone = append(gone, time.Now())
	}
	if span := gone[4].Sub(gone[0]); span < 4*p.base-lateSlack {
		t.Fatalf("5 requests spanned %v, want at least 4 spacings of %v", span, p.base)
	}
	p.Backoff(300 * time.Millisecond)
	held := time.Now()
	if err := p.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(held); waited < 300*time.Millisecond-lateSlack {
		t.Fatalf("after a 300 ms backoff the next request went in %v", waited)
	}
	cctx, cancel := context.WithCancel(ctx)
	p.Backoff(time.Hour)
	cancel()
	if err := p.Wait(cctx); err == nil {
		t.Fatal("a cancelled caller kept waiting out the hold")
	}
}

// Share is called while requests flow: the window it resizes still holds the latest
// releases, newest last, so the next caller waits for the oldest of them.
func TestPacerShareKeepsTheWindow(t *testing.T) {
	p := NewPacer(20)
	start := time.Unix(1_000, 0)
	for i := range 25 {
		at := start.Add(time.Duration(i) * p.interval)
		p.release(at, at)
	}
	p.Share(1)
	if want := start.Add(5*p.interval + time.Second + windowGuard); !p.nextAt().Equal(want) {
		t.Fatalf("after Share(1) the next request may go at %v, want %v", p.nextAt().Sub(start), want.Sub(start))
	}
	p.Share(2) // half the window: the newest ten releases
	if want := start.Add(15*50*time.Millisecond + time.Second + windowGuard); !p.nextAt().Equal(want) {
		t.Fatalf("after Share(2) the next request may go at %v, want %v", p.nextAt().Sub(start), want.Sub(start))
	}
}
