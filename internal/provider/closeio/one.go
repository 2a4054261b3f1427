package closeio

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// fetchOne gets a list whose reference documents no paging parameter (pipelines, statuses,
// custom activity and object types, some custom field lists): everything in one answer.
// has_more true there could never be followed, so it breaks the contract.
func (c *Connector) fetchOne(ctx context.Context, plan provider.Plan) (provider.Page, error) {
	// The row's reference (resources.go) lists no parameter, or only _fields.
	q := url.Values{}
	if len(plan.Fields) > 0 {
		q.Set("_fields", strings.Join(plan.Fields, ","))
	}
	var resp listResponse
	path := "/api/v1/" + rowFor(plan.Resource).path
	if err := c.do(ctx, plan.Resource, http.MethodGet, c.endpoint(path, q), nil, &resp); err != nil {
		return provider.Page{}, err
	}
	if resp.HasMore {
		return provider.Page{}, provider.Broken(Name, plan.Resource, provider.Position{}, "has_more from GET %s, which documents no paging", path)
	}
	return provider.Page{Records: resp.Data, Done: true, Total: -1}, nil
}
