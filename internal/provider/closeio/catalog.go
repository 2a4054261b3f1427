package closeio

import (
	"context"
	"net/http"
	"slices"

	"github.com/pagewise/pagewise/internal/provider"
)

// Catalog implements provider.Cataloger: every row of the table an account export takes
// (search needs a query, so it is left out), then custom_object.<type id> for each custom
// object type the organization has, sorted by id. The typed activity lists are within
// activity, which lists every type. When the custom object type list is refused (403, 404)
// the last row is custom_object with the refusal.
func (c *Connector) Catalog(ctx context.Context) ([]provider.Resource, error) {
	if c.urlErr != nil {
		return nil, fatal("custom_object_type", "CLOSE_BASE_URL: %v", c.urlErr)
	}
	var out []provider.Resource
	for _, r := range table {
		if r.hidden {
			continue
		}
		endpoint, ref := "GET /api/v1/"+r.path, r.ref
		if r.walk { // the default window strategy walks Advanced Filtering
			endpoint, ref = "POST /api/v1/data/search/", rowFor("search").ref
		}
		out = append(out, provider.Resource{Name: r.name, Strategy: r.strategies[0], Endpoint: endpoint, Reference: ref,
			Incremental: r.since != "" || r.walk, Within: r.within})
	}
	objects := rowFor(customObject)
	types, err := c.objectTypes(ctx)
	if s := status(err); s == http.StatusForbidden || s == http.StatusNotFound {
		return append(out, provider.Resource{Name: customObject, Endpoint: "GET /api/v1/custom_object_type/",
			Reference: rowFor("custom_object_type").ref, Discovered: true, Refused: err.Error()}), nil
	}
	if err != nil {
		return nil, err
	}
	for _, id := range types {
		out = append(out, provider.Resource{Name: customObject + "." + id, Strategy: objects.strategies[0],
			Endpoint: "GET /api/v1/" + objects.path, Reference: objects.ref, Discovered: true})
	}
	return out, nil
}

// objectTypes is the id of every custom object type, through the one-page list
// https://developer.close.com/api/resources/custom-object-types/list.
func (c *Connector) objectTypes(ctx context.Context) ([]string, error) {
	const resource = "custom_object_type"
	var resp listResponse
	if err := c.do(ctx, resource, http.MethodGet, c.endpoint("/api/v1/custom_object_type/", nil), nil, &resp); err != nil {
		return nil, err
	}
	if resp.HasMore {
		return nil, provider.Broken(Name, resource, provider.Position{}, "has_more from GET /api/v1/custom_object_type/, which documents no paging")
	}
	ids := make([]string, 0, len(resp.Data))
	for _, rec := range resp.Data {
		id := idOf(rec)
		if !typeIDShape.MatchString(id) {
			return nil, fatal(resource, "custom object type id %q cannot name an export (letters, digits, _ and - only)", id)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}
