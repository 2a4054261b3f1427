package attio

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// createdAsc is the order of every offset walk but notes, so offset pages of one export
// never overlap. created_at has microsecond precision; like any offset paging this assumes
// Attio orders ties stably.
var createdAsc = []sortSpec{{Direction: "asc", Attribute: "created_at"}}

// Fetch gets the page at req.Position.
func (c *Connector) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	plan, pos := req.Plan, req.Position
	if c.urlErr != nil {
		return provider.Page{}, fatal(plan.Resource, "ATTIO_BASE_URL: %v", c.urlErr)
	}
	switch t := c.resolve(plan.Resource); t.kind {
	case kindNotes, kindTasks, kindRecords, kindEntries:
		return c.fetchOffset(ctx, plan, pos, t)
	case kindMeetings:
		return c.fetchMeetings(ctx, plan, pos)
	case kindMembers:
		return c.fetchMembers(ctx, plan)
	}
	return provider.Page{}, fatal(plan.Resource, "not an attio resource")
}

// fetchOffset pages an offset endpoint. Attio has no has-more flag: a page shorter than
// the limit is the last, so an exact multiple ends on an empty page. The limit never
// changes between pages but for a query over Attio's per-query score, which goes on with
// a smaller one (cheaper, see smaller); a partition's End trims the page instead.
func (c *Connector) fetchOffset(ctx context.Context, plan provider.Plan, pos provider.Position, t target) (provider.Page, error) {
	if pos.End > 0 && pos.Offset >= pos.End {
		return provider.Page{Next: pos, Done: true, Total: -1}, nil
	}
	limit := cmp.Or(pos.Limit, plan.PageSize)
	var resp listResponse
	for {
		err := c.requestOffset(ctx, plan, pos.Offset, limit, t, &resp)
		if err == nil {
			break
		}
		if limit, err = smaller(plan.Resource, t, limit, err); err != nil {
			return provider.Page{}, err
		}
	}
	last := pos.Last
	if t.kind != kindNotes {
		var err error
		if last, err = checkCreated(plan, pos, resp.Data); err != nil {
			return provider.Page{}, err
		}
	}
	n := len(resp.Data)
	page := provider.Page{Records: resp.Data, Total: -1, Done: n < limit}
	if pos.End > 0 && pos.Offset+n >= pos.End {
		page.Records, page.Done = resp.Data[:pos.End-pos.Offset], true
	}
	page.Next = provider.Position{Offset: pos.Offset + len(page.Records), End: pos.End, Last: last}
	if limit != plan.PageSize {
		page.Next.Limit = limit
	}
	return page, nil
}

// smaller is the limit to try after err: half of limit when Attio refused a records or
// entries query as over its per-query score (the guide: reduce the query's complexity).
// Any other error, or a refused page of one, is returned.
func smaller(resource string, t target, limit int, err error) (int, error) {
	var pe *provider.Error
	if !errors.As(err, &pe) || !pe.TooCostly || (t.kind != kindRecords && t.kind != kindEntries) {
		return 0, err
	}
	if limit <= 1 {
		return 0, fatal(resource, "Attio refuses even a page of one record as over its per-query score limit: "+
			"simplify the query's filter (https://docs.attio.com/rest-api/guides/rate-limiting)")
	}
	return limit / 2, nil
}

// requestOffset sends one offset request of t's endpoint.
func (c *Connector) requestOffset(ctx context.Context, plan provider.Plan, offset, limit int, t target, out *listResponse) error {
	q := filterValues(plan)
	q.Set("limit", strconv.Itoa(limit))
	q.Set("offset", strconv.Itoa(offset))
	switch t.kind {
	case kindNotes:
		// https://docs.attio.com/rest-api/endpoint-reference/notes/list-notes: limit,
		// offset, parent_object, parent_record_id.
		return c.do(ctx, plan.Resource, http.MethodGet, c.endpoint("/v2/notes", q), nil, out)
	case kindTasks:
		// https://docs.attio.com/rest-api/endpoint-reference/tasks/list-tasks: limit,
		// offset, sort (created_at:asc, also the default), linked_object, linked_record_id,
		// assignee, is_completed.
		q.Set("sort", "created_at:asc")
		return c.do(ctx, plan.Resource, http.MethodGet, c.endpoint("/v2/tasks", q), nil, out)
	}
	// https://docs.attio.com/rest-api/endpoint-reference/records/list-records and
	// https://docs.attio.com/rest-api/endpoint-reference/entries/list-entries: filter, sorts,
	// limit, offset in the body. Entries carry a created_at attribute too (entry_values in
	// the list-entries reference), so both sort by it.
	body, err := json.Marshal(queryRequest{Filter: recordFilter(plan), Sorts: createdAsc, Limit: limit, Offset: offset})
	if err != nil {
		return fatal(plan.Resource, "encoding query: %v", err)
	}
	path := "/v2/objects/" + t.ident + "/records/query"
	if t.kind == kindEntries {
		path = "/v2/lists/" + t.ident + "/entries/query"
	}
	return c.do(ctx, plan.Resource, http.MethodPost, c.endpoint(path, nil), body, out)
}

// fetchMembers is the one page GET /v2/workspace_members answers with every member.
func (c *Connector) fetchMembers(ctx context.Context, plan provider.Plan) (provider.Page, error) {
	var resp listResponse
	// https://docs.attio.com/rest-api/endpoint-reference/workspace-members/list-workspace-members:
	// no parameters, no paging.
	if err := c.do(ctx, plan.Resource, http.MethodGet, c.endpoint("/v2/workspace_members", nil), nil, &resp); err != nil {
		return provider.Page{}, err
	}
	return provider.Page{Records: resp.Data, Done: true, Total: -1}, nil
}

// fetchMeetings follows pagination.next_cursor until it is null.
func (c *Connector) fetchMeetings(ctx context.Context, plan provider.Plan, pos provider.Position) (provider.Page, error) {
	// https://docs.attio.com/rest-api/endpoint-reference/meetings/list-meetings: limit,
	// cursor, linked_object, linked_record_id.
	q := filterValues(plan)
	q.Set("limit", strconv.Itoa(plan.PageSize))
	if pos.Cursor != "" {
		q.Set("cursor", pos.Cursor)
	}
	var resp cursorResponse
	if err := c.do(ctx, plan.Resource, http.MethodGet, c.endpoint("/v2/meetings", q), nil, &resp); err != nil {
		return provider.Page{}, err
	}
	page := provider.Page{Records: resp.Data, Total: -1}
	if next := resp.Pagination.NextCursor; next != nil && *next != "" {
		page.Next = provider.Position{Cursor: *next}
	} else {
		page.Done = true
	}
	return page, nil
}

// recordFilter is the query as Attio's filter, with created_at >= since added. Attio records
// have no updated-at attribute to filter on, so since means created since. Attributes of one
// filter object are and-ed, so since joins the query's own object unless the query already
// constrains created_at or is an operator expression, which gets an explicit $and.
func recordFilter(plan provider.Plan) json.RawMessage {
	q := bytes.TrimSpace(plan.Query)
	if plan.Since.IsZero() {
		if len(q) == 0 {
			return nil
		}
		return q
	}
	cond, _ := json.Marshal(map[string]string{"$gte": plan.Since.UTC().Format(time.RFC3339Nano)})
	filter := map[string]json.RawMessage{}
	if len(q) > 0 {
		_ = json.Unmarshal(q, &filter) // Validate accepted only JSON objects
	}
	if _, ok := filter["created_at"]; !ok && !hasOperator(filter) {
		filter["created_at"] = cond
		out, _ := json.Marshal(filter)
		return out
	}
	since, _ := json.Marshal(map[string]json.RawMessage{"created_at": cond})
	out, _ := json.Marshal(map[string][]json.RawMessage{"$and": {q, since}})
	return out
}

func hasOperator(filter map[string]json.RawMessage) bool {
	for k := range filter {
		if strings.HasPrefix(k, "$") {
			return true
		}
	}
	return false
}

func filterValues(plan provider.Plan) url.Values {
	q := url.Values{}
	for k, v := range plan.Filters {
		q.Set(k, v)
	}
	return q
}

func (c *Connector) endpoint(path string, q url.Values) string {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawPath = ""
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
	if err := c.token.Bearer(req, Name, resource); err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return provider.Call(ctx, c.client, c.pacer, wire, resource, req, out)
}
