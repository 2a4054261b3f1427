package closeio

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// A window export of leads or contacts walks Advanced Filtering, the only way Close
// documents to filter or sort them: GET /lead/ and /contact/ list only _limit, _skip,
// _fields (and lead_id). One cursor walk returns at most SearchCap results and a cursor
// lives about 30 s, so the walk is keyset-paged: sorted by date_created ascending, it is
// re-anchored (a new query on_or_after the last date_created seen) after SearchCap/2
// results, when its cursor is older than CursorMaxAge, and once when a cursor is refused
// with 400.
//
// Position during a walk: Anchor is the query's on_or_after ("" for none), Cursor, Walked
// and Issued belong to the walk, From is the last date_created seen and Offset how many
// records at exactly From were passed. A new walk anchored at From skips Offset records,
// which assumes Close orders ties stably, as _skip paging does. From and Offset alone are
// a valid restart point: that is all a window partition keeps.

// fetchWalk gets the next page of the walk at pos, starting one when pos has no cursor.
func (c *Connector) fetchWalk(ctx context.Context, plan provider.Plan, pos provider.Position) (provider.Page, error) {
	if pos.Cursor == "" {
		pos = anchored(pos)
	}
	retried := false
	// Each pass returns records or moves Walked on, so a walk's worth of passes is plenty.
	for range c.cfg.SearchCap/plan.PageSize + 2 {
		var err error
		if pos, err = c.renew(plan, pos); err != nil {
			return provider.Page{}, err
		}
		var resp searchResponse
		err = c.search(ctx, plan.Resource, walkBody(plan, pos), &resp)
		if pos.Cursor != "" && !retried && status(err) == http.StatusBadRequest {
			// An expired cursor is refused with 400: start a new walk where this one was.
			// Once per Fetch: the requests within one follow each other at once.
			retried, pos = true, anchored(pos)
			continue
		}
		if err != nil {
			return provider.Page{}, err
		}
		page, err := c.walkPage(plan, pos, resp)
		// A page of ties exported before a re-anchor has nothing new: fetch on rather than
		// hand Advance an empty page. Walked grows each time, so renew ends this.
		if err != nil || len(page.Records) > 0 || page.Done || len(resp.Data) == 0 {
			return page, err
		}
		pos = page.Next
	}
	return provider.Page{}, fatal(plan.Resource, "a whole Advanced Filtering walk from %s returned only records exported before", pos.Describe())
}

// anchored starts a new walk at pos's restart point.
func anchored(pos provider.Position) provider.Position {
	// A new query: Matches is counted again by its first page.
	return provider.Position{From: pos.From, Offset: pos.Offset, Until: pos.Until, Anchor: pos.From}
}

// renew re-anchors the walk before its cursor is refused: near the cap, past half of it,
// or with an old cursor. Only a walk whose From has moved past its anchor is re-anchored
// early, so each new walk starts further on; one that cannot move before the cap fails.
func (c *Connector) renew(plan provider.Plan, pos provider.Position) (provider.Position, error) {
	if pos.Cursor == "" {
		return pos, nil
	}
	limit := c.cfg.SearchCap
	moved := pos.From != "" && (pos.Anchor == "" || !sameInstant(pos.From, pos.Anchor))
	// A walk that reaches the cap ends with a null cursor, like one that is done: stay below.
	full := pos.Walked+plan.PageSize >= limit
	old := c.now().Sub(time.UnixMilli(pos.Issued)) > c.cfg.CursorMaxAge
	switch {
	case full && !moved:
		return pos, fatal(plan.Resource, "at least %d records share date_created %s: one Advanced Filtering walk returns at most %d (CLOSE_SEARCH_CAP), so no query can step past them",
			max(pos.Offset, pos.Walked), pos.From, limit)
	case full, moved && (pos.Walked >= limit/2 || old):
		return anchored(pos), nil
	}
	return pos, nil
}

// walkPage checks a walk's answer and keeps the records not exported yet.
func (c *Connector) walkPage(plan provider.Plan, pos provider.Position, resp searchResponse) (provider.Page, error) {
	next := pos
	next.Walked += len(resp.Data)
	next.Cursor, next.Issued = "", 0
	if resp.Cursor != nil && *resp.Cursor != "" {
		if *resp.Cursor == pos.Cursor {
			return provider.Page{}, provider.Broken(Name, plan.Resource, pos, "the search answered with the cursor it was sent")
		}
		next.Cursor, next.Issued = *resp.Cursor, c.now().UnixMilli()
	}
	window := span{lt: timeOf(pos.Until)}
	window.gte, _ = parseTime(pos.Anchor)
	if _, err := ordered(plan.Resource, pos, resp.Data, "date_created", window, ascending, pos.From); err != nil {
		return provider.Page{}, err
	}
	if !plan.Since.IsZero() {
		if _, err := ordered(plan.Resource, pos, resp.Data, "date_updated", since(plan.Since), unordered, ""); err != nil {
			return provider.Page{}, err
		}
	}
	keep := make([]json.RawMessage, 0, len(resp.Data))
	for j, rec := range resp.Data {
		created, _, _ := stamp(plan.Resource, rec, "date_created") // ordered checked it
		tied := next.From != "" && sameInstant(created, next.From)
		switch {
		case tied && next.Anchor != "" && sameInstant(next.From, next.Anchor):
			// Still in the anchor's run, which the walk starts with: j counts it.
			if i := pos.Walked + j; i < next.Offset {
				continue // exported before this walk
			}
			next.Offset = pos.Walked + j + 1
		case tied:
			next.Offset++
		default:
			next.From, next.Offset = created, 1
		}
		keep = append(keep, rec)
	}
	total := -1
	if pos.Cursor == "" && resp.Count != nil && resp.Count.Total != nil {
		next.Matches = *resp.Count.Total // the walk's first page counts its query
		total = next.Matches
	}
	done := next.Cursor == ""
	capped := next.Matches == 0 || next.Walked < next.Matches
	if done && capped && next.From != "" && (next.Anchor == "" || !sameInstant(next.From, next.Anchor)) {
		// A walk stopped by Close's result cap ends exactly as one at the end of the data
		// does, and the cap is not documented: a walk that returned fewer results than its
		// query matches (or was not counted) goes on from the last record seen. A fresh walk
		// that finds nothing new ends the export.
		next, done = anchored(next), false
	}
	return provider.Page{Records: keep, Total: total, Done: done, Next: next}, nil
}

// walkBody is the Advanced Filtering request for the walk at pos. Reference:
// https://developer.close.com/api/resources/advanced-filtering/search (query, sort,
// _limit, cursor, _fields); the moment_range, sort and _fields shapes are the ones public
// connectors use (see the readme's readings).
func walkBody(plan provider.Plan, pos provider.Position) walkRequest {
	obj := plan.Resource
	queries := []any{
		objectTypeQuery{Type: "object_type", ObjectType: obj},
		dateCondition(obj, "date_created", fixed(pos.Anchor), fixed(pos.Until)),
	}
	if !plan.Since.IsZero() {
		queries = append(queries, dateCondition(obj, "date_updated", fixed(plan.Since.UTC().Format(closeTime)), nil))
	}
	body := walkRequest{
		Query:  andQuery{Type: "and", Queries: queries},
		Sort:   []sortField{{Direction: "asc", Field: regularField{Type: "regular_field", ObjectType: obj, FieldName: "date_created"}}},
		Limit:  plan.PageSize,
		Fields: map[string][]string{obj: plan.Fields},
		// The first page counts what the query matches: the end of a walk short of that is
		// the cap, and the export's first page gives the provider's own count.
		IncludeCounts: pos.Cursor == "",
	}
	if pos.Cursor != "" {
		body.Cursor = &pos.Cursor
	}
	return body
}

func dateCondition(obj, field string, onOrAfter, before *moment) fieldCondition {
	return fieldCondition{
		Type:      "field_condition",
		Field:     regularField{Type: "regular_field", ObjectType: obj, FieldName: field},
		Condition: momentRange{Type: "moment_range", OnOrAfter: onOrAfter, Before: before},
	}
}

// fixed is a fixed_utc moment in Close's own layout (microseconds kept: ties depend on
// them), or nil for an open bound.
func fixed(s string) *moment {
	if s == "" {
		return nil
	}
	if t, ok := parseTime(s); ok {
		s = t.UTC().Format(closeTime)
	}
	return &moment{Type: "fixed_utc", Value: s}
}

// timeOf is s as an instant, zero (an open bound) when it is empty or unparseable.
func timeOf(s string) time.Time {
	t, _ := parseTime(s)
	return t
}

// status is err's HTTP status, 0 when it has none.
func status(err error) int {
	var pe *provider.Error
	if errors.As(err, &pe) {
		return pe.Status
	}
	return 0
}
