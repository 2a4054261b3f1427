package activities

import (
	"context"
	"errors"
	"maps"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

func batchInput(seq int, at provider.Position, maxPages int) PagesInput {
	return PagesInput{PageInput: PageInput{Resolved: Resolved{ExportID: "once", Provider: "fake", Plan: oncePlan, Base: onceBase},
		Seq: seq, Position: at}, MaxPages: maxPages, MaxTime: time.Minute}
}

// A batch writes what FetchPage would, page for page, under the same keys, and stops at
// MaxPages or at the end.
func TestFetchPagesWritesWhatFetchPageWould(t *testing.T) {
	ctx := context.Background()
	batched := &Activities{Providers: oneProvider{listConnector{n: 25}}, Store: storagetest.NewMemory()}
	claimed(t, batched, onceBase, "")
	first, err := batched.FetchPages(ctx, batchInput(1, provider.Position{}, 2))
	if err != nil {
		t.Fatal(err)
	}
	if first.Fetched != 2 || first.Pages != 2 || first.Records != 20 || first.Done || first.Next.Offset != 20 || first.Total != 25 {
		t.Fatalf("first batch = %+v, want 2 pages of 20 records, going on at offset 20", first)
	}
	rest, err := batched.FetchPages(ctx, batchInput(3, first.Next, 100))
	if err != nil {
		t.Fatal(err)
	}
	if rest.Pages != 1 || rest.Records != 5 || !rest.Done {
		t.Fatalf("second batch = %+v, want the last page of 5 records", rest)
	}
	one := &Activities{Providers: oneProvider{listConnector{n: 25}}, Store: storagetest.NewMemory()}
	claimed(t, one, onceBase, "")
	p := exportTwice(t, one)
	if got := first.Bytes + rest.Bytes; got != p.Bytes {
		t.Fatalf("batches wrote %d bytes, pages one at a time %d", got, p.Bytes)
	}
	for seq := 1; seq <= 3; seq++ {
		a, errA := batched.Store.Get(ctx, PageKey(onceBase, 0, seq))
		b, errB := one.Store.Get(ctx, PageKey(onceBase, 0, seq))
		if errA != nil || errB != nil || string(a) != string(b) {
			t.Fatalf("page %d differs between a batch and FetchPage (%v, %v)", seq, errA, errB)
		}
	}
}

// slowStore holds the Put of page seq until the page after it has been asked for, which
// only happens if a page is written while the next is fetched.
type slowStore struct {
	*storagetest.Memory
	asked map[int]chan struct{} // by offset, closed when the connector is asked for it
}

func (s slowStore) Put(ctx context.Context, key string, body []byte, ct string, meta map[string]string) error {
	_, seq, _ := parsePageKey(onceBase, key)
	select {
	case <-s.asked[seq*oncePlan.PageSize]:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.Memory.Put(ctx, key, body, ct, meta)
}

type askingConnector struct {
	listConnector
	asked map[int]chan struct{}
}

func (c askingConnector) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	close(c.asked[req.Position.Offset])
	return c.listConnector.Fetch(ctx, req)
}

func TestFetchPagesWritesWhileFetchingTheNext(t *testing.T) {
	asked := map[int]chan struct{}{}
	for off := 0; off <= 50; off += 10 {
		asked[off] = make(chan struct{})
	}
	close(asked[50]) // no page follows the last
	mem := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{askingConnector{listConnector{n: 50}, asked}}, Store: mem}
	claimed(t, a, onceBase, "")
	a.Store = slowStore{Memory: mem, asked: asked}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := a.FetchPages(ctx, batchInput(1, provider.Position{}, 100))
	if err != nil {
		t.Fatalf("batch failed (%v): a write waited for a fetch that never started", err)
	}
	if res.Pages != 5 || res.Records != 50 || !res.Done {
		t.Fatalf("batch = %+v, want 5 pages of 50 records", res)
	}
}

// failingAt fails the page at one offset, once or for good.
type failingAt struct {
	listConnector
	at  int
	err error
}

func (c failingAt) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	if req.Position.Offset == c.at {
		return provider.Page{}, c.err
	}
	return c.listConnector.Fetch(ctx, req)
}

func TestFetchPagesKeepsThePagesBeforeAFailure(t *testing.T) {
	unavailable := &provider.Error{Provider: "fake", Resource: "items", Status: 503, Message: "unavailable", Retryable: true}
	a := &Activities{Providers: oneProvider{failingAt{listConnector{n: 45}, 20, unavailable}}, Store: storagetest.NewMemory()}
	claimed(t, a, onceBase, "")
	res, err := a.FetchPages(context.Background(), batchInput(1, provider.Position{}, 100))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Failed || res.Pages != 2 || res.Records != 20 || res.Done || res.Next.Offset != 20 {
		t.Fatalf("batch = %+v, want 2 pages kept and the failure at offset 20 left to the page queue", res)
	}
	// A failure on the batch's first page is the batch's.
	_, err = a.FetchPages(context.Background(), batchInput(3, res.Next, 100))
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrProvider || appErr.NonRetryable() {
		t.Fatalf("error = %v, want the page's retryable %s", err, ErrProvider)
	}
}

func TestFetchPagesFailsWhenAWriteFails(t *testing.T) {
	mem := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{listConnector{n: 45}}, Store: mem}
	claimed(t, a, onceBase, "")
	a.Store = failingPuts{mem}
	_, err := a.FetchPages(context.Background(), batchInput(1, provider.Position{}, 100))
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrStorage {
		t.Fatalf("error = %v, want a %s: the batch's pages are not all stored", err, ErrStorage)
	}
}

// countedConnector counts how often each offset is fetched.
type countedConnector struct {
	listConnector
	mu    sync.Mutex
	times map[int]int
}

func (c *countedConnector) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	c.mu.Lock()
	c.times[req.Position.Offset]++
	c.mu.Unlock()
	return c.listConnector.Fetch(ctx, req)
}

func (c *countedConnector) fetches() map[int]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.times)
}

// Pages fetched past a batch's end are the next batch's, when it goes on from there: each
// page is asked for once. A batch elsewhere (a partition paged again from its start)
// fetches for itself.
func TestNextBatchTakesThePagesFetchedAhead(t *testing.T) {
	conn := &countedConnector{listConnector: listConnector{n: 45}, times: map[int]int{}}
	a := &Activities{Providers: oneProvider{conn}, Store: storagetest.NewMemory()}
	claimed(t, a, onceBase, "")
	ctx := context.Background()
	first, err := a.FetchPages(ctx, batchInput(1, provider.Position{}, 2))
	if err != nil {
		t.Fatal(err)
	}
	rest, err := a.FetchPages(ctx, batchInput(3, first.Next, 100))
	if err != nil {
		t.Fatal(err)
	}
	if first.Records+rest.Records != 45 || !rest.Done {
		t.Fatalf("batches of %d and %d records, want 45 in all", first.Records, rest.Records)
	}
	if got := conn.fetches(); !maps.Equal(got, map[int]int{0: 1, 10: 1, 20: 1, 30: 1, 40: 1}) {
		t.Fatalf("fetches by offset %v, want each page once", got)
	}
	again, err := a.FetchPages(ctx, batchInput(1, provider.Position{}, 1))
	if err != nil {
		t.Fatal(err)
	}
	if again.Records != 10 || again.Next.Offset != 10 || conn.fetches()[0] != 2 {
		t.Fatalf("a batch from the start got %+v after %d fetches of offset 0, want its own fetch of the first page", again, conn.fetches()[0])
	}
}

// A paused export's stream is stopped: its producer ends and fetches nothing more.
func TestStopStreamEndsTheFetchingAhead(t *testing.T) {
	conn := &countedConnector{listConnector: listConnector{n: 10 * (2 + 2*maxAhead)}, times: map[int]int{}}
	a := &Activities{Providers: oneProvider{conn}, Store: storagetest.NewMemory()}
	claimed(t, a, onceBase, "")
	ctx := context.Background()
	in := batchInput(1, provider.Position{}, 2)
	res, err := a.FetchPages(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	s := a.streams.m[streamKey(in.PageInput)]
	if s == nil || s.next != res.Next {
		t.Fatalf("no stream kept at %+v after a batch that did not end the partition", res.Next)
	}
	if stopped, _ := a.StopStream(ctx, in.PageInput); !stopped {
		t.Fatal("StopStream found no stream")
	}
	ended := make(chan struct{})
	go func() {
		for f := range s.pages { // drained until the producer closes it
			_ = f
		}
		close(ended)
	}()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the stream still fetches after StopStream")
	}
	if stopped, _ := a.StopStream(ctx, in.PageInput); stopped {
		t.Fatal("a second StopStream found a stream")
	}
	if fetched := len(conn.fetches()); fetched > 2+maxAhead+1 {
		t.Fatalf("%d pages fetched, more than the batch's 2 and %d ahead", fetched, maxAhead+1)
	}
}
