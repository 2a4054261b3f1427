package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// TestCallHoldsBackWhenQuotaNearlySpent: a 2xx saying the credential's budget is spent
// holds later requests for two requests' spacing (the refill is further off); one with
// room to spare leaves them one spacing apart.
func TestCallHoldsBackWhenQuotaNearlySpent(t *testing.T) {
	for _, c := range []struct {
		remaining int
		held      bool
	}{{remaining: 0, held: true}, {remaining: 1, held: false}, {remaining: 5, held: false}} {
		t.Run(strconv.Itoa(c.remaining), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(c.remaining))
				w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(3*time.Second).Unix(), 10))
				_, _ = w.Write([]byte(`{}`))
			}))
			defer srv.Close()
			p := NewPacer(1)
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			before := time.Now()
			if _, err := Call(context.Background(), srv.Client(), p, Wire{Provider: "x", Quota: XRateLimit}, "r", req); err != nil {
				t.Fatal(err)
			}
			p.mu.Lock()
			wait := p.next.Sub(before)
			p.mu.Unlock()
			if held := wait >= 1500*time.Millisecond && wait <= 2100*time.Millisecond; held != c.held {
				t.Fatalf("remaining %d: next request in %v; want held past the refill: %v", c.remaining, wait, c.held)
			}
		})
	}
}

func TestXRateLimit(t *testing.T) {
	now := time.Unix(1_000, 0)
	h := http.Header{}
	h.Set("X-RateLimit-Remaining", "7")
	h.Set("X-RateLimit-Reset", "1002")
	rem, refill, ok := XRateLimit(&http.Response{Header: h}, now)
	if !ok || rem != 7 || refill != 2*time.Second {
		t.Fatalf("got %d, %v, %v; want 7, 2s, true", rem, refill, ok)
	}
	if _, _, ok := XRateLimit(&http.Response{Header: http.Header{}}, now); ok {
		t.Fatal("no headers read as a quota")
	}
}

func TestPacerShare(t *testing.T) {
	p := NewPacer(10)
	p.Share(4)
	if p.interval != 400*time.Millisecond {
		t.Fatalf("a quarter of 10/s spaces requests %v apart, want 400ms", p.interval)
	}
	p.Share(0)
	if p.interval != 100*time.Millisecond {
		t.Fatalf("sharing with no one spaces requests %v apart, want 100ms", p.interval)
	}
	var none *Pacer
	none.Share(3) // pacing off stays off
}
