package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// windowConnector pages records 1..n by date_created windows, as Close's list endpoints
// do: records in [From, Until) ordered by (created, id), Offset of them skipped. Records
// sit in the middle tenth of [start, end) and come in runs of three sharing one created
// time, so window bounds and cuts meet ties.
type windowConnector struct {
	created    []time.Time
	start, end time.Time
	pages      atomic.Int64
}

func newWindowConnector(n int) *windowConnector {
	c := &windowConnector{start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	c.end = c.start.Add(1000 * time.Hour)
	dense := c.start.Add(450 * time.Hour)
	step := 100 * time.Hour / time.Duration(n)
	for i := range n {
		c.created = append(c.created, dense.Add(step*time.Duration(i/3*3)))
	}
	return c
}

func (c *windowConnector) Name() string { return "fake" }

func (c *windowConnector) Validate(spec provider.Spec) (provider.Plan, error) {
	if spec.Resource != "items" {
		return provider.Plan{}, provider.Invalid("fake", "resource", "%q is not a fake resource; allowed: items", spec.Resource)
	}
	if spec.PageSize == 0 {
		spec.PageSize = 10
	}
	spec.Strategy = provider.StrategyWindow
	return provider.Plan{Spec: spec, MaxParallel: 8}, nil
}

func (c *windowConnector) Start(provider.Plan) provider.Position {
	return provider.Position{From: c.start.Format(provider.WindowTime), Until: c.end.Format(provider.WindowTime)}
}

func (c *windowConnector) Fetch(_ context.Context, req provider.Request) (provider.Page, error) {
	c.pages.Add(1)
	pos := req.Position
	from, _ := time.Parse(time.RFC3339Nano, pos.From)
	until, _ := time.Parse(time.RFC3339Nano, pos.Until)
	lo := sort.Search(len(c.created), func(i int) bool { return !c.created[i].Before(from) })
	hi := sort.Search(len(c.created), func(i int) bool { return !c.created[i].Before(until) })
	lo = min(lo+pos.Offset, hi)
	end := min(lo+req.Plan.PageSize, hi)
	page := provider.Page{Total: -1, Done: end >= hi, Next: pos}
	for i := lo; i < end; i++ {
		page.Records = append(page.Records, json.RawMessage(fmt.Sprintf(`{"id": %d}`, i+1)))
	}
	if page.Done {
		return page, nil
	}
	// As the Close connector goes on: from the last record's time, past its ties seen.
	last := c.created[end-1]
	if last.Equal(from) {
		page.Next.Offset += end - lo
		return page, nil
	}
	ties := 0
	for i := lo; i < end; i++ {
		if c.created[i].Equal(last) {
			ties++
		}
	}
	page.Next = provider.Position{From: last.Format(provider.WindowTime), Offset: ties, Until: pos.Until}
	return page, nil
}
