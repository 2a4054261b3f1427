package closeio

import (
	"context"
	"net/http"
	"net/url"

	"github.com/pagewise/pagewise/internal/provider"
)

// Count implements provider.Counter where Close documents a total: the opportunity list's
// total_results, and Advanced Filtering's count.total (include_counts) for lead and contact
// queries it can express. Other resources, and contact filtered by lead_id, have none.
func (c *Connector) Count(ctx context.Context, plan provider.Plan) (int, bool, error) {
	switch {
	case c.urlErr != nil:
		return 0, false, fatal(plan.Resource, "CLOSE_BASE_URL: %v", c.urlErr)
	case plan.Resource == "opportunity":
		return c.countOpportunities(ctx, plan)
	case (plan.Resource == "lead" || plan.Resource == "contact") && !hasAny(plan.Filters, "lead_id"):
		return c.countSearch(ctx, plan)
	}
	return 0, false, nil
}

func (c *Connector) countOpportunities(ctx context.Context, plan provider.Plan) (int, bool, error) {
	// https://developer.close.com/api/resources/opportunities/list: total_results counts
	// every match regardless of _limit.
	q := url.Values{}
	q.Set("_limit", "1")
	q.Set("_fields", "id")
	for k, v := range sinceValues(plan) {
		q.Set(k, v)
	}
	var resp opportunityResponse
	if err := c.do(ctx, plan.Resource, http.MethodGet, c.endpoint("/api/v1/opportunity/", q), nil, &resp); err != nil {
		return 0, false, err
	}
	if resp.TotalResults == nil {
		return 0, false, nil
	}
	return *resp.TotalResults, true, nil
}

func (c *Connector) countSearch(ctx context.Context, plan provider.Plan) (int, bool, error) {
	// https://developer.close.com/api/resources/advanced-filtering/search with
	// include_counts, whose answer carries count.total.
	plan.PageSize, plan.Fields = 1, []string{"id"}
	body := walkBody(plan, provider.Position{Anchor: plan.Filters["date_created__gte"], Until: plan.Filters["date_created__lt"]})
	body.IncludeCounts = true
	var resp searchResponse
	if err := c.search(ctx, plan.Resource, body, &resp); err != nil {
		return 0, false, err
	}
	if resp.Count == nil || resp.Count.Total == nil {
		return 0, false, nil
	}
	return *resp.Count.Total, true, nil
}
