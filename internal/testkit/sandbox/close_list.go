package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// listFilters applies the filters and ordering t's list documents; false means it wrote a 400.
// Leads take none: their reference lists only _limit, _skip and _fields.
func (c *closeAPI) listFilters(w http.ResponseWriter, q url.Values, v *view) bool {
	t := v.t
	var preds []func(int) bool
	switch t.name {
	case "contact":
		preds = c.equal(t, q, false, "lead_id")
	case "opportunity":
		if _, ok := c.orderBy(w, q, v); !ok {
			return false
		}
		preds = c.equal(t, q, false, "lead_id", "organization_id", "user_id", "status_type", "status_label", "value_period")
		dp, ok := c.dates(w, q, v, "date_created", "date_updated")
		if !ok {
			return false
		}
		preds = append(preds, dp...)
	case "task":
		if _, ok := c.orderBy(w, q, v); !ok {
			return false
		}
		preds = c.equal(t, q, false, "lead_id", "organization_id", "assigned_to", "is_complete")
		if p := c.taskTypes(t, q); p != nil {
			preds = append(preds, p)
		}
		dp, ok := c.dates(w, q, v, "date_created", "date_updated")
		if !ok {
			return false
		}
		preds = append(preds, dp...)
	case "saved_search":
		preds = append(preds, c.savedSearchTypes(t, q))
	case "activity":
		sorted, ok := c.orderBy(w, q, v)
		if !ok {
			return false
		}
		ap, ok := c.activityFilters(w, q, t)
		if !ok {
			return false
		}
		preds = append(preds, ap...)
		if !sorted {
			// "you can only use the date-based filters of the field you're currently sorting
			// on": read strictly, only an explicit _order_by=(-)date_created enables them.
			for _, p := range dateOps("date_created", false) {
				if q.Has(p) {
					c.s.ignored(Close, "GET", "/api/v1/activity/", p)
				}
			}
			break
		}
		dp, ok := c.dates(w, q, v, "date_created")
		if !ok {
			return false
		}
		preds = append(preds, dp...)
	}
	v.pred = all(preds)
	return true
}

// savedSearchTypes: smart views list only lead ones unless type or type__in asks for others.
func (c *closeAPI) savedSearchTypes(t *table, q url.Values) func(int) bool {
	types := []string{"lead"}
	if q.Has("type") {
		types = []string{q.Get("type")}
	}
	if q.Has("type__in") {
		types = strings.Split(q.Get("type__in"), ",")
	}
	return func(i int) bool { return slices.Contains(types, fmt.Sprint(c.record(t, i).get("type"))) }
}

// activityFilters: _type, user_id and contact_id "can only be used for listing activities on
// a single lead"; without lead_id they are ignored (and counted).
func (c *closeAPI) activityFilters(w http.ResponseWriter, q url.Values, t *table) ([]func(int) bool, bool) {
	preds := c.equal(t, q, true, "id", "lead_id", "organization_id")
	onLead := []string{"_type", "_type__in", "user_id", "user_id__in", "contact_id", "contact_id__in"}
	if !q.Has("lead_id") {
		for _, p := range onLead {
			if q.Has(p) {
				c.s.ignored(Close, "GET", "/api/v1/activity/", p)
			}
		}
		return preds, true
	}
	return append(preds, c.equal(t, q, true, "_type", "user_id", "contact_id")...), true
}

// orderBy applies _order_by=date_created or -date_created (the default). The references
// document more orderings; the sandbox refuses those. sorted reports an explicit ordering.
func (c *closeAPI) orderBy(w http.ResponseWriter, q url.Values, v *view) (sorted, ok bool) {
	switch q.Get("_order_by") {
	case "":
		return false, true
	case "-date_created":
	case "date_created":
		v.desc = false
	default:
		closeFieldError(w, "_order_by", "The sandbox supports only date_created and -date_created.")
		return false, false
	}
	v.shuffle = c.s.broken(Close, ContractUnsorted)
	return true, true
}

// equal filters on record fields: f=value and f__in=a,b (comma lists for f too when comma).
func (c *closeAPI) equal(t *table, q url.Values, comma bool, fields ...string) []func(int) bool {
	var preds []func(int) bool
	for _, f := range fields {
		for _, p := range []string{f, f + "__in"} {
			if !q.Has(p) {
				continue
			}
			want := []string{q.Get(p)}
			if comma || p != f {
				want = strings.Split(q.Get(p), ",")
			}
			preds = append(preds, func(i int) bool {
				if f == "id" {
					return slices.Contains(want, t.meta(i).id)
				}
				return slices.Contains(want, fmt.Sprint(c.record(t, i).get(f)))
			})
		}
	}
	return preds
}

// dates applies f, f__gt/gte/lt/lte for each field. date_created is an index range (index
// order is date_created order); date_updated a predicate. ContractIgnoreWindow skips both.
func (c *closeAPI) dates(w http.ResponseWriter, q url.Values, v *view, fields ...string) ([]func(int) bool, bool) {
	var preds []func(int) bool
	t := v.t
	for _, f := range fields {
		for _, key := range dateOps(f, true) {
			if !q.Has(key) {
				continue
			}
			at, err := parseCloseTime(q.Get(key))
			if err != nil {
				closeFieldError(w, key, "Enter a valid date/time.")
				return nil, false
			}
			if c.s.broken(Close, ContractIgnoreWindow) {
				continue
			}
			_, op, _ := strings.Cut(key, "__")
			if f == "date_created" {
				v.lo, v.hi = createdRange(t, op, at, v.lo, v.hi)
				continue
			}
			preds = append(preds, timeOp(op, at, func(i int) time.Time { return t.meta(i).updated }))
		}
	}
	return preds, true
}

// total counts every match of v, caching filtered counts per table version and query.
func (c *closeAPI) total(v *view, q url.Values) int {
	if v.pred == nil {
		return v.count()
	}
	f := cloneQuery(q)
	for _, p := range []string{"_skip", "_limit", "_fields", "_order_by"} {
		f.Del(p)
	}
	key := fmt.Sprintf("total:%d:%d:%v:%s", v.lo, v.hi, c.s.broken(Close, ContractIgnoreWindow), f.Encode())
	return v.t.cached(key, func() any { return v.count() }).(int)
}

func (c *closeAPI) unsupported(w http.ResponseWriter, param string) {
	closeFieldError(w, param, "Documented, but the sandbox does not implement this parameter.")
}
