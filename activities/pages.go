package activities

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/tracing"
)

// PagesInput asks for consecutive pages of one partition, the first at Position: until
// the partition ends, MaxPages pages have been fetched, or MaxTime has passed.
type PagesInput struct {
	PageInput
	MaxPages int           `json:"max_pages"`
	MaxTime  time.Duration `json:"max_time"`
}

// PagesResult is what a batch of pages did, for the workflow to add to its partition.
type PagesResult struct {
	// Fetched counts every page, empty ones too; Pages those written, as keys Seq,
	// Seq+1, … of the partition.
	Fetched int               `json:"fetched"`
	Pages   int               `json:"pages"`
	Records int64             `json:"records"`
	Bytes   int64             `json:"bytes"`
	Next    provider.Position `json:"next"`
	Done    bool              `json:"done"`
	Total   int               `json:"total"` // the first page's
	// Failed: the page at Next failed after others of the batch were written. The
	// workflow gives it to the page queue, which retries it as long as it takes.
	Failed bool          `json:"failed,omitempty"`
	Took   time.Duration `json:"took"`
}

// FetchPages fetches a batch of pages, writing each while the next is fetched: a serial
// chain's pages cannot be fetched at once, but storage can keep up beside them, and the
// partition's stream (see ahead.go) fetches on while the workflow records the batch. Keys
// are the ones FetchPage gives, so a batch retried after a crash overwrites what it
// wrote. A failure on the first page fails the batch; a later one ends it early, keeping
// the pages before. The pages written are then indexed for Finish (index.go).
func (a *Activities) FetchPages(ctx context.Context, in PagesInput) (res PagesResult, err error) {
	resource := in.Plan.Resource
	span := tracing.PageSpan(ctx)
	defer func() { span(in.Provider, resource, int(res.Records), err) }()
	defer a.logFailure(ctx, "pages failed", &err, "export_id", in.ExportID, "provider", in.Provider,
		"resource", resource, "partition", in.Partition, "seq", in.Seq)
	conn, ctx, err := a.begin(ctx, in.PageInput)
	if err != nil {
		return PagesResult{}, err
	}
	started := time.Now()
	w := a.startWriter(ctx)
	res, err = a.fetchBatch(ctx, conn, in, w, started)
	written, werr := w.wait()
	switch {
	case err != nil:
		return PagesResult{}, err
	case werr != nil:
		return PagesResult{}, werr
	}
	for _, p := range written {
		res.Bytes += p.Bytes
	}
	// The folder may have changed hands during the batch: its index goes nowhere else.
	if err := a.checkOwner(ctx, in.Base, "", in.Claim); err != nil {
		return PagesResult{}, err
	}
	a.writeIndex(ctx, in.PageInput, written)
	res.Took = time.Since(started)
	a.logger().DebugContext(ctx, "pages written", "export_id", in.ExportID, "provider", in.Provider,
		"resource", resource, "partition", in.Partition, "seq", in.Seq, "pages", res.Pages, "records", res.Records,
		"bytes", res.Bytes, "done", res.Done, "elapsed_ms", res.Took.Milliseconds())
	return res, nil
}

// fetchBatch takes the batch's pages from the partition's stream and hands each with
// records to w. A stream that can go on is kept for the next batch.
func (a *Activities) fetchBatch(ctx context.Context, conn provider.Connector, in PagesInput, w *pageWriter, started time.Time) (PagesResult, error) {
	res := PagesResult{Next: in.Position}
	at := in.PageInput
	s := a.streams.take(streamKey(at), at.Position)
	if s == nil {
		s = a.startStream(ctx, conn, at)
	}
	keep := false
	defer func() {
		if !keep {
			s.stop()
		}
	}()
	for !w.failed.Load() {
		page, hold, ok, err := s.page(ctx, at)
		if !ok && err == nil { // the stream ended before this page: start another here
			s.stop()
			s = a.startStream(ctx, conn, at)
			continue
		}
		// A cancelled batch reports nothing: what it wrote is overwritten or, on a resume,
		// deleted as written after the run's last record.
		if err != nil && (res.Fetched == 0 || ctx.Err() != nil) {
			return PagesResult{}, err
		}
		if err != nil {
			a.logFailure(ctx, "page failed; the page queue retries it", &err, "export_id", in.ExportID,
				"provider", in.Provider, "resource", in.Plan.Resource, "partition", in.Partition, "seq", at.Seq)
			res.Failed = true
			return res, nil
		}
		if res.Fetched == 0 {
			res.Total = page.Total
		}
		res.Fetched++
		if len(page.Records) > 0 {
			w.put(at, page.Records, hold)
			at.Seq++
			res.Pages++
			res.Records += int64(len(page.Records))
		} else {
			hold.Release()
		}
		res.Next, res.Done = page.Next, page.Done
		at = at.counted(page)
		at.Position, at.Fetched = page.Next, true
		if page.Done || res.Fetched >= in.MaxPages || time.Since(started) >= in.MaxTime {
			break
		}
	}
	if !res.Done && !w.failed.Load() {
		s.next, keep = res.Next, true
		a.streams.put(s)
	}
	return res, nil
}

// pageWriter writes a batch's pages in order on its own goroutine. The hand-over is
// unbuffered: at most one page is written while the next is fetched.
type pageWriter struct {
	jobs    chan writeJob
	done    chan struct{}
	written []indexedPage // in seq order, for the batch's index
	err     error
	failed  atomic.Bool // err is set: fetching more is wasted
}

type writeJob struct {
	in      PageInput
	records []json.RawMessage
	hold    *provider.Hold // given back once the page is written, or given up
}

func (a *Activities) startWriter(ctx context.Context) *pageWriter {
	w := &pageWriter{jobs: make(chan writeJob), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for j := range w.jobs {
			if w.err != nil {
				j.hold.Release()
				continue
			}
			p, err := a.write(ctx, j.in, j.records)
			j.hold.Release()
			if err != nil {
				w.err = err
				w.failed.Store(true)
				continue
			}
			w.written = append(w.written, p)
		}
	}()
	return w
}

func (w *pageWriter) put(in PageInput, records []json.RawMessage, hold *provider.Hold) {
	w.jobs <- writeJob{in: in, records: records, hold: hold}
}

// wait returns once every page handed over is written (or one failed), with what was.
func (w *pageWriter) wait() ([]indexedPage, error) {
	close(w.jobs)
	<-w.done
	return w.written, w.err
}
