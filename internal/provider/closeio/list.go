package closeio

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// fetchOffset is plain _skip paging, which ends at the resource's max _skip. Lead and
// contact document no order, so their pages rely on Close's default order being stable.
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
	// The row's reference (resources.go): listQuery's parameters and the filters Validate
	// held to the resource's documented list.
	q := listQuery(plan, size, pos.Offset)
	for k, v := range plan.Filters {
		q.Set(k, v)
	}
	resp, err := c.list(ctx, plan.Resource, plan.Resource, q)
	if err != nil {
		return provider.Page{}, err
	}
	next := provider.Position{Offset: pos.Offset + len(resp.Data), End: pos.End}
	if sorted(plan.Resource) {
		if next.Last, err = ordered(plan.Resource, pos, resp.Data, "date_created", spanOf("date_created", sinceValues(plan)), ascending, pos.Last); err != nil {
			return provider.Page{}, err
		}
		if err := c.checkUpdated(plan, pos, resp.Data); err != nil {
			return provider.Page{}, err
		}
	}
	// has_more with an empty page leaves the position where it was; Advance stops that.
	done := !resp.HasMore || (pos.End > 0 && next.Offset >= pos.End)
	return provider.Page{Records: resp.Data, Total: totalOf(resp), Done: done, Next: next}, nil
}

// fetchWindow pages opportunity or activity records with date_created in [From, Until),
// skipping Offset; see nextWindow.
func (c *Connector) fetchWindow(ctx context.Context, plan provider.Plan, pos provider.Position) (provider.Page, error) {
	if limit := c.maxSkip(plan.Resource); pos.Offset > limit {
		return provider.Page{}, fatal(plan.Resource, "%d records share date_created %s, more than Close's max _skip of %d for %s: no window can step past them",
			pos.Offset, pos.From, limit, plan.Resource)
	}
	// The row's reference (opportunities, activities, tasks): listQuery's parameters, the
	// documented filters, and the window as date_created__gte/__lt.
	q := listQuery(plan, plan.PageSize, pos.Offset)
	for k, v := range plan.Filters {
		if k != "date_created__gte" && k != "date_created__lt" { // Start folded them into the window
			q.Set(k, v)
		}
	}
	window := map[string]string{"date_created__lt": pos.Until}
	if pos.From != "" {
		window["date_created__gte"] = pos.From
	}
	for k, v := range window {
		q.Set(k, v)
	}
	resp, err := c.list(ctx, plan.Resource, plan.Resource, q)
	if err != nil {
		return provider.Page{}, err
	}
	if _, err := ordered(plan.Resource, pos, resp.Data, "date_created", spanOf("date_created", window), ascending, pos.From); err != nil {
		return provider.Page{}, err
	}
	if err := c.checkUpdated(plan, pos, resp.Data); err != nil {
		return provider.Page{}, err
	}
	page := provider.Page{Records: resp.Data, Total: totalOf(resp), Done: !resp.HasMore, Next: pos}
	if page.Done {
		return page, nil
	}
	if len(resp.Data) == 0 {
		return provider.Page{}, provider.Broken(Name, plan.Resource, pos, "has_more with an empty page")
	}
	if page.Next, err = nextWindow(plan.Resource, pos, resp.Data); err != nil {
		return provider.Page{}, err
	}
	return page, nil
}

// checkUpdated holds opportunity records to since (date_updated__gte).
func (c *Connector) checkUpdated(plan provider.Plan, at provider.Position, recs []json.RawMessage) error {
	if plan.Since.IsZero() || sinceFilter(plan) != "date_updated__gte" {
		return nil
	}
	_, err := ordered(plan.Resource, at, recs, "date_updated", since(plan.Since), unordered, "")
	return err
}

// sorted reports whether the list documents _order_by=date_created (opportunity, activity, task).
func sorted(resource string) bool { return rowFor(resource).ordered }

// listQuery is what every list request repeats, each documented for the resource: _limit,
// _skip, _fields, and where the reference lists them (opportunities, activities, tasks)
// _order_by=date_created, for stable _skip pages, and since as its date filter.
func listQuery(plan provider.Plan, limit, skip int) url.Values {
	q := url.Values{}
	q.Set("_limit", strconv.Itoa(limit))
	q.Set("_skip", strconv.Itoa(skip))
	if len(plan.Fields) > 0 {
		q.Set("_fields", strings.Join(plan.Fields, ","))
	}
	if sorted(plan.Resource) {
		q.Set("_order_by", "date_created")
	}
	// A documented default the export widens (smart views and tasks: every type, not only
	// lead ones; resources.go cites each reference).
	if p := rowFor(plan.Resource).preset; p.key != "" && !hasAny(plan.Filters, p.over...) {
		q.Set(p.key, p.value)
	}
	// An activity window starts at since instead (Start).
	if key := sinceFilter(plan); key != "" && !plan.Since.IsZero() && (key != "date_created__gte" || plan.Strategy != provider.StrategyWindow) {
		q.Set(key, plan.Since.UTC().Format(closeTime))
	}
	return q
}

// sinceValues is the plan's filters with since added as the filter it becomes.
func sinceValues(plan provider.Plan) map[string]string {
	out := make(map[string]string, len(plan.Filters)+1)
	for k, v := range plan.Filters {
		out[k] = v
	}
	if key := sinceFilter(plan); key != "" && !plan.Since.IsZero() {
		out[key] = plan.Since.UTC().Format(closeTime)
	}
	return out
}

// list gets a page of the list of row from, for an export of resource.
func (c *Connector) list(ctx context.Context, resource, from string, q url.Values) (listResponse, error) {
	var resp listResponse
	err := c.do(ctx, resource, http.MethodGet, c.endpoint("/api/v1/"+rowFor(from).path, q), nil, &resp)
	var pe *provider.Error
	if err != nil && errors.As(err, &pe) && pe.Status == http.StatusBadRequest && strings.Contains(strings.ToLower(pe.Message), "skip") {
		pe.Message += " (Close's max _skip: set CLOSE_MAX_SKIP lower, or use strategy window)"
	}
	return resp, err
}

// totalOf is the list's total_results, which opportunity lists document on every answer
// (the export's first page gives the provider's own count), or -1.
func totalOf(resp listResponse) int {
	if resp.TotalResults == nil {
		return -1
	}
	return *resp.TotalResults
}
