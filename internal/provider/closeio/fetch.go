package closeio

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// Fetch gets the page at req.Position.
func (c *Connector) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	plan := req.Plan
	if c.urlErr != nil {
		return provider.Page{}, fatal(plan.Resource, "CLOSE_BASE_URL: %v", c.urlErr)
	}
	switch sh := shapes[plan.Resource]; {
	case sh.kind == kindList && plan.Strategy == provider.StrategyWindow:
		return c.fetchWindow(ctx, plan, req.Position)
	case sh.kind == kindList && plan.Strategy == provider.StrategyOffset:
		return c.fetchOffset(ctx, plan, req.Position)
	case sh.kind == kindEvent:
		return c.fetchEvent(ctx, plan, req.Position)
	case sh.kind == kindSearch:
		return c.fetchSearch(ctx, plan, req.Position)
	}
	return provider.Page{}, fatal(plan.Resource, "strategy %q is not supported", plan.Strategy)
}

// fetchOffset is plain _skip paging, which ends at the resource's max _skip.
func (c *Connector) fetchOffset(ctx context.Context, plan provider.Plan, pos provider.Position) (provider.Page, error) {
	if pos.End > 0 && pos.Offset >= pos.End {
		return provider.Page{Next: pos, Done: true, Total: -1}, nil
	}
	if limit := c.maxSkip(plan.Resource); pos.Offset > limit {
		return provider.Page{}, fatal(plan.Resource, "offset %d is past Close's max _skip of %d for %s: use strategy window", pos.Offset, limit, plan.Resource)
	}
	size := plan.PageSize
	if pos.End > 0 {
		size = min(size, pos.End-pos.Offset)
	}
	q := c.listQuery(plan, size, pos.Offset)
	for k, v := range plan.Filters {
		q.Set(k, v)
	}
	resp, err := c.list(ctx, plan.Resource, q)
	if err != nil {
		return provider.Page{}, err
	}
	next := pos.Offset + len(resp.Data)
	done := !resp.HasMore || len(resp.Data) == 0 || (pos.End > 0 && next >= pos.End)
	return provider.Page{Records: resp.Data, Total: -1, Done: done, Next: provider.Position{Offset: next, End: pos.End}}, nil
}

// fetchWindow pages date_created >= From and < Until, skipping Offset; see nextWindow.
func (c *Connector) fetchWindow(ctx context.Context, plan provider.Plan, pos provider.Position) (provider.Page, error) {
	if limit := c.maxSkip(plan.Resource); pos.Offset > limit {
		return provider.Page{}, fatal(plan.Resource, "%d records share date_created %s, more than Close's max _skip of %d for %s: no window can step past them",
			pos.Offset, pos.From, limit, plan.Resource)
	}
	q := c.listQuery(plan, plan.PageSize, pos.Offset)
	for k, v := range plan.Filters {
		if k != "date_created__gte" && k != "date_created__lt" { // Start folded them into the window
			q.Set(k, v)
		}
	}
	if pos.From != "" {
		q.Set("date_created__gte", pos.From)
	}
	if pos.Until != "" {
		q.Set("date_created__lt", pos.Until)
	}
	resp, err := c.list(ctx, plan.Resource, q)
	if err != nil {
		return provider.Page{}, err
	}
	page := provider.Page{Records: resp.Data, Total: -1, Done: !resp.HasMore, Next: pos}
	if page.Done {
		return page, nil
	}
	if len(resp.Data) == 0 {
		return provider.Page{}, fatal(plan.Resource, "Close answered has_more with an empty page at date_created >= %q, _skip %d", pos.From, pos.Offset)
	}
	if page.Next, err = nextWindow(plan.Resource, pos, resp.Data); err != nil {
		return provider.Page{}, err
	}
	return page, nil
}

// listQuery is what every list request repeats; ordering by date_created keeps _skip pages stable.
func (c *Connector) listQuery(plan provider.Plan, limit, skip int) url.Values {
	q := url.Values{}
	q.Set("_order_by", "date_created")
	q.Set("_limit", strconv.Itoa(limit))
	q.Set("_skip", strconv.Itoa(skip))
	if len(plan.Fields) > 0 {
		q.Set("_fields", strings.Join(plan.Fields, ","))
	}
	if !plan.Since.IsZero() {
		q.Set("date_updated__gte", plan.Since.UTC().Format(closeTime))
	}
	return q
}

func (c *Connector) list(ctx context.Context, resource string, q url.Values) (listResponse, error) {
	var resp listResponse
	err := c.do(ctx, resource, http.MethodGet, c.endpoint("/api/v1/"+resource+"/", q), nil, &resp)
	var pe *provider.Error
	if err != nil && errors.As(err, &pe) && pe.Status == http.StatusBadRequest && strings.Contains(strings.ToLower(pe.Message), "skip") {
		pe.Message += " (Close's max _skip: set CLOSE_MAX_SKIP lower, or use strategy window)"
	}
	return resp, err
}

// fetchEvent follows cursor_next until it is null.
func (c *Connector) fetchEvent(ctx context.Context, plan provider.Plan, pos provider.Position) (provider.Page, error) {
	q := url.Values{}
	q.Set("_limit", strconv.Itoa(plan.PageSize))
	for k, v := range plan.Filters {
		// Close: with _cursor, re-send every filter except date_updated*, which the cursor holds.
		if pos.Cursor == "" || !strings.HasPrefix(k, "date_updated") {
			q.Set(k, v)
		}
	}
	if pos.Cursor != "" {
		q.Set("_cursor", pos.Cursor)
	} else if !plan.Since.IsZero() {
		q.Set("date_updated__gte", plan.Since.UTC().Format(closeTime))
	}
	var resp eventResponse
	if err := c.do(ctx, plan.Resource, http.MethodGet, c.endpoint("/api/v1/event/", q), nil, &resp); err != nil {
		return provider.Page{}, err
	}
	return cursorPage(resp.Data, resp.CursorNext), nil
}

// fetchSearch posts the query with the cursor from the previous answer.
func (c *Connector) fetchSearch(ctx context.Context, plan provider.Plan, pos provider.Position) (provider.Page, error) {
	body := searchRequest{Query: bytes.TrimSpace(plan.Query), Fields: searchFields(plan.Fields), Limit: plan.PageSize}
	if pos.Cursor != "" {
		body.Cursor = &pos.Cursor
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return provider.Page{}, fatal(plan.Resource, "encoding search body: %v", err)
	}
	var resp searchResponse
	if err := c.do(ctx, plan.Resource, http.MethodPost, c.endpoint("/api/v1/data/search/", nil), raw, &resp); err != nil {
		return provider.Page{}, err
	}
	return cursorPage(resp.Data, resp.Cursor), nil
}

func cursorPage(data []json.RawMessage, next *string) provider.Page {
	page := provider.Page{Records: data, Total: -1}
	if next == nil || *next == "" {
		page.Done = true
	} else {
		page.Next = provider.Position{Cursor: *next}
	}
	return page
}

func (c *Connector) endpoint(path string, q url.Values) string {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func (c *Connector) do(ctx context.Context, resource, method, target string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return fatal(resource, "building request: %v", err)
	}
	req.SetBasicAuth(c.cfg.Token, "")
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	raw, err := provider.Call(ctx, c.client, c.pacer, wire, resource, req)
	if err != nil {
		return err
	}
	return provider.Decode(Name, resource, raw, out)
}
