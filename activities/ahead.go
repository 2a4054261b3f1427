package activities

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// A serial partition's pages are fetched by a stream that runs ahead of the batch taking
// them, and outlives the batch: while the workflow records one batch and starts the next,
// the next pages are already on their way. Pages fetched ahead are held in memory only;
// nothing is written before a batch takes them, so a crash still loses at most the batch
// in flight.
//
// How far ahead is time, not pages: aheadTime of them at the pace pages come, at least
// minAhead and at most maxAhead pages and aheadBytes of records. A worker's streams
// together hold what its budget's Ahead pool allows (provider.Budget): each page fetched
// while no batch waits for it claims from that pool before its body is read, and gives
// its claim back when a batch takes it. Between two batches the
// workflow records the first and closes its task with a one-millisecond timer, and a
// Temporal server may fire a new timer up to a second late (its timer queue reads no
// earlier than now + history.timerProcessorMaxTimeShift, 1 s by default): four pages ahead
// covered 80 ms at 20 ms a page, and the chain of requests stalled for 800 ms every few
// batches on the dev server.
const (
	aheadTime  = 1500 * time.Millisecond
	minAhead   = 4
	maxAhead   = 64
	aheadBytes = 16 << 20
)

// aheadFor is how many pages a stream keeps ahead when a page takes pace to come.
func aheadFor(pace time.Duration) int {
	if pace <= 0 {
		return maxAhead
	}
	return min(max(int((aheadTime+pace-1)/pace), minAhead), maxAhead)
}

// streamIdle is how long a fetched page waits for a batch to take it before its stream
// ends (a paused export, a next batch that ran on another worker).
var streamIdle = 30 * time.Second

// fetched is one page of a stream, or the error fetching it.
type fetched struct {
	in    PageInput
	page  provider.Page
	check func() error   // the records' check, when the connector left it to the stream
	hold  *provider.Hold // the page's memory, given back once written or dropped
	err   error
}

// stream fetches one partition's pages in order. It ends at the partition's end, at an
// error (handed to whoever takes that page), when cancelled, or when idle.
type stream struct {
	key   string
	next  provider.Position // where the page the next batch takes starts
	pages chan fetched      // maxAhead: the producer waits for room before fetching
	taken chan struct{}     // a page was taken: there may be room
	held  atomic.Int64      // bytes of the records in pages
	ws    *streams          // the worker's streams, counting every stream's bytes
	// waiting counts the batches waiting for a page; wake tells a claim waiting for the
	// Ahead pool that one came, as the page being fetched is then not ahead.
	waiting atomic.Int32
	wake    chan struct{}
	cancel  context.CancelFunc
	ended   chan struct{} // closed once the producer has stopped and dropped what is left
}

// hold counts n more bytes of records waiting in s (less, when negative).
func (s *stream) hold(n int64) {
	s.held.Add(n)
	s.ws.add(n)
}

// stop ends s: its producer stops, and what it fetched is dropped, as no batch will take
// it. The producer may have ended already, its last pages still waiting.
func (s *stream) stop() {
	s.cancel()
	s.drop()
}

// drop empties s of the pages waiting in it, giving their bytes back.
func (s *stream) drop() {
	for {
		select {
		case f, open := <-s.pages:
			if !open {
				return
			}
			s.hold(-recordBytes(f.page))
			f.hold.Release()
		default:
			return
		}
	}
}

// streams holds the streams between batches, one a partition.
type streams struct {
	mu   sync.Mutex
	m    map[string]*stream
	held atomic.Int64 // bytes of records waiting in every stream
	peak atomic.Int64 // the most held at once
}

func (ss *streams) add(n int64) {
	held := ss.held.Add(n)
	for peak := ss.peak.Load(); held > peak && !ss.peak.CompareAndSwap(peak, held); peak = ss.peak.Load() {
	}
}

func streamKey(in PageInput) string { return in.Base + "#" + strconv.Itoa(in.Partition) }

// take hands over key's stream if its next page is at; a stream elsewhere is stopped.
func (ss *streams) take(key string, at provider.Position) *stream {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.m[key]
	delete(ss.m, key)
	if s != nil && s.next != at {
		s.stop()
		return nil
	}
	return s
}

// put keeps s for the batch that goes on from s.next.
func (ss *streams) put(s *stream) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.m == nil {
		ss.m = map[string]*stream{}
	}
	if old := ss.m[s.key]; old != nil && old != s {
		old.stop()
	}
	ss.m[s.key] = s
}

// forget drops s if it is still kept.
func (ss *streams) forget(s *stream) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.m[s.key] == s {
		delete(ss.m, s.key)
	}
}

// startStream fetches pages from in.Position on. Its context is the batch's values
// without its cancellation or deadline: it outlives the batch that starts it.
func (a *Activities) startStream(ctx context.Context, conn provider.Connector, in PageInput) *stream {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &stream{key: streamKey(in), next: in.Position, pages: make(chan fetched, maxAhead),
		taken: make(chan struct{}, 1), ws: &a.streams, wake: make(chan struct{}, 1), cancel: cancel, ended: make(chan struct{})}
	go func() {
		defer close(s.ended)
		defer close(s.pages)
		defer cancel()
		idled := false
		defer func() {
			if idled || ctx.Err() != nil { // nobody takes what is left
				s.drop()
			}
		}()
		idle := time.NewTimer(streamIdle)
		defer idle.Stop()
		var pace time.Duration // a page's fetch time, smoothed
		for at := in; ctx.Err() == nil; {
			switch s.room(ctx, idle, aheadFor(pace)) {
			case roomIdle:
				a.streams.forget(s)
				idled = true
				return
			case roomCancelled:
				return
			}
			done := a.Metrics.PageStarted(in.Provider, in.Plan.Resource)
			started := time.Now()
			hold := a.budget().AheadHold(s.awaited, s.wake)
			page, check, err := a.fetchAhead(provider.WithHold(ctx, hold), conn, at)
			if err == nil {
				err = a.keep(ctx, hold, page)
			}
			done(err)
			if err != nil {
				hold.Release()
				page, hold = provider.Page{}, nil
			}
			pace = smooth(pace, time.Since(started))
			idle.Reset(streamIdle)
			s.hold(recordBytes(page))
			s.pages <- fetched{in: at, page: page, check: check, hold: hold, err: err} // room was made for it
			if err != nil || page.Done {
				return
			}
			if len(page.Records) > 0 {
				at.Seq++
			}
			at = at.counted(page)
			at.Position, at.Fetched = page.Next, true
		}
	}()
	return s
}

type roomResult int

const (
	roomMade roomResult = iota
	roomIdle
	roomCancelled
)

// room waits until fewer than ahead pages, and fewer than aheadBytes of records, wait to
// be taken; it gives up when nothing is taken for streamIdle (a paused export, a next
// batch that ran on another worker) or the stream is cancelled. The worker's bound on all
// streams is claimed later, when a page's body is about to be read.
func (s *stream) room(ctx context.Context, idle *time.Timer, ahead int) roomResult {
	for len(s.pages) >= ahead || s.held.Load() >= aheadBytes {
		select {
		case <-s.taken:
		case <-ctx.Done():
			return roomCancelled
		case <-idle.C:
			return roomIdle
		}
	}
	return roomMade
}

// smooth folds a page's fetch time into the pace, a quarter at a time.
func smooth(pace, took time.Duration) time.Duration {
	if pace <= 0 {
		return took
	}
	return pace + (took-pace)/4
}

func recordBytes(p provider.Page) int64 {
	var n int64
	for _, r := range p.Records {
		n += int64(len(r))
	}
	return n
}

// awaited reports whether a batch waits for the page being fetched: none is waiting in
// the stream before it.
func (s *stream) awaited() bool { return s.waiting.Load() > 0 && len(s.pages) == 0 }

// page is the stream's next page, which must be at's, with its records checked while the
// stream fetches the one after, and the hold on its memory, to release once written; ok
// is false when the stream ended before it (idle, or cancelled). A page that fails its
// check ends the stream.
func (s *stream) page(ctx context.Context, at PageInput) (provider.Page, *provider.Hold, bool, error) {
	s.waiting.Add(1)
	defer s.waiting.Add(-1)
	select {
	case s.wake <- struct{}{}:
	default:
	}
	select {
	case f, open := <-s.pages:
		if open {
			s.hold(-recordBytes(f.page))
			f.hold.Taken()
			select {
			case s.taken <- struct{}{}:
			default:
			}
		}
		if !open || f.in.Position != at.Position {
			f.hold.Release()
			return provider.Page{}, nil, false, nil
		}
		if f.err == nil && f.check != nil {
			f.err = f.check()
		}
		if f.err != nil {
			f.hold.Release()
			s.stop()
			return f.page, nil, true, f.err
		}
		return f.page, f.hold, true, nil
	case <-ctx.Done():
		return provider.Page{}, nil, false, ctx.Err()
	}
}

// StopStream stops the stream of in's partition, if this worker has one: the workflow
// asks when it will start no batch soon (paused), so that no page is fetched for it
// meanwhile. It reports whether there was one.
func (a *Activities) StopStream(_ context.Context, in PageInput) (bool, error) {
	return a.streams.stop(streamKey(in)), nil
}

func (ss *streams) stop(key string) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.m[key]
	delete(ss.m, key)
	if s != nil {
		s.stop()
	}
	return s != nil
}
