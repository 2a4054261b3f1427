package provider

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// readers counts the response bodies being read at once. The first read of a body waits
// until every request is reading, waiting for memory or done, so that without a budget
// all of them would be read together.
type readers struct {
	next    http.RoundTripper
	all     int
	waiting func() int64
	now     atomic.Int64
	peak    atomic.Int64
	done    atomic.Int64
}

func (r *readers) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		resp.Body = &countedBody{ReadCloser: resp.Body, r: r}
	}
	return resp, err
}

type countedBody struct {
	io.ReadCloser
	r       *readers
	started bool
	closed  bool
}

func (b *countedBody) Read(p []byte) (int, error) {
	if !b.started {
		b.started = true
		n := b.r.now.Add(1)
		for peak := b.r.peak.Load(); n > peak && !b.r.peak.CompareAndSwap(peak, n); peak = b.r.peak.Load() {
		}
		deadline := time.Now().Add(10 * time.Second)
		for b.r.now.Load()+b.r.waiting()+b.r.done.Load() < int64(b.r.all) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond) // polls the condition above
		}
	}
	return b.ReadCloser.Read(p)
}

func (b *countedBody) Close() error {
	if b.started && !b.closed {
		b.r.now.Add(-1)
		b.r.done.Add(1)
	}
	b.closed = true
	return b.ReadCloser.Close()
}

// TestBudgetBoundsBodiesReadAtOnce: however many pages a worker runs at once (a page
// queue's concurrency), no more bodies are read at once than the budget has room for,
// each claimed at twice the largest body; the others wait, and every one succeeds.
func TestBudgetBoundsBodiesReadAtOnce(t *testing.T) {
	const maxBody, pages = 1 << 20, 8
	body := `{"data":"` + strings.Repeat("x", maxBody/2) + `"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	budget, err := NewBudget(4*maxBody, maxBody) // room for 2 bodies being read
	if err != nil {
		t.Fatal(err)
	}
	rt := &readers{next: srv.Client().Transport, all: pages, waiting: budget.Pages.Waiting}
	client := &http.Client{Transport: rt}
	ctx := WithLimits(context.Background(), Limits{MaxBody: maxBody, Budget: budget})
	var wg sync.WaitGroup
	errs := make(chan error, pages)
	for range pages {
		wg.Go(func() {
			hold := budget.Hold()
			defer hold.Release()
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			var out map[string]string
			errs <- Call(WithHold(ctx, hold), client, nil, Wire{Provider: "fake"}, "items", req, &out)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got, room := rt.peak.Load(), budget.Pages.Size()/(readFactor*maxBody); got > room {
		t.Fatalf("%d bodies were read at once; the budget has room for %d", got, room)
	}
	if budget.Pages.Peak() > budget.Pages.Size() || budget.Pages.Held() != 0 {
		t.Fatalf("pool peak %d of %d, %d still held", budget.Pages.Peak(), budget.Pages.Size(), budget.Pages.Held())
	}
}

// A hold claims once, keeps what its page needs, counts in Ahead only until its page is
// taken, and gives everything back.
func TestHoldKeepsAndGivesBack(t *testing.T) {
	const maxBody = 100
	b, err := NewBudget(1000, maxBody)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	h := b.AheadHold(func() bool { return false }, nil)
	if err := h.claim(ctx, readFactor*maxBody); err != nil {
		t.Fatal(err)
	}
	if b.Pages.Held() != 200 || b.Ahead.Held() != 200 {
		t.Fatalf("claimed: pages %d ahead %d, want 200 each", b.Pages.Held(), b.Ahead.Held())
	}
	if err := h.Keep(ctx, KeepBytes(Page{Records: []json.RawMessage{[]byte(`{"a":1}`)}})); err != nil {
		t.Fatal(err)
	}
	if b.Pages.Held() != 14 || b.Ahead.Held() != 14 {
		t.Fatalf("kept a 7-byte record: pages %d ahead %d, want 14 each", b.Pages.Held(), b.Ahead.Held())
	}
	h.Taken()
	if b.Pages.Held() != 14 || b.Ahead.Held() != 0 {
		t.Fatalf("taken: pages %d ahead %d, want 14 and 0", b.Pages.Held(), b.Ahead.Held())
	}
	h.Release()
	if b.Pages.Held() != 0 {
		t.Fatalf("released: %d still held", b.Pages.Held())
	}
	// A page a batch waits for does not count as ahead.
	awaited := b.AheadHold(func() bool { return true }, nil)
	if err := awaited.claim(ctx, 200); err != nil || b.Ahead.Held() != 0 || b.Pages.Held() != 200 {
		t.Fatalf("awaited page: err %v, ahead %d, pages %d", err, b.Ahead.Held(), b.Pages.Held())
	}
	awaited.Release()
	if _, err := NewBudget(299, maxBody); err == nil {
		t.Fatal("a budget under 3 bodies was accepted")
	}
}

// A claim waiting for Ahead goes on without it once its batch waits for the page.
func TestAheadClaimGoesOnWhenAwaited(t *testing.T) {
	b, err := NewBudget(800, 100) // Ahead: 200
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first := b.AheadHold(nil, nil)
	if err := first.claim(ctx, 200); err != nil {
		t.Fatal(err)
	}
	var awaited atomic.Bool
	wake := make(chan struct{}, 1)
	second := b.AheadHold(awaited.Load, wake)
	done := make(chan error, 1)
	go func() { done <- second.claim(ctx, 200) }()
	for deadline := time.Now().Add(10 * time.Second); b.Ahead.Waiting() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) { // polls until the claim waits
			t.Fatal("the second claim never waited for the Ahead pool")
		}
	}
	awaited.Store(true)
	wake <- struct{}{}
	if err := <-done; err != nil || second.inAhead || b.Pages.Held() != 400 || b.Ahead.Held() != 200 {
		t.Fatalf("err %v, in ahead %v, pages %d, ahead %d", err, second.inAhead, b.Pages.Held(), b.Ahead.Held())
	}
	first.Release()
	second.Release()
}
