package closeio

import (
	"slices"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// Reference pages of the endpoints the connector calls.
const (
	refLeads         = "https://developer.close.com/api/resources/leads/list"
	refContacts      = "https://developer.close.com/api/resources/contacts/list"
	refOpportunities = "https://developer.close.com/api/resources/opportunities/list"
	refActivities    = "https://developer.close.com/api/resources/activities/list"
	refEvents        = "https://developer.close.com/api/resources/events/list"
	refSearch        = "https://developer.close.com/api/resources/advanced-filtering/search"
)

// documented is each list endpoint's query parameters as its reference lists them.
var documented = map[string][]string{
	// https://developer.close.com/api/resources/leads/list
	"lead": {"_limit", "_skip", "_fields"},
	// https://developer.close.com/api/resources/contacts/list
	"contact": {"_limit", "_skip", "_fields", "lead_id"},
	// https://developer.close.com/api/resources/opportunities/list
	"opportunity": {"_limit", "_skip", "_fields", "lead_id", "organization_id", "user_id", "user_id__in",
		"status_id", "status_id__in", "status_type", "status_type__in", "status_label", "status_label__in",
		"status", "status__in", "date_won", "date_won__gte", "date_won__gt", "date_won__lte", "date_won__lt",
		"date_created", "date_created__gte", "date_created__gt", "date_created__lte", "date_created__lt",
		"date_updated", "date_updated__gte", "date_updated__gt", "date_updated__lte", "date_updated__lt",
		"value_period", "value_period__in", "query", "lead_query", "lead_saved_search_id", "is_stalled",
		"_order_by", "_group_by"},
	// https://developer.close.com/api/resources/activities/list
	"activity": {"_limit", "_skip", "id__in", "lead_id", "contact_id", "user_id", "organization_id", "_type",
		"date_created__gte", "date_created__lte", "date_created__gt", "date_created__lt",
		"activity_at__gte", "activity_at__lte", "activity_at__gt", "activity_at__lt",
		"lead_id__in", "user_id__in", "contact_id__in", "_type__in", "_fields", "_order_by"},
	// https://developer.close.com/api/resources/events/list: the description adds request_id
	// and _cursor, and says there is no _skip.
	"event": {"_limit", "_cursor", "object_type", "object_id", "lead_id", "action", "user_id", "request_id",
		"date_updated__gt", "date_updated__gte", "date_updated__lt", "date_updated__lte"},
}

// owned are parameters the connector sets itself; _group_by would change the answer's shape.
var owned = []string{"_cursor", "_fields", "_group_by", "_limit", "_order_by", "_skip"}

// windowBounds are the only filters a window export takes on lead and contact: they bound
// the date_created moment_range of its Advanced Filtering query.
var windowBounds = []string{"date_created__gte", "date_created__lt"}

// leadOnly are activity filters the reference allows only together with lead_id.
var leadOnly = []string{"user_id", "user_id__in", "contact_id", "contact_id__in", "_type", "_type__in"}

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
	var out []string
	for _, p := range documented[resource] {
		if !slices.Contains(owned, p) {
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
	f := plan.Filters
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
	case plan.Resource == "activity" && hasAny(f, "activity_at__gte", "activity_at__gt", "activity_at__lt", "activity_at__lte"):
		// Close: "you can only use the date-based filters of the field you're currently sorting on".
		return provider.Invalid(Name, "filters", "activity_at filters need _order_by=-activity_at, which only single-lead listings allow; the export sorts by date_created")
	case plan.Resource == "activity" && !has(f, "lead_id") && hasAny(f, leadOnly...):
		return provider.Invalid(Name, "filters", "%s are allowed only with lead_id (Close lists activities by user, contact or type only on a single lead)", strings.Join(leadOnly, ", "))
	case plan.Resource == "event" && !eventCombo(f):
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
		return provider.Invalid(Name, "since", "GET /api/v1/%s/ documents no date filter (%s); use strategy window, which filters through Advanced Filtering", plan.Resource, refFor(plan.Resource))
	}
	return nil
}

// sinceFilter is the documented list filter since becomes. Activities document no
// date_updated filter, so since means created since there: edits to older activities are
// not seen.
func sinceFilter(plan provider.Plan) string {
	switch plan.Resource {
	case "opportunity", "event":
		return "date_updated__gte"
	case "activity":
		return "date_created__gte"
	}
	return ""
}

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
	return "GET /api/v1/" + plan.Resource + "/"
}

func refFor(resource string) string {
	return map[string]string{"lead": refLeads, "contact": refContacts, "opportunity": refOpportunities,
		"activity": refActivities, "event": refEvents, "search": refSearch}[resource]
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
