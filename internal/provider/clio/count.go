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
	// https://docs.developers.clio.com/api-reference/ (the resource's index action): the
	// export's filters and since, one record of only its id.
	plan.PageSize, plan.Fields = 1, []string{"id"}
	q := c.query(plan)
	q.Del("order")
	resp, err := c.get(ctx, plan.Resource, c.listURL(plan.Resource, q))
	if err != nil {
		return 0, false, err
	}
	if n := total(resp); n >= 0 {
		return n, true, nil
	}
	return 0, false, nil
}
