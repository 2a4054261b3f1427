package closeio

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// fetchEvent follows cursor_next until it is null. Events come newest first by
// date_updated, so each page must continue downwards from the last one.
func (c *Connector) fetchEvent(ctx context.Context, plan provider.Plan, pos provider.Position) (provider.Page, error) {
	// https://developer.close.com/api/resources/events/list: _limit, _cursor and the
	// documented filters; no _skip. With _cursor, every filter is re-sent except
	// date_updated*, which the cursor holds.
	q := url.Values{}
	q.Set("_limit", strconv.Itoa(plan.PageSize))
	for k, v := range plan.Filters {
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
	last, err := ordered(plan.Resource, pos, resp.Data, "date_updated", spanOf("date_updated", sinceValues(plan)), descending, pos.Last)
	if err != nil {
		return provider.Page{}, err
	}
	page := cursorPage(resp.Data, resp.CursorNext)
	page.Next.Last = last
	return page, nil
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
