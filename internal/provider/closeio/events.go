package closeio

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// eventHistory is how long Close keeps events: "The event log API allows you to access
// these events, up to 30 days back in history" (https://developer.close.com/api/resources/events,
// formerly https://developer.close.com/resources/event-log).
const eventHistory = 30 * 24 * time.Hour

// fetchEvent follows cursor_next until it is null. Events come newest first by
// date_updated, so each page must continue downwards from the last one.
func (c *Connector) fetchEvent(ctx context.Context, plan provider.Plan, pos provider.Position) (provider.Page, error) {
	if pos.Cursor == "" {
		if err := c.checkHistory(plan); err != nil {
			return provider.Page{}, err
		}
	}
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

// checkHistory refuses, before the first page, a lower bound (since, or a date_updated__gte
// or __gt filter) older than the events Close keeps: events between it and the oldest kept
// one may be gone, and the export could not tell. Later pages are not checked: the walk
// starts at the newest event, and a cursor holds its place.
func (c *Connector) checkHistory(plan provider.Plan) error {
	oldest := c.now().Add(-eventHistory)
	bound, name := plan.Since, "since"
	for _, k := range []string{"date_updated__gte", "date_updated__gt"} {
		if t, ok := parseTime(plan.Filters[k]); ok && (bound.IsZero() || t.Before(bound)) {
			bound, name = t, "filters."+k
		}
	}
	if bound.IsZero() || !bound.Before(oldest) {
		return nil
	}
	return fatal(plan.Resource, "%s %s is more than 30 days ago, and Close keeps events for 30 days, so events before %s may be gone and the export could not tell: "+
		"export the lists (lead, contact, opportunity, activity, task) whole, then event with a since in the last 30 days, or none (the whole log)",
		name, bound.UTC().Format(time.RFC3339), oldest.UTC().Format(time.RFC3339))
}
