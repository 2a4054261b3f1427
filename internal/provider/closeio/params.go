package closeio

import (
	"slices"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// owned are parameters the connector sets itself; _group_by would change the answer's shape.
var owned = []string{"_cursor", "_fields", "_group_by", "_limit", "_order_by", "_skip"}

// windowBounds are the only filters a window export takes on lead and contact: they bound
// the date_created moment_range of its Advanced Filtering query.
var windowBounds = []string{"date_created__gte", "date_created__lt"}

// eventCombos are the filter combinations the events reference supports; date_updated
// filters go with any of them, and no filter at all lists every event.
var eventCombos = [][]string{
	{"object_type", "object_id"}, {"object_type", "action"}, {"object_id", "action"},
	{"lead_id", "object_type"}, {"lead_id", "object_type", "action"},
	{"lead_id", "user_id", "object_type"}, {"lead_id", "user_id", "object_type", "action"},
	{"lead_id", "user_id"}, {"user_id", "object_id"}, {"user_id", "object_id", "action"},
	{"user_id", "object_type"}, {"user_id", "object_type", "action"},
	{"lead_id"}, {"user_id"}, {"request_id"}, {},
}

// allowedFilters is what a user may put in filters for resource under strategy.
func allowedFilters(resource, strategy string) []string {
	if searched(resource, strategy) {
		return windowBounds
	}
	r, _ := rowOf(resource)
	var out []string
	for _, p := range r.params {
		if !slices.Contains(owned, p) && (r.kind != kindByLead || p != "lead_id" && p != "custom_object_type_id") {
			out = append(out, p)
		}
	}
	return out
}

// checkFilters holds plan.Filters to the endpoint's documented list and its stated rules.
func checkFilters(plan provider.Plan) error {
	allowed := allowedFilters(plan.Resource, plan.Strategy)
	for k := range plan.Filters {
		if !slices.Contains(allowed, k) {
			return provider.Invalid(Name, "filters", "%q is not a filter %s documents; allowed: %s", k, endpointName(plan), names(allowed))
		}
	}
	f, r := plan.Filters, rowFor(plan.Resource)
	if searched(plan.Resource, plan.Strategy) {
		for _, k := range windowBounds {
			if v, ok := f[k]; ok && !validTime(v) {
				return provider.Invalid(Name, "filters", "%s %q is not a date or RFC 3339 time", k, v)
			}
		}
	}
	switch {
	case plan.Strategy == provider.StrategyWindow && (has(f, "date_created__gt") || has(f, "date_created__lte")):
		return provider.Invalid(Name, "filters", "the window strategy bounds date_created itself; use date_created__gte and date_created__lt, or strategy offset")
	case hasAny(f, r.refused.params...):
		return provider.Invalid(Name, "filters", "%s: %s", strings.Join(r.refused.params, ", "), r.refused.why)
	case !has(f, "lead_id") && hasAny(f, r.leadOnly...):
		return provider.Invalid(Name, "filters", "%s are allowed only with lead_id (Close lists these only on a single lead)", strings.Join(r.leadOnly, ", "))
	case r.kind == kindEvent && !eventCombo(f):
		return provider.Invalid(Name, "filters", "Close supports only these event filter combinations (date_updated filters go with any): %s", combos())
	}
	return checkSince(plan)
}

// checkSince refuses since where it would clash with a filter or has nothing to filter on.
func checkSince(plan provider.Plan) error {
	if plan.Since.IsZero() {
		return nil
	}
	if key := sinceFilter(plan); key != "" && has(plan.Filters, key) {
		return provider.Invalid(Name, "filters", "set since or filters.%s, not both", key)
	}
	if sinceFilter(plan) == "" && !searched(plan.Resource, plan.Strategy) {
		r := rowFor(plan.Resource)
		hint := "leave since unset (every run of it is whole)"
		if r.walk {
			hint = "use strategy window, which filters through Advanced Filtering"
		}
		return provider.Invalid(Name, "since", "%s documents no date filter (%s); %s", endpointName(plan), r.ref, hint)
	}
	return nil
}

// sinceFilter is the documented list filter since becomes. Activities document no
// date_updated filter, so since means created since there: edits to older activities are
// not seen.
func sinceFilter(plan provider.Plan) string { return rowFor(plan.Resource).since }

func validTime(s string) bool {
	_, ok := parseTime(s)
	return ok
}

func eventCombo(f map[string]string) bool {
	var keys []string
	for k := range f {
		if !strings.HasPrefix(k, "date_updated") {
			keys = append(keys, k)
		}
	}
	for _, combo := range eventCombos {
		if len(combo) == len(keys) && hasAll(combo, keys) {
			return true
		}
	}
	return false
}

func combos() string {
	var out []string
	for _, c := range eventCombos {
		if len(c) > 0 {
			out = append(out, strings.Join(c, "+"))
		}
	}
	return strings.Join(out, "; ")
}

func endpointName(plan provider.Plan) string {
	if searched(plan.Resource, plan.Strategy) {
		return "a window export of " + plan.Resource + " (Advanced Filtering)"
	}
	return "GET /api/v1/" + rowFor(plan.Resource).path
}

// rowFor is the row of a resource Validate accepted, or of a row's own name.
func rowFor(name string) resource {
	r, ok := rowOf(name)
	if !ok {
		r, _ = lookup(name)
	}
	return r
}

func names(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

func has(f map[string]string, k string) bool {
	_, ok := f[k]
	return ok
}

func hasAny(f map[string]string, keys ...string) bool {
	return slices.ContainsFunc(keys, func(k string) bool { return has(f, k) })
}

func hasAll(set, keys []string) bool {
	for _, k := range keys {
		if !slices.Contains(set, k) {
			return false
		}
	}
	return true
}
