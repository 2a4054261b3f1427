package attio

import (
	"context"
	"net/http"
	"sort"

	"github.com/pagewise/pagewise/internal/provider"
)

// Catalog is the table's rows, then every object of the workspace (GET /v2/objects), then
// every list's entries (GET /v2/lists), each group sorted by name.
func (c *Connector) Catalog(ctx context.Context) ([]provider.Resource, error) {
	if c.urlErr != nil {
		return nil, fatal("catalog", "ATTIO_BASE_URL: %v", c.urlErr)
	}
	var out []provider.Resource
	for _, r := range table {
		out = append(out, row(r.name, target{kind: r.kind}, false))
	}
	objects, err := c.discoverObjects(ctx)
	if err != nil {
		return nil, err
	}
	lists, err := c.discoverLists(ctx)
	if err != nil {
		return nil, err
	}
	return append(append(out, objects...), lists...), nil
}

func row(name string, t target, discovered bool) provider.Resource {
	sh := shapes[t.kind]
	return provider.Resource{Name: name, Strategy: sh.strategy, Endpoint: endpointOf(t), Reference: sh.reference,
		Incremental: sh.query, Discovered: discovered}
}

// discoverObjects names each object by its api_slug, or by its id when the slug is null,
// not snake case, or a table row's name (an object called "tasks" must not hide /v2/tasks).
func (c *Connector) discoverObjects(ctx context.Context) ([]provider.Resource, error) {
	var resp objectsResponse
	// https://docs.attio.com/rest-api/endpoint-reference/objects/list-objects: no parameters.
	if err := c.do(ctx, "objects", http.MethodGet, c.endpoint("/v2/objects", nil), nil, &resp); err != nil {
		return nil, err
	}
	var out []provider.Resource
	for _, o := range resp.Data {
		name := ""
		if o.APISlug != nil && slugShape.MatchString(*o.APISlug) && !isTableName(*o.APISlug) {
			name = *o.APISlug
		} else if idShape.MatchString(o.ID.ObjectID) {
			name = o.ID.ObjectID
		}
		if name == "" {
			return nil, brokenList("objects", "an object has neither a snake-case api_slug nor a UUID object_id")
		}
		out = append(out, row(name, target{kindRecords, name}, true))
	}
	return byName("objects", out)
}

// discoverLists names each list's entries list.<api_slug>, or list.<list_id>.
func (c *Connector) discoverLists(ctx context.Context) ([]provider.Resource, error) {
	var resp listsResponse
	// https://docs.attio.com/rest-api/endpoint-reference/lists/list-all-lists: no parameters.
	if err := c.do(ctx, "lists", http.MethodGet, c.endpoint("/v2/lists", nil), nil, &resp); err != nil {
		return nil, err
	}
	var out []provider.Resource
	for _, l := range resp.Data {
		ident := l.APISlug
		if !slugShape.MatchString(ident) {
			ident = l.ID.ListID
		}
		if !idShape.MatchString(ident) && !slugShape.MatchString(ident) {
			return nil, brokenList("lists", "a list has neither a snake-case api_slug nor a UUID list_id")
		}
		out = append(out, row(listPrefix+ident, target{kindEntries, ident}, true))
	}
	return byName("lists", out)
}

// byName orders rows by name (the API's own order follows the sidebar, which users change)
// and refuses two rows with one name, which would share a folder.
func byName(resource string, rows []provider.Resource) ([]provider.Resource, error) {
	sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	for i := 1; i < len(rows); i++ {
		if rows[i].Name == rows[i-1].Name {
			return nil, brokenList(resource, "two entries are both named %q", rows[i].Name)
		}
	}
	return rows, nil
}

func brokenList(resource, format string, args ...any) *provider.Error {
	e := fatal(resource, format, args...)
	e.Contract = true
	return e
}
