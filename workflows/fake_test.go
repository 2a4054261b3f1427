package workflows

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// fakeConnector serves records 1..n by offset; failAt makes the page at that offset fail.
type fakeConnector struct {
	mu     sync.Mutex // parallel pages call it from several goroutines
	n      int
	failAt int
	fail   *provider.Error
	// failures, when positive, is how many times the page at failAt fails; zero: always.
	failures, failed int
	since            time.Time // the Since the last Validate saw
	// noTotal answers like Attio: no total, and only a short page ends the resource.
	noTotal bool
	// offsets are the offsets of every page fetched, in order.
	offsets []int
	// short makes the page at an offset hold only that many records, mid-list: an API that
	// answers a short page before its end.
	short map[int]int
	// shrinkTo, when set, is the limit a chain without one of its own goes on with (as
	// Attio's connector does after a query over its per-query score); limits are the
	// limits every page was fetched with.
	shrinkTo int
	limits   []int
	// reportTotal, when set, is the total pages report instead of n.
	reportTotal int
	// resources, when set, are the resources Validate accepts instead of items alone;
	// failResource is the one whose page at failAt fails.
	resources    []string
	failResource string
	// within and refused shape the catalog rows: resource to the one it is within, and
	// kind to the refusal of its discovery (a row of its own).
	within, refused map[string]string
}

func (f *fakeConnector) Name() string { return "fake" }

func (f *fakeConnector) Validate(spec provider.Spec) (provider.Plan, error) {
	if spec.Resource != "items" && !slices.Contains(f.resources, spec.Resource) {
		return provider.Plan{}, provider.Invalid("fake", "resource", "%q is not a fake resource; allowed: items", spec.Resource)
	}
	if spec.PageSize == 0 {
		spec.PageSize = 10
	}
	spec.Strategy = provider.StrategyOffset
	f.mu.Lock()
	f.since = spec.Since
	f.mu.Unlock()
	return provider.Plan{Spec: spec, MaxParallel: 4}, nil
}

func (f *fakeConnector) Start(provider.Plan) provider.Position { return provider.Position{} }

func (f *fakeConnector) Fetch(_ context.Context, req provider.Request) (provider.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	off := req.Position.Offset
	f.offsets = append(f.offsets, off)
	failing := f.failResource == "" || f.failResource == req.Plan.Resource
	if f.fail != nil && failing && off == f.failAt && (f.failures == 0 || f.failed < f.failures) {
		f.failed++
		return provider.Page{}, f.fail
	}
	limit := f.n
	if e := req.Position.End; e > 0 {
		limit = min(limit, e)
	}
	size := req.Plan.PageSize
	if f.shrinkTo > 0 {
		size = cmp.Or(req.Position.Limit, f.shrinkTo)
	}
	f.limits = append(f.limits, size)
	end := min(off+size, limit)
	if k, ok := f.short[off]; ok {
		end = min(end, off+k)
	}
	page := provider.Page{Total: f.n, Next: provider.Position{Offset: end, End: req.Position.End}, Done: end >= limit}
	if f.noTotal {
		page.Total, page.Done = -1, end-off < size
	}
	if size != req.Plan.PageSize {
		page.Next.Limit = size
	}
	if f.reportTotal > 0 {
		page.Total = f.reportTotal
	}
	for i := off; i < end; i++ {
		page.Records = append(page.Records, json.RawMessage(fmt.Sprintf(`{"id": %d}`, i+1)))
	}
	return page, nil
}

type fakeProviders struct{ c provider.Connector }

func (p fakeProviders) Get(name, _ string) (provider.Connector, error) {
	if name != "fake" {
		return nil, provider.Invalid(name, "provider", "%q unknown; allowed: fake", name)
	}
	return p.c, nil
}

// countingConnector adds the provider's own count, asked at the end of an export (the
// first page reports the count at the start).
type countingConnector struct {
	*fakeConnector
	counts []int
	calls  int
}

func (c *countingConnector) Count(context.Context, provider.Plan) (int, bool, error) {
	n := c.counts[min(c.calls, len(c.counts)-1)]
	c.calls++
	return n, true, nil
}

// catalogFake lists its resources as an account's catalog.
type catalogFake struct{ *fakeConnector }

func (c catalogFake) Catalog(context.Context) ([]provider.Resource, error) {
	var out []provider.Resource
	for _, r := range c.resources {
		out = append(out, provider.Resource{Name: r, Strategy: provider.StrategyOffset, Incremental: r != "whole", Within: c.within[r]})
	}
	for kind, why := range c.refused {
		out = append(out, provider.Resource{Name: kind, Discovered: true, Refused: why})
	}
	return out, nil
}
