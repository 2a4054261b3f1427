package closeio

import (
	"slices"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// kind is how a resource is listed.
type kind int

const (
	kindList   kind = iota + 1 // GET with _skip/_limit, {"data", "has_more"}
	kindEvent                  // GET /api/v1/event/ with _cursor/_limit
	kindSearch                 // POST /api/v1/data/search/ with cursor/_limit in the body
	kindOne                    // GET with no paging parameter documented: everything in one page
	kindByLead                 // custom objects: GET /api/v1/custom_object/ lead by lead
)

// resource is one row of the connector's table: a Close endpoint as its reference
// documents it, and how the export pages it.
type resource struct {
	name       string
	path       string // under /api/v1/
	ref        string
	kind       kind
	strategies []string // the first is the default
	params     []string // the query parameters the reference lists
	walk       bool     // window exports walk Advanced Filtering (the list documents no filter)
	ordered    bool     // _order_by=date_created is documented: pages are asked and checked in that order
	since      string   // the documented filter since becomes; "" when there is none
	leadOnly   []string // filters the reference allows only together with lead_id
	refused    refusal  // documented filters the export cannot use
	preset     preset   // a documented default that hides records, widened unless filters set it
	hidden     bool     // not in the catalog: search needs a query; custom objects are discovered
	within     string   // the resource that lists every record of this one too
}

// preset is a parameter sent in place of a default that hides records, unless the user's
// filters name one of over.
type preset struct {
	key, value string
	over       []string
}

// refusal is documented filters an export cannot send, and why.
type refusal struct {
	params []string
	why    string
}

const refBase = "https://developer.close.com/api/resources/"

var (
	windowOffset = []string{provider.StrategyWindow, provider.StrategyOffset}
	offsetOnly   = []string{provider.StrategyOffset}
	cursorOnly   = []string{provider.StrategyCursor}
	singleOnly   = []string{provider.StrategySingle}
	paging       = []string{"_limit", "_skip"}
)

// table is every resource the connector exports, in catalog order. Adding one is a row
// here, its sandbox endpoint and a conformance case.
var table = []resource{
	{name: "lead", path: "lead/", ref: refBase + "leads/list", kind: kindList, strategies: windowOffset,
		params: join(paging, "_fields"), walk: true},
	{name: "contact", path: "contact/", ref: refBase + "contacts/list", kind: kindList, strategies: windowOffset,
		params: join(paging, "_fields", "lead_id"), walk: true},
	{name: "opportunity", path: "opportunity/", ref: refBase + "opportunities/list", kind: kindList, strategies: windowOffset,
		params: opportunityParams, ordered: true, since: "date_updated__gte"},
	{name: "activity", path: "activity/", ref: refBase + "activities/list", kind: kindList, strategies: windowOffset,
		params:  join(activityFilters, "lead_id__in", "user_id__in", "contact_id__in", "_type__in", "_fields", "_order_by"),
		ordered: true, since: "date_created__gte", leadOnly: activityLeadOnly,
		// Close: "you can only use the date-based filters of the field you're currently sorting on".
		refused: refusal{dateOps("activity_at"), "activity_at filters need _order_by=-activity_at, which only single-lead listings allow; the export sorts by date_created"}},
	// The description adds request_id and _cursor, and says there is no _skip.
	{name: "event", path: "event/", ref: refBase + "events/list", kind: kindEvent, strategies: cursorOnly,
		params: join([]string{"_limit", "_cursor", "object_type", "object_id", "lead_id", "action", "user_id", "request_id"}, dateOps("date_updated")...),
		since:  "date_updated__gte"},
	{name: "search", path: "data/search/", ref: refBase + "advanced-filtering/search", kind: kindSearch, strategies: cursorOnly, hidden: true},
	// _order_by takes date or date_created. "When not filtering by _type, only lead tasks
	// are returned. Use _type=all to show all types" (https://developer.close.com/api/resources/tasks).
	{name: "task", path: "task/", ref: refBase + "tasks/list", kind: kindList, strategies: windowOffset, params: taskParams,
		ordered: true, since: "date_updated__gte", preset: preset{"_type", "all", []string{"_type", "_type__in"}}},
	// _order_by sorts by name only (last_name,first_name): ties make no stable order, so none is sent.
	list("user/", "users/list", join(paging, "_order_by")...),
	activityType("note", "notes"), activityType("call", "calls"), activityType("email", "emails"),
	activityType("emailthread", "email-threads"), activityType("sms", "sms"),
	activityType("whatsapp_message", "whatsapp-messages", "external_whatsapp_message_id"),
	activityType("meeting", "meetings", "_fields"), customActivities(), activityType("created", "creations"),
	activityType("form_submission", "form-submissions", "lead_id__in", "user_id__in", "contact_id__in", "_type__in",
		"form_id", "form_id__in", "_fields"),
	activityType("status_change/lead", "lead-status-changes"),
	activityType("status_change/opportunity", "opportunity-status-changes", "opportunity_id"),
	activityType("lead_merge", "lead-merges"), activityType("task_completed", "task-completions"),
	list("custom_field/lead/", "custom-fields/custom-fields-lead/list", join(paging, "_fields")...),
	list("custom_field/contact/", "custom-fields/custom-fields-contact/list", join(paging, "_fields")...),
	list("custom_field/opportunity/", "custom-fields/custom-fields-opportunity/list", join(paging, "_fields")...),
	list("custom_field/activity/", "custom-fields/custom-fields-activity/list", join(paging, "_fields")...),
	one("custom_field/custom_object_type/", "custom-fields/custom-fields-custom-object/list"),
	one("custom_field/shared/", "custom-fields/custom-fields-shared/list", "_fields"),
	list("sequence/", "sequences/list", paging...),
	smartViews(),
	list("email_template/", "email-templates/list", join(paging, "is_archived", "is_shared")...),
	list("sms_template/", "sms-templates/list", paging...),
	one("pipeline/", "pipelines/list"), one("status/lead/", "lead-statuses/list"),
	one("status/opportunity/", "opportunity-statuses/list", "_fields"),
	one("custom_activity/", "custom-activity-types/list"), one("custom_object_type/", "custom-object-types/list"),
	// lead_id is required: an account's custom objects are read lead by lead.
	{name: customObject, path: "custom_object/", ref: refBase + "custom-objects/list", kind: kindByLead, strategies: offsetOnly,
		params: []string{"lead_id", "custom_object_type_id"}, hidden: true},
}

var (
	opportunityParams = join(join(paging, "_fields", "lead_id", "organization_id", "user_id", "user_id__in",
		"status_id", "status_id__in", "status_type", "status_type__in", "status_label", "status_label__in",
		"status", "status__in", "value_period", "value_period__in", "query", "lead_query", "lead_saved_search_id", "is_stalled",
		"_order_by", "_group_by", "date_won", "date_created", "date_updated"),
		join(dateOps("date_won"), join(dateOps("date_created"), dateOps("date_updated")...)...)...)
	taskParams = join(join(paging, "assigned_to", "format", "id", "id__in", "is_complete", "lead_id", "_order_by", "organization_id",
		"_type", "_type__in", "view", "date", "due_date", "_fields"),
		join(dateOps("date"), join(dateOps("due_date"), join(dateOps("date_created"), dateOps("date_updated")...)...)...)...)
	// activityFilters are what /activity/ and every per-type activity list document.
	activityFilters = join(join(paging, "id__in", "lead_id", "contact_id", "user_id", "organization_id", "_type"),
		join(dateOps("date_created"), dateOps("activity_at")...)...)
	// activityLeadOnly "can only be used for listing activities on a single lead".
	activityLeadOnly = []string{"user_id", "user_id__in", "contact_id", "contact_id__in", "_type", "_type__in"}
	savedSearchTypes = []string{"lead", "contact", "opportunity", "call", "email", "sms", "meeting", "note",
		"whatsapp_message", "custom_activity", "form_submission"}
)

// list is a row paged by offset only: no order is documented, no date filter.
func list(path, ref string, params ...string) resource {
	return resource{name: strings.ReplaceAll(strings.TrimSuffix(path, "/"), "/", "_"), path: path, ref: refBase + ref,
		kind: kindList, strategies: offsetOnly, params: params}
}

// one is a row whose reference lists no paging parameter: everything comes in one page.
func one(path, ref string, params ...string) resource {
	r := list(path, ref, params...)
	r.kind, r.strategies = kindOne, singleOnly
	return r
}

// smartViews: type defaults to lead; type__in takes the SavedSearchType enum of the same
// page, so exports ask for every type unless filters choose.
func smartViews() resource {
	r := list("saved_search/", "smart-views/list", join(paging, "type", "type__in")...)
	r.preset = preset{"type__in", strings.Join(savedSearchTypes, ","), []string{"type", "type__in"}}
	return r
}

// activityType is a per-type activity list: offset paging only, as it documents no
// _order_by, and so none of its date filters (they need their field as the sort). Its
// records are all in GET /activity/, "List or filter all activity types"
// (https://developer.close.com/api/resources/activities/list), so an account export takes
// activity alone: windows, since, and every type once.
func activityType(path, slug string, extra ...string) resource {
	return resource{name: "activity_" + strings.ReplaceAll(path, "/", "_"), path: "activity/" + path + "/", within: "activity",
		ref: refBase + "activities/" + slug + "/list", kind: kindList, strategies: offsetOnly,
		params: join(activityFilters, extra...), leadOnly: activityLeadOnly,
		refused: refusal{join(dateOps("date_created"), dateOps("activity_at")...),
			"date filters need their field as the sort, and this list documents no _order_by"}}
}

// customActivities lists custom activities of every type; filtering by type needs lead_id.
func customActivities() resource {
	r := activityType("custom", "custom-activities", "custom_activity_type_id", "custom_activity_type_id__in")
	r.leadOnly = join(r.leadOnly, "custom_activity_type_id", "custom_activity_type_id__in")
	return r
}

// rowOf is the row for an export's resource; custom_object.<type id> uses the custom
// object row, and custom_object alone is not a resource (an export names its type).
func rowOf(name string) (resource, bool) {
	if _, ok := objectType(name); ok {
		name = customObject
	} else if name == customObject {
		return resource{}, false
	}
	return lookup(name)
}

func lookup(name string) (resource, bool) {
	i := slices.IndexFunc(table, func(r resource) bool { return r.name == name })
	if i < 0 {
		return resource{}, false
	}
	return table[i], true
}

// Resources lists the resources Validate accepts by name; custom objects are
// custom_object.<custom object type id>.
func Resources() []string {
	names := make([]string, 0, len(table))
	for _, r := range table {
		if r.name != customObject {
			names = append(names, r.name)
		}
	}
	slices.Sort(names)
	return names
}

// dateOps is field__gte, __lte, __gt and __lt.
func dateOps(field string) []string {
	return []string{field + "__gte", field + "__lte", field + "__gt", field + "__lt"}
}

func join(list []string, more ...string) []string {
	return append(slices.Clone(list), more...)
}
