package closeio

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/pagewise/pagewise/internal/provider"
)

// fetchSearch posts the user's query with the cursor from the previous answer.
func (c *Connector) fetchSearch(ctx context.Context, plan provider.Plan, pos provider.Position) (provider.Page, error) {
	// https://developer.close.com/api/resources/advanced-filtering/search: query, _fields,
	// _limit and cursor in the body.
	body := searchRequest{Query: bytes.TrimSpace(plan.Query), Fields: searchFields(plan.Fields), Limit: plan.PageSize}
	if pos.Cursor != "" {
		body.Cursor = &pos.Cursor
	}
	var resp searchResponse
	if err := c.search(ctx, plan.Resource, body, &resp); err != nil {
		return provider.Page{}, err
	}
	return cursorPage(resp.Data, resp.Cursor), nil
}

// search posts body to Advanced Filtering.
func (c *Connector) search(ctx context.Context, resource string, body any, out *searchResponse) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return fatal(resource, "encoding search body: %v", err)
	}
	return c.do(ctx, resource, http.MethodPost, c.endpoint("/api/v1/data/search/", nil), raw, out)
}
