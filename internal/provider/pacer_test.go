package provider

import (
	"context"
	"testing"
	"time"
)

func TestPacerShare(t *testing.T) {
	p := NewPacer(10)
	if p.base != 101*time.Millisecond {
		t.Fatalf("10/s spaces requests %v apart, want 100ms and the 1%% jitter margin", p.base)
	}
	p.Share(4)
	if p.interval != 4*p.base {
		t.Fatalf("a quarter of 10/s spaces requests %v apart, want %v", p.interval, 4*p.base)
	}
	p.Share(0)
	if p.interval != p.base {
		t.Fatalf("sharing with no one spaces requests %v apart, want %v", p.interval, p.base)
	}
	var none *Pacer
	none.Share(3) // pacing off stays off
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
