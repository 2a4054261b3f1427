package activities

import (
	"context"
	"sync"
	"time"
)

// A parallel export writes a page an activity, so no batch is there to index its pages.
// Each worker instead collects what it wrote of a partition, a run of consecutive pages,
// and writes the run as an index (the same as a batch's) at pendingPages pages, at the
// partition's end, or when the partition's next page here is not the next in the run. A
// run whose pages went on elsewhere (a retry on another worker, a stopped export) is
// dropped once idle for pendingIdle: its pages cost Finish a HEAD each, as before indexes.
const (
	pendingPages = 100
	pendingIdle  = 2 * time.Minute
)

// pending holds each partition's run of pages written here and not yet indexed.
type pending struct {
	mu   sync.Mutex
	runs map[string]*pendingRun
}

type pendingRun struct {
	first PageInput // the run's first page
	pages []indexedPage
	last  time.Time
}

// add notes page in.Seq, written as p (nil: it had no records), and returns the runs to
// index now: the one it follows when it does not continue it, and its own once full or at
// the partition's end.
func (pd *pending) add(in PageInput, p *indexedPage, done bool, now time.Time) []*pendingRun {
	pd.mu.Lock()
	defer pd.mu.Unlock()
	if pd.runs == nil {
		pd.runs = map[string]*pendingRun{}
	}
	var out []*pendingRun
	for k, r := range pd.runs {
		if now.Sub(r.last) > pendingIdle {
			delete(pd.runs, k)
		}
	}
	key := streamKey(in) // one run a partition, as one stream
	r := pd.runs[key]
	if p == nil { // the partition ended on a page with no records
		if r != nil && done {
			delete(pd.runs, key)
			out = append(out, r)
		}
		return out
	}
	switch {
	case r != nil && in.Seq == r.first.Seq+len(r.pages)-1: // the last page again: a retry here
		r.pages[len(r.pages)-1] = *p
	case r != nil && in.Seq == r.first.Seq+len(r.pages):
		r.pages = append(r.pages, *p)
	default:
		if r != nil {
			out = append(out, r)
		}
		r = &pendingRun{first: in}
		r.pages = append(r.pages, *p)
		pd.runs[key] = r
	}
	r.last = now
	if done || len(r.pages) >= pendingPages {
		delete(pd.runs, key)
		out = append(out, r)
	}
	return out
}

// indexWritten adds a page FetchPage wrote (nil: one without records) to its partition's
// run, and writes the runs that are ready. Like a batch's, an index that cannot be
// written only costs Finish HEADs.
func (a *Activities) indexWritten(ctx context.Context, in PageInput, p *indexedPage, done bool) {
	for _, r := range a.pending.add(in, p, done, time.Now()) {
		a.writeIndex(ctx, r.first, r.pages)
	}
}
