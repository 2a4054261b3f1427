package provider

import (
	"context"
	"fmt"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// A worker keeps the data of its pages within one byte budget (PAGEWISE_MEMORY_BUDGET):
// bodies being read, pages fetched ahead of their batch, pages being written. Every page
// has a Hold on it. When the headers of a page's first response have come, the hold claims
// room for the largest page that response can make: its body and the records decoded
// from it, 2 × MaxBody (3 × MaxBody for a page that gathers several responses, see
// Gather). Once fetched, the page keeps twice its records' bytes, the records and their
// compressed copy, until they are written. A hold claims before anything is read and
// never waits for more while it holds something, so holds never wait on each other.

// Bounds of a page, in PAGEWISE_MAX_BODY units, that the budget and its formula rest on.
const (
	readFactor   = 2 // a body and the records decoded from it
	gatherFactor = 3 // the records gathered so far (at most MaxBody), a body, its records
	keepFactor   = 2 // the records and their compressed copy while written
)

// MinBudget is the smallest budget that lets a page of any shape through.
func MinBudget(maxBody int64) int64 { return gatherFactor * maxBody }

// DefaultBudget is PAGEWISE_MEMORY_BUDGET's default.
const DefaultBudget = 640 << 20

// DefaultBudgetFor is a budget of DefaultBudget, or of MinBudget when maxBody needs more.
func DefaultBudgetFor(maxBody int64) *Budget {
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	b, _ := NewBudget(max(DefaultBudget, MinBudget(maxBody)), maxBody)
	return b
}

// Pool is a number of bytes a worker's goroutines share, taken and given back.
type Pool struct {
	sem     *semaphore.Weighted
	size    int64
	held    atomic.Int64
	peak    atomic.Int64
	waiting atomic.Int64
}

// NewPool is a pool of size bytes.
func NewPool(size int64) *Pool {
	return &Pool{sem: semaphore.NewWeighted(size), size: size}
}

// Size is the pool's bytes; Held those taken now, Peak the most ever taken at once, and
// Waiting how many takers wait for room.
func (p *Pool) Size() int64    { return p.size }
func (p *Pool) Held() int64    { return p.held.Load() }
func (p *Pool) Peak() int64    { return p.peak.Load() }
func (p *Pool) Waiting() int64 { return p.waiting.Load() }

func (p *Pool) acquire(ctx context.Context, n int64) error {
	if n > p.size {
		return fmt.Errorf("%d bytes asked of a pool of %d", n, p.size)
	}
	if !p.sem.TryAcquire(n) {
		p.waiting.Add(1)
		err := p.sem.Acquire(ctx, n)
		p.waiting.Add(-1)
		if err != nil {
			return err
		}
	}
	held := p.held.Add(n)
	for peak := p.peak.Load(); held > peak && !p.peak.CompareAndSwap(peak, held); peak = p.peak.Load() {
	}
	return nil
}

func (p *Pool) release(n int64) {
	if n > 0 {
		p.held.Add(-n)
		p.sem.Release(n)
	}
}

// Budget is a worker's pools for page data.
type Budget struct {
	// Pages holds every page's bytes, from its first response to its write.
	Pages *Pool
	// Ahead is the part of Pages that pages fetched ahead of their batch may hold.
	Ahead   *Pool
	maxBody int64
}

// aheadShare is the part of a budget pages fetched ahead may take.
const aheadShare = 4

// NewBudget splits size bytes for pages whose bodies are at most maxBody.
func NewBudget(size, maxBody int64) (*Budget, error) {
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	if size < MinBudget(maxBody) {
		return nil, fmt.Errorf("a memory budget of %d bytes is under %d × the largest body (%d): one page could not be read", size, gatherFactor, maxBody)
	}
	return &Budget{Pages: NewPool(size), Ahead: NewPool(size / aheadShare), maxBody: maxBody}, nil
}

// Hold is a new page's claim on b; a nil Budget gives a nil Hold, which claims nothing.
func (b *Budget) Hold() *Hold {
	if b == nil {
		return nil
	}
	return &Hold{b: b}
}

// AheadHold is Hold for a page fetched ahead of its batch: it also claims from b.Ahead,
// unless awaited says a batch waits for the page already. wake tells a claim waiting for
// b.Ahead to ask awaited again.
func (b *Budget) AheadHold(awaited func() bool, wake <-chan struct{}) *Hold {
	if b == nil {
		return nil
	}
	return &Hold{b: b, ahead: true, awaited: awaited, wake: wake}
}

// Hold is one page's claim on a Budget. It is used by one goroutine at a time.
type Hold struct {
	b       *Budget
	ahead   bool // claims from b.Ahead too, until the page is taken
	awaited func() bool
	wake    <-chan struct{}
	held    int64
	inAhead bool // held counts in b.Ahead too
}

// Held is the bytes h holds.
func (h *Hold) Held() int64 {
	if h == nil {
		return 0
	}
	return h.held
}

// claim makes h hold at least n bytes. It waits for room only when h holds nothing, or
// when called out of order (Keep above what was claimed, a late Gather).
func (h *Hold) claim(ctx context.Context, n int64) error {
	if h == nil || n <= h.held {
		return nil
	}
	need := n - h.held
	switch {
	case h.held == 0 && h.ahead:
		in, err := h.claimAhead(ctx, need)
		if err != nil {
			return err
		}
		h.inAhead = in
	case h.inAhead:
		if err := h.b.Ahead.acquire(ctx, need); err != nil {
			return err
		}
	}
	if err := h.b.Pages.acquire(ctx, need); err != nil {
		if h.inAhead {
			h.b.Ahead.release(need)
			h.inAhead = h.held > 0
		}
		return err
	}
	h.held = n
	return nil
}

// claimAhead takes n from b.Ahead unless the page is awaited, asking again whenever woken.
func (h *Hold) claimAhead(ctx context.Context, n int64) (bool, error) {
	for {
		if h.awaited != nil && h.awaited() {
			return false, nil
		}
		if h.wake == nil {
			return true, h.b.Ahead.acquire(ctx, n)
		}
		wctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			select {
			case <-h.wake:
				cancel()
			case <-done:
			}
		}()
		err := h.b.Ahead.acquire(wctx, n)
		close(done)
		cancel()
		if err == nil {
			return true, nil
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
	}
}

// Keep makes h hold n bytes: what a fetched page keeps until written (KeepBytes). Above
// what h holds, it waits for room.
func (h *Hold) Keep(ctx context.Context, n int64) error {
	if h == nil {
		return nil
	}
	if n > h.held {
		return h.claim(ctx, n)
	}
	h.giveBack(h.held - n)
	return nil
}

func (h *Hold) giveBack(n int64) {
	h.b.Pages.release(n)
	if h.inAhead {
		h.b.Ahead.release(n)
	}
	h.held -= n
}

// Taken ends h's claim on b.Ahead: its batch took the page.
func (h *Hold) Taken() {
	if h == nil {
		return
	}
	if h.inAhead {
		h.b.Ahead.release(h.held)
	}
	h.ahead, h.inAhead = false, false
}

// Release gives back all h holds: the page was written or dropped.
func (h *Hold) Release() {
	if h != nil {
		h.giveBack(h.held)
		h.inAhead = false
	}
}

// KeepBytes is what a fetched page of records holds until written.
func KeepBytes(p Page) int64 {
	var n int64
	for _, r := range p.Records {
		n += int64(len(r))
	}
	return keepFactor * n
}

type holdKey struct{}

// WithHold makes every Call made with ctx claim from h.
func WithHold(ctx context.Context, h *Hold) context.Context {
	if h == nil {
		return ctx
	}
	return context.WithValue(ctx, holdKey{}, h)
}

// holdFor is ctx's hold, else one for this call alone when ctx has a budget (release it).
func holdFor(ctx context.Context, lim Limits) (h *Hold, own bool) {
	if h, ok := ctx.Value(holdKey{}).(*Hold); ok {
		return h, false
	}
	return lim.Budget.Hold(), true
}

// Gather claims, before a page's first request, room for a page made of several
// responses: the records gathered (which the connector keeps within MaxBody) and the body
// being read with its records. Call it before any Call of the page.
func Gather(ctx context.Context) error {
	h, _ := ctx.Value(holdKey{}).(*Hold)
	return h.claim(ctx, gatherFactor*limitsOf(ctx).MaxBody)
}

// MaxBody is the largest body Calls made with ctx read; a page that gathers several
// responses keeps its records within it.
func MaxBody(ctx context.Context) int64 { return limitsOf(ctx).MaxBody }
