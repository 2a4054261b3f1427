package clio

import (
	"context"

	"github.com/pagewise/pagewise/internal/provider"
)

// Count implements provider.Counter with meta.records, asked for with limit=1; ok is false
// when the answer has none.
func (c *Connector) Count(ctx context.Context, plan provider.Plan) (int, bool, error) {
	if c.urlErr != nil {
		return 0, false, fatal(plan.Resource, "CLIO_BASE_URL: %v", c.urlErr)
	}
	row, ok := lookup(plan.Resource)
	if !ok {
		return 0, false, fatal(plan.Resource, "not a clio resource")
	}
	// The row's reference: the export's filters and since, one record of only its id.
	plan.PageSize, plan.Fields = 1, []string{"id"}
	q := c.query(row, plan)
	q.Del("order")
	resp, err := c.get(ctx, plan.Resource, c.listURL(row, q))
	if err != nil {
		return 0, false, err
	}
	if n := total(resp); n >= 0 {
		return n, true, nil
	}
	return 0, false, nil
}
