package activities

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// recordSize is the size of the one record of every bigPages page.
const recordSize = 256 << 10

// bigPages is a connector whose pages are one record of recordSize bytes each, read
// through provider.Call from a local server as a real connector reads them, so that every
// page claims its memory where a real one does. A partition gets at most perPartition
// pages; asking for more waits until the request is cancelled.
type bigPages struct {
	listConnector
	url    string
	client *http.Client
}

func serveBigPages(t *testing.T, perPartition int) bigPages {
	t.Helper()
	record := `{"blob":"` + strings.Repeat("x", recordSize-12) + `"}`
	var mu sync.Mutex
	served := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		part := r.URL.Query().Get("partition")
		mu.Lock()
		served[part]++
		n := served[part]
		mu.Unlock()
		if n > perPartition {
			<-r.Context().Done()
			return
		}
		_, _ = w.Write([]byte(`{"data":[` + record + `]}`))
	}))
	t.Cleanup(srv.Close)
	return bigPages{listConnector: listConnector{n: 1 << 30}, url: srv.URL, client: srv.Client()}
}

func (c bigPages) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	part := strconv.Itoa(req.Position.End) // tests put the partition in End, which Fetch ignores
	r, err := http.NewRequest(http.MethodGet, c.url+"?partition="+part, nil)
	if err != nil {
		return provider.Page{}, err
	}
	var out struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := provider.Call(ctx, c.client, nil, provider.Wire{Provider: "fake"}, "items", r, &out); err != nil {
		return provider.Page{}, err
	}
	next := req.Position
	next.Offset++
	return provider.Page{Records: out.Data, Next: next, Total: -1}, nil
}

// TestStreamsKeepToTheAheadPool: however many serial exports a worker streams, the pages
// they fetched ahead of their batches stay within the budget's Ahead pool; streams past it
// wait for room (here nobody takes a page, so they wait), and everything is given back
// when the streams stop.
func TestStreamsKeepToTheAheadPool(t *testing.T) {
	const maxBody, streamsN = 1 << 20, 24
	budget, err := provider.NewBudget(16*maxBody, maxBody) // Ahead: 4 MiB
	if err != nil {
		t.Fatal(err)
	}
	conn := serveBigPages(t, 2)
	a := &Activities{Providers: oneProvider{conn}, Store: storagetest.NewMemory(), MaxBody: maxBody, Budget: budget}
	ctx := a.limited(context.Background(), "items")
	var all []*stream
	for i := range streamsN {
		in := batchInput(1, provider.Position{End: i + 1}, 1).PageInput
		in.Partition = i
		all = append(all, a.startStream(ctx, conn, in))
	}
	// Every stream holds a page or waits for the pool.
	deadline := time.Now().Add(20 * time.Second)
	for {
		holding := 0
		for _, s := range all {
			if len(s.pages) > 0 {
				holding++
			}
		}
		if holding+int(budget.Ahead.Waiting()) >= streamsN {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d streams hold a page and %d wait for the pool, of %d", holding, budget.Ahead.Waiting(), streamsN)
		}
		time.Sleep(time.Millisecond) // polls the condition above
	}
	if peak := a.streams.peak.Load(); peak > budget.Ahead.Size() {
		t.Errorf("streams held %d bytes of records ahead at once; the Ahead pool is %d", peak, budget.Ahead.Size())
	}
	for _, s := range all {
		s.stop()
		<-s.ended
	}
	if held := budget.Pages.Held(); held != 0 || a.streams.held.Load() != 0 {
		t.Fatalf("after the streams stopped: %d bytes claimed, %d of records counted", held, a.streams.held.Load())
	}
}

// gate is a store whose Put waits until ready, so that pages pile up as far as the
// budget lets them.
type gate struct {
	storage.Store
	ready func() bool // nil: open
}

func (g gate) Put(ctx context.Context, key string, body []byte, contentType string, meta map[string]string) error {
	deadline := time.Now().Add(20 * time.Second)
	for g.ready != nil && !g.ready() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polls the condition
	}
	return g.Store.Put(ctx, key, body, contentType, meta)
}

// TestPageActivitiesKeepToTheBudget: a page queue runs many page activities at once
// (PAGEWISE_MAX_CONCURRENT_PAGES, per credential); together they hold no more than the
// worker's budget, as each page claims its memory before reading its body and keeps it
// until written. The others wait, and all are written.
func TestPageActivitiesKeepToTheBudget(t *testing.T) {
	const maxBody, pages = 1 << 20, 12
	budget, err := provider.NewBudget(4*maxBody, maxBody)
	if err != nil {
		t.Fatal(err)
	}
	conn := serveBigPages(t, 1)
	var mu sync.Mutex
	var live, peak, entered, returned int
	store := gate{Store: storagetest.NewMemory()}
	a := &Activities{Store: store, MaxBody: maxBody, Budget: budget}
	claimed(t, a, onceBase, "")
	// Puts wait until every page has been fetched or waits for memory, no body being read.
	store.ready = func() bool {
		mu.Lock()
		defer mu.Unlock()
		return entered == pages && int64(entered-returned) == budget.Pages.Waiting()
	}
	a.Store = store
	counted := countingConn{bigPages: conn, enter: func() {
		mu.Lock()
		defer mu.Unlock()
		entered++
	}, fetched: func(ok bool) {
		mu.Lock()
		defer mu.Unlock()
		returned++
		if ok {
			live++
			peak = max(peak, live)
		}
	}}
	a.Providers = oneProvider{counted}
	var wg sync.WaitGroup
	errs := make(chan error, pages)
	for i := range pages {
		wg.Go(func() {
			in := batchInput(1, provider.Position{End: i + 1}, 1).PageInput
			in.Partition = i
			_, err := a.FetchPage(context.Background(), in)
			mu.Lock()
			live--
			mu.Unlock()
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// A page holds its record and its compressed copy until written: twice its bytes.
	if held := int64(peak) * 2 * recordSize; held > budget.Pages.Size() {
		t.Fatalf("%d pages (%d bytes) were held at once; the budget is %d", peak, held, budget.Pages.Size())
	}
	if budget.Pages.Held() != 0 {
		t.Fatalf("%d bytes still claimed", budget.Pages.Held())
	}
}

// countingConn tells when a page's fetch starts and ends.
type countingConn struct {
	bigPages
	enter   func()
	fetched func(ok bool)
}

func (c countingConn) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	c.enter()
	page, err := c.bigPages.Fetch(ctx, req)
	c.fetched(err == nil)
	return page, err
}
