package activities

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// checkAfterNext is a provider.Prefetcher whose check of a page passes only once the page
// after it has been asked for, and fails for the page at bad: a stream that checked a
// page before asking for the next would wait out the check.
type checkAfterNext struct {
	listConnector
	bad    int
	mu     sync.Mutex
	asked  map[int]chan struct{} // by offset, closed when asked for
	checks int
}

func (c *checkAfterNext) was(off int) chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.asked[off] == nil {
		c.asked[off] = make(chan struct{})
	}
	return c.asked[off]
}

func (c *checkAfterNext) FetchUnchecked(ctx context.Context, req provider.Request) (provider.Page, func() error, error) {
	off := req.Position.Offset
	close(c.was(off))
	page, err := c.listConnector.Fetch(ctx, req)
	return page, func() error {
		c.mu.Lock()
		c.checks++
		c.mu.Unlock()
		if !page.Done {
			select {
			case <-c.was(page.Next.Offset):
			case <-time.After(5 * time.Second):
				return errors.New("checked before the next page was asked for")
			}
		}
		if off == c.bad {
			return provider.Broken("fake", "items", req.Position, "record out of order")
		}
		return nil
	}, err
}

func (c *checkAfterNext) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	page, check, err := c.FetchUnchecked(ctx, req)
	if err == nil {
		err = check()
	}
	return page, err
}

// A stream checks a page's records while the next page is on its way, and a page that
// fails its check is never written: the batch keeps the pages before it.
func TestStreamChecksAPageWhileFetchingTheNext(t *testing.T) {
	conn := &checkAfterNext{listConnector: listConnector{n: 60}, bad: 30, asked: map[int]chan struct{}{}}
	a := &Activities{Providers: oneProvider{conn}, Store: storagetest.NewMemory()}
	claimed(t, a, onceBase, "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := a.FetchPages(ctx, batchInput(1, provider.Position{}, 100))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Failed || res.Pages != 3 || res.Records != 30 || res.Next.Offset != 30 {
		t.Fatalf("batch = %+v, want 3 pages kept and the page at offset 30 failed", res)
	}
	if conn.checks != 4 {
		t.Fatalf("%d pages checked, want 4 (the failed one included)", conn.checks)
	}
	if _, err := a.Store.Get(ctx, PageKey(onceBase, 0, 4)); err == nil {
		t.Fatal("the page that failed its check was written")
	}
}

// A stream keeps aheadTime of pages ahead at the pace they come, within its bounds.
func TestAheadIsTimeNotPages(t *testing.T) {
	for _, tc := range []struct {
		pace time.Duration
		want int
	}{{0, maxAhead}, {time.Millisecond, maxAhead}, {20 * time.Millisecond, maxAhead}, {100 * time.Millisecond, 15},
		{400 * time.Millisecond, minAhead}, {5 * time.Second, minAhead}} {
		if got := aheadFor(tc.pace); got != tc.want {
			t.Errorf("aheadFor(%v) = %d, want %d", tc.pace, got, tc.want)
		}
	}
}

// A stream makes room for another page only while fewer than ahead pages, and fewer
// than aheadBytes of records, wait to be taken; a batch taking one makes room.
func TestStreamRoom(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel() // room answers at once when there is room, and gives up instead of waiting
	idle := time.NewTimer(time.Hour)
	defer idle.Stop()
	s := &stream{pages: make(chan fetched, maxAhead), taken: make(chan struct{}, 1), ws: new(streams)}
	for off := 0; off < 40; off += 10 {
		if got := s.room(done, idle, 4); got != roomMade {
			t.Fatalf("%d pages waiting of 4: room %v", len(s.pages), got)
		}
		s.pages <- fetched{in: PageInput{Position: provider.Position{Offset: off}}, page: provider.Page{Records: []json.RawMessage{[]byte("{}")}}}
		s.held.Add(2)
	}
	if got := s.room(done, idle, 4); got != roomCancelled {
		t.Fatalf("4 pages waiting of 4: room %v, want it to wait", got)
	}
	if _, _, ok, err := s.page(context.Background(), PageInput{}); !ok || err != nil {
		t.Fatalf("taking the first page: ok %v, err %v", ok, err)
	}
	if got := s.room(done, idle, 4); got != roomMade || s.held.Load() != 6 {
		t.Fatalf("3 pages waiting of 4: room %v, %d bytes held", got, s.held.Load())
	}
	s.held.Store(aheadBytes)
	if got := s.room(done, idle, 4); got != roomCancelled {
		t.Fatalf("%d bytes waiting: room %v, want it to wait", s.held.Load(), got)
	}
}

// holdAtThird answers two pages at once and holds the third until cancelled.
type holdAtThird struct {
	listConnector
	third chan struct{} // closed when the third page is asked for
}

func (c holdAtThird) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	if req.Position.Offset == 20 {
		close(c.third)
		<-ctx.Done()
		return provider.Page{}, ctx.Err()
	}
	return c.listConnector.Fetch(ctx, req)
}

// A stream that ends with pages nobody will take gives their bytes back to the worker.
func TestEndedStreamReleasesWhatItHeld(t *testing.T) {
	conn := holdAtThird{listConnector{n: 100}, make(chan struct{})}
	a := &Activities{Providers: oneProvider{conn}, Store: storagetest.NewMemory()}
	in := batchInput(1, provider.Position{}, 1)
	s := a.startStream(context.Background(), conn, in.PageInput)
	if _, _, ok, err := s.page(context.Background(), in.PageInput); !ok || err != nil {
		t.Fatalf("first page: ok %v, err %v", ok, err)
	}
	<-conn.third // the second page waits to be taken
	if a.streams.held.Load() == 0 {
		t.Fatal("the page waiting is not counted")
	}
	s.cancel()
	<-s.ended
	if n := a.streams.held.Load(); n != 0 {
		t.Fatalf("%d bytes still counted after the stream ended", n)
	}
}

// A stream that fetched to the partition's end and is then stopped, its last pages never
// taken (the next batch ran elsewhere, the export paused), gives their bytes back too.
func TestStoppedStreamReleasesWhatItHeld(t *testing.T) {
	conn := listConnector{n: 30}
	a := &Activities{Providers: oneProvider{conn}, Store: storagetest.NewMemory()}
	in := batchInput(1, provider.Position{}, 1)
	s := a.startStream(context.Background(), conn, in.PageInput)
	if _, _, ok, err := s.page(context.Background(), in.PageInput); !ok || err != nil {
		t.Fatalf("first page: ok %v, err %v", ok, err)
	}
	<-s.ended // fetched to the end: two pages wait
	if a.streams.held.Load() == 0 {
		t.Fatal("the pages waiting are not counted")
	}
	s.stop()
	if n := a.streams.held.Load(); n != 0 {
		t.Fatalf("%d bytes still counted after the stream was stopped", n)
	}
}
