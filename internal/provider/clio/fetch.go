package clio

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// Fetch gets the page at req.Position and checks its records.
func (c *Connector) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	page, check, err := c.FetchUnchecked(ctx, req)
	if err == nil {
		err = check()
	}
	if err != nil {
		return provider.Page{}, err
	}
	return page, nil
}

// FetchUnchecked gets the page at req.Position; check holds its records to the plan.
func (c *Connector) FetchUnchecked(ctx context.Context, req provider.Request) (provider.Page, func() error, error) {
	if c.urlErr != nil {
		return provider.Page{}, nil, fatal(req.Plan.Resource, "CLIO_BASE_URL: %v", c.urlErr)
	}
	row, ok := lookup(req.Plan.Resource)
	if !ok {
		return provider.Page{}, nil, fatal(req.Plan.Resource, "not a clio resource; allowed: %s", strings.Join(Resources(), ", "))
	}
	pos := req.Position
	for {
		plan := withoutRefused(req.Plan, pos.Refused)
		page, check, err := c.fetchStrategy(ctx, row, plan, pos)
		if err == nil {
			page.Next.Refused = pos.Refused
			return page, check, nil
		}
		more, ok := refusedBy(row, plan, err)
		refused := addRefused(pos.Refused, more)
		if !ok || refused == pos.Refused {
			return provider.Page{}, nil, err
		}
		// Each pass drops at least one field the request named, so this ends.
		pos.Refused = refused
	}
}

func (c *Connector) fetchStrategy(ctx context.Context, row resource, plan provider.Plan, pos provider.Position) (provider.Page, func() error, error) {
	switch plan.Strategy {
	case provider.StrategyCursor:
		return c.fetchCursor(ctx, row, plan, pos)
	case provider.StrategyOffset:
		return c.fetchOffset(ctx, row, plan, pos)
	}
	return provider.Page{}, nil, fatal(plan.Resource, "strategy %q is not supported", plan.Strategy)
}

// fetchCursor asks for the first page without offset (with order=id(asc) where the
// reference lists order), then follows meta.paging.next verbatim. Only a page without next
// is the last. Where the reference lists page_token but no order (calendar entries,
// relationships), the paging guide's cursor rule cannot be met to the letter: a next link
// that carries page_token is a cursor, with no record cap; one that carries offset is
// offset paging, so a resource past Clio's offset cap fails at once.
func (c *Connector) fetchCursor(ctx context.Context, row resource, plan provider.Plan, pos provider.Position) (provider.Page, func() error, error) {
	target := pos.Cursor
	if target == "" {
		// The row's reference (fields, limit, its filters, order) and refPaging (order=id(asc)).
		q := c.query(row, plan)
		if row.ordered() {
			q.Set("order", "id(asc)")
		}
		target = c.listURL(row, q)
	} else if err := c.sameOrigin(plan.Resource, target); err != nil {
		return provider.Page{}, nil, err
	} else if pos.Refused != "" {
		target = withFields(target, plan.Fields) // a link from before a field was refused
	}
	resp, err := c.get(ctx, plan.Resource, target)
	if err != nil {
		return provider.Page{}, nil, err
	}
	if n := total(resp); !row.ordered() && n > OffsetCap && offsetLink(resp.Meta.Paging.Next) {
		return provider.Page{}, nil, overCap(row, n)
	}
	last, err := lastID(plan, pos, resp.Data)
	if err != nil {
		return provider.Page{}, nil, err
	}
	check := func() error { return checkPage(plan, pos, resp.Data, true) }
	page := provider.Page{Records: resp.Data, Total: total(resp)}
	next := resp.Meta.Paging.Next
	if next == "" {
		page.Done = true
		return page, check, nil
	}
	if err := c.sameOrigin(plan.Resource, next); err != nil {
		return provider.Page{}, nil, err
	}
	page.Next = provider.Position{Cursor: next, Last: last}
	return page, check, nil
}

// fetchOffset pages with offset, never asking for a record at or past OffsetCap or pos.End.
// Without meta.records it assumes no total and ends on a short page.
func (c *Connector) fetchOffset(ctx context.Context, row resource, plan provider.Plan, pos provider.Position) (provider.Page, func() error, error) {
	end := OffsetCap
	if pos.End > 0 && pos.End < end {
		end = pos.End
	}
	if pos.Offset >= end {
		return provider.Page{Next: pos, Done: true, Total: -1}, func() error { return nil }, nil
	}
	limit := min(plan.PageSize, end-pos.Offset)
	// refPaging (offset) and the row's reference (fields, limit, its filters, order).
	q := c.query(row, plan)
	q.Set("limit", strconv.Itoa(limit))
	q.Set("offset", strconv.Itoa(pos.Offset))
	byID := q.Get("order") == ""
	if byID && row.ordered() {
		q.Set("order", "id(asc)") // a stable order, so parallel ranges neither overlap nor miss
	}
	resp, err := c.get(ctx, plan.Resource, c.listURL(row, q))
	if err != nil {
		return provider.Page{}, nil, err
	}
	records := total(resp)
	if records > OffsetCap {
		return provider.Page{}, nil, overCap(row, records)
	}
	last, err := lastID(plan, pos, resp.Data)
	if err != nil {
		return provider.Page{}, nil, err
	}
	check := func() error { return checkPage(plan, pos, resp.Data, byID) }
	next := pos.Offset + len(resp.Data)
	page := provider.Page{Records: resp.Data, Total: records, Next: provider.Position{Offset: next, End: pos.End, Last: last}}
	page.Done = len(resp.Data) < limit || next >= end || (records >= 0 && next >= records)
	return page, check, nil
}

// offsetLink reports whether a next link pages by offset rather than by page_token.
func offsetLink(next string) bool {
	u, err := url.Parse(next)
	return err == nil && u.Query().Has("offset") && !u.Query().Has("page_token")
}

// overCap refuses a resource offset paging cannot cover, before Clio's 422 would.
func overCap(row resource, n int) error {
	if row.ordered() {
		return fatal(row.name, "the resource has %d records; offset paging reaches only the first %d: use strategy cursor", n, OffsetCap)
	}
	return fatal(row.name, "the resource has %d records; Clio documents no order for it, so it pages by offset, which reaches only the first %d: narrow the export with filters (created_since, updated_since)", n, OffsetCap)
}

// query holds what every request of the export repeats: the row's fixed parameter, its
// widening parameters (unless filters set them), limit, fields, filters, since.
func (c *Connector) query(row resource, plan provider.Plan) url.Values {
	q := url.Values{}
	if k, v := row.fixed[0], row.fixed[1]; k != "" {
		q.Set(k, v)
	}
	for _, kv := range row.widen {
		q.Set(kv[0], kv[1])
	}
	for k, v := range plan.Filters {
		q.Set(k, v)
	}
	if !plan.Since.IsZero() {
		q.Set("updated_since", plan.Since.UTC().Format(time.RFC3339))
	}
	q.Set("limit", strconv.Itoa(plan.PageSize))
	// Nested values named with their fields, references bare (refFields).
	q.Set("fields", strings.Join(plan.Fields, ","))
	return q
}

func (c *Connector) listURL(row resource, q url.Values) string {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + apiPath + "/" + row.path + ".json"
	u.RawQuery = q.Encode()
	return u.String()
}

// sameOrigin refuses a next URL on another scheme or host: the bearer token must not leave the configured base.
func (c *Connector) sameOrigin(resource, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !provider.SameOrigin(u, c.base) {
		return fatal(resource, "refusing next page URL outside %s://%s (the token is sent only to the configured CLIO_BASE_URL)", c.base.Scheme, c.base.Host)
	}
	return nil
}

func (c *Connector) get(ctx context.Context, resource, target string) (listResponse, error) {
	var out listResponse
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return out, fatal(resource, "building request: %v", err)
	}
	if err := c.token.Bearer(req, Name, resource); err != nil {
		return out, err
	}
	req.Header.Set("X-API-VERSION", APIVersion)
	return out, provider.Call(ctx, c.client, c.pacer, wire, resource, req, &out)
}

func total(r listResponse) int {
	if r.Meta.Records == nil {
		return -1
	}
	return *r.Meta.Records
}
