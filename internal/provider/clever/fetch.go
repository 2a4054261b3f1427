package clever

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/pagewise/pagewise/internal/provider"
)

// Fetch gets the page at req.Position, following the rel=next link of the previous page.
func (c *Connector) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	plan, pos := req.Plan, req.Position
	if c.urlErr != nil {
		return provider.Page{}, fatal(plan.Resource, "CLEVER_BASE_URL: %v", c.urlErr)
	}
	row, ok := rowOf(plan.Resource)
	if !ok {
		return provider.Page{}, fatal(plan.Resource, "not a clever resource")
	}
	if err := c.checkHistory(row, plan, pos); err != nil {
		return provider.Page{}, err
	}
	// https://dev.clever.com/docs/paging-and-limits: limit and the documented filters on the
	// first page, then the rel=next link as given (starting_after).
	target, err := c.target(row, plan, pos.Cursor)
	if err != nil {
		return provider.Page{}, err
	}
	var resp listResponse
	if err := c.get(ctx, plan.Resource, target, &resp); err != nil {
		return provider.Page{}, err
	}
	page := provider.Page{Total: -1}
	if page.Records, err = unwrap(plan.Resource, resp.Data); err != nil {
		return provider.Page{}, err
	}
	last, err := ascending(plan.Resource, pos, target, page.Records)
	if err != nil {
		return provider.Page{}, err
	}
	if row.events && !plan.Since.IsZero() {
		if page, err = keepSince(plan, pos, page); err != nil {
			return provider.Page{}, err
		}
	}
	next := nextLink(resp.Links)
	// Clever documents that a next link can lead to an empty page; that page ends the export.
	if next == "" || len(resp.Data) == 0 {
		page.Done = true
		return page, nil
	}
	if _, err := c.target(row, plan, next); err != nil {
		return provider.Page{}, err
	}
	page.Next = provider.Position{Cursor: next, Last: last}
	return page, nil
}

// unwrap keeps each item's data object, the record itself.
func unwrap(resource string, items []item) ([]json.RawMessage, error) {
	recs := make([]json.RawMessage, len(items))
	for i, it := range items {
		if len(it.Data) == 0 || string(it.Data) == "null" {
			return nil, fatal(resource, "item %d of the page has no data object (uri %q)", i, it.URI)
		}
		recs[i] = it.Data
	}
	return recs, nil
}

// target is the URL for a relative next link (or the first page), resolved against the base
// URL. A link to another host is refused: the token goes only to CLEVER_BASE_URL. The
// page size and filters are added when the link does not carry them.
func (c *Connector) target(row resource, plan provider.Plan, next string) (string, error) {
	var u *url.URL
	if next == "" {
		u = c.base.JoinPath(row.path)
	} else {
		ref, err := url.Parse(next)
		if err != nil {
			return "", fatal(plan.Resource, "unparseable next link %q: %v", next, err)
		}
		u = c.base.ResolveReference(ref)
		if !provider.SameOrigin(u, c.base) {
			return "", fatal(plan.Resource, "refusing next link outside %s://%s (the token is sent only to the configured CLEVER_BASE_URL)", c.base.Scheme, c.base.Host)
		}
	}
	q := u.Query()
	// /districts documents no paging parameters: the token's district comes in one page.
	if !q.Has("limit") && !row.unpaged {
		q.Set("limit", strconv.Itoa(plan.PageSize))
	}
	for k, v := range plan.Filters {
		if !q.Has(k) {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func nextLink(links []link) string {
	for _, l := range links {
		if l.Rel == "next" {
			return l.URI
		}
	}
	return ""
}

func (c *Connector) get(ctx context.Context, resource, target string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fatal(resource, "building request: %v", err)
	}
	if err := c.token.Bearer(req, Name, resource); err != nil {
		return err
	}
	return provider.Call(ctx, c.client, c.pacer, wire, resource, req, out)
}
