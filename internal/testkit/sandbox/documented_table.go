package sandbox

import "slices"

// The tables below are copied from the providers' references (research notes of issue 13),
// never from a connector. Where the spec facts (internal/apispec) cover an endpoint, its
// documented lists are the spec's (fromFacts) and a row here says only what the sandbox
// implements: a parameter the spec lists and the row does not is refused. Where a reference is unclear the stricter reading is taken, and a
// comment beside the row says so.

// clioPaging is what every Clio index action documents and the sandbox implements. offset is
// not in the per-endpoint lists, only in the paging guide
// (https://docs.developers.clio.com/api-docs/paging); it is taken as documented.
var clioPaging = []string{"fields", "limit", "page_token", "order", "updated_since", "created_since", "offset"}

// clioImplemented is, per index action, the other filters the sandbox implements: the
// required type of notes, the scope of documents and folders, and the parameters whose
// default hides records (clioHide).
var clioImplemented = map[string][]string{"notes": {"type"}, "documents": {"scope", "show_uncompleted"},
	"folders": {"scope"}, "bank_accounts": {"show_empty_accounts"}, "users": {"include_co_counsel"}}

// clioOther is, per index action, the other filters the reference lists (checked against
// Clio's OpenAPI document, default version 4.0.13), named as it names them (ids[]); the
// sandbox refuses them.
var clioOther = map[string][]string{
	"contacts": {
		"client_only", "clio_connect_only", "custom_field_ids[]", "custom_field_values", "email_only",
		"exclude_ids[]", "ids[]", "initial", "query", "shared_resource_id", "type"},
	"matters": {
		"billable", "client_id", "close_date[]", "currency_id", "custom_field_ids[]", "custom_field_values",
		"evergreen_retainer_filter", "grant_id", "group_id", "ids[]", "notification_event_subscriber_user_id", "open_date[]",
		"originating_attorney_id", "pending_date[]", "practice_area_id", "query",
		"responsible_attorney_id", "responsible_staff_id", "status", "subscriber_user_id"},
	"activities": {
		"activity_description_id", "calendar_entry_id", "communication_id", "contact_note_id",
		"end_date", "expense_category_id", "flat_rate", "grant_id", "ids[]", "matter_id",
		"matter_note_id", "only_unaccounted_for", "query", "start_date", "status", "task_id", "type",
		"user_id"},
	"tasks": {
		"assignee_id", "assignee_type", "assigner_id", "cascading_source_id", "client_id", "complete",
		"due_at_from", "due_at_present", "due_at_to", "ids[]", "matter_id", "permission", "priority",
		"query", "responsible_attorney_id", "status", "statuses[]", "statute_of_limitations",
		"task_type_id", "time_entries_present"},
	"calendar_entries": {
		"calendar_id", "expanded", "external_property_name", "external_property_value", "from",
		"has_court_rule", "ids[]", "is_all_day", "matter_id", "owner_entries_across_all_users", "query",
		"source", "to", "visible"},
	"communications": {
		"contact_id", "date", "external_property_name", "external_property_value",
		"having_time_entries", "ids[]", "matter_id", "query", "received_at", "received_before",
		"received_since", "type", "user_id"},
	"notes": {"contact_id", "has_time_entries", "ids[]", "matter_id", "query"},
	"documents": {
		"contact_id", "document_category_id", "external_property_name", "external_property_value",
		"ids[]", "include_deleted", "locked", "matter_id", "parent_id", "query"},
	"folders": {
		"contact_id", "document_category_id", "external_property_name", "external_property_value",
		"ids[]", "include_deleted", "matter_id", "parent_id", "query"},
	"bills": {
		"bill_number", "client_id", "currency_id", "custom_field_values", "due_after", "due_at", "due_before", "ids[]",
		"issued_after", "issued_before", "last_sent_end_date", "last_sent_start_date", "matter_id",
		"originating_attorney_id", "overdue_only", "query", "responsible_attorney_id", "state",
		"status", "type"},
	"bank_accounts":     {"ids[]", "status", "type", "user_id"},
	"bank_transactions": {"bank_account_id", "client_id", "ids[]", "matter_id", "type", "unreconciled_only"},
	"users":             {"enabled", "ids[]", "name", "pending_setup", "role", "subscription_type"},
	"custom_fields":     {"deleted", "field_type", "ids[]", "parent_type", "query", "visible_and_required"},
	"practice_areas":    {"code", "ids[]", "matter_id", "name"},
	"relationships":     {"contact_id", "ids[]", "matter_id"},
}

// clioRows: one row per index action, with its anchor on the reference page.
func clioRows() []documented {
	var out []documented
	for _, a := range clioActions {
		paging := clioPaging
		if a.unordered { // the reference lists no order: it is dropped there
			paging = without(clioPaging, "order")
		}
		out = append(out, documented{Endpoint: Endpoint{
			Provider: Clio, Method: "GET", Path: "/api/v4/" + a.path + ".json", Ref: clioRef + "#tag/" + a.ref,
			Query: join(paging, clioImplemented[a.path], clioOther[a.path]),
		}, unimplemented: clioOther[a.path]})
	}
	return out
}

var (
	closePaging  = []string{"_limit", "_skip", "_fields"}
	closeCreated = dateOps("date_created", true)
	closeUpdated = dateOps("date_updated", true)
	closeOppTodo = join([]string{"status_id", "status_id__in", "status", "status__in", "query", "lead_query",
		"lead_saved_search_id", "is_stalled", "_group_by"}, dateOps("date_won", true))
	closeActTodo  = dateOps("activity_at", false)
	closeOppQuery = join(closePaging, []string{"lead_id", "organization_id", "user_id", "user_id__in", "status_type",
		"status_type__in", "status_label", "status_label__in", "value_period", "value_period__in", "_order_by"},
		closeCreated, closeUpdated, closeOppTodo)
	closeActQuery = join(closePaging, []string{"id__in", "lead_id", "lead_id__in", "contact_id", "contact_id__in",
		"user_id", "user_id__in", "organization_id", "_type", "_type__in", "_order_by"},
		dateOps("date_created", false), closeActTodo)
)

func closeRows() []documented {
	row := func(method, path, ref string, query, body, todo []string) documented {
		return documented{Endpoint: Endpoint{Provider: Close, Method: method, Path: path,
			Ref: "https://developer.close.com/api/resources/" + ref, Query: query, Body: body}, unimplemented: todo}
	}
	return append([]documented{
		// No _order_by, no date filters, no query (deprecated 2022-02-14).
		row("GET", "/api/v1/lead/", "leads/list", closePaging, nil, nil),
		row("GET", "/api/v1/contact/", "contacts/list", join(closePaging, []string{"lead_id"}), nil, nil),
		row("GET", "/api/v1/opportunity/", "opportunities/list", closeOppQuery, nil, closeOppTodo),
		// _type, user_id and contact_id work only with lead_id; date filters only for the
		// field sorted on, which the sandbox reads strictly as an explicit _order_by.
		row("GET", "/api/v1/activity/", "activities/list", closeActQuery, nil, closeActTodo),
		// The description says no _skip and _limit at most 50; the parameter array's generic
		// _skip is taken as a copy-paste and left out (the stricter reading).
		row("GET", "/api/v1/event/", "events/list", join([]string{"_cursor", "_limit", "object_type", "object_id",
			"lead_id", "action", "user_id", "request_id"}, dateOps("date_updated", false)), nil, nil),
		// Body fields as third-party sources show them; no query parameters are documented.
		row("POST", "/api/v1/data/search/", "advanced-filtering/search", []string{},
			[]string{"query", "sort", "cursor", "_limit", "_fields", "results_limit", "include_counts"}, nil),
	}, closeAccountRows()...)
}

// Attio meetings' participants, sort, ends_from, starts_before and timezone come from a
// third-party summary of the page; they are listed so they are not counted as undocumented,
// and the sandbox refuses the first four (timezone changes nothing: no all-day meetings).
var attioMeetingsTodo = []string{"participants", "sort", "ends_from", "starts_before"}

// Attio tasks' assignee filter (an email or id, or null) is documented; the sandbox refuses it.
var attioTasksTodo = []string{"assignee"}

func attioRows() []documented {
	ref := "https://docs.attio.com/rest-api/endpoint-reference/"
	query := []string{"filter", "sorts", "limit", "offset"}
	return []documented{
		{Endpoint: Endpoint{Provider: Attio, Method: "POST", Path: "/v2/objects/{object}/records/query",
			Ref: ref + "records/list-records", Query: []string{}, Body: query}},
		{Endpoint: Endpoint{Provider: Attio, Method: "POST", Path: "/v2/lists/{list}/entries/query",
			Ref: ref + "entries/list-entries", Query: []string{}, Body: query}},
		{Endpoint: Endpoint{Provider: Attio, Method: "GET", Path: "/v2/notes", Ref: ref + "notes/list-notes",
			Query: []string{"limit", "offset", "parent_object", "parent_record_id"}}},
		{Endpoint: Endpoint{Provider: Attio, Method: "GET", Path: "/v2/meetings", Ref: ref + "meetings/list-meetings",
			Query: join([]string{"limit", "cursor", "linked_object", "linked_record_id", "timezone"}, attioMeetingsTodo)},
			unimplemented: attioMeetingsTodo},
		// Default limit 500, no maximum stated (the sandbox takes 500); sorted by created_at.
		{Endpoint: Endpoint{Provider: Attio, Method: "GET", Path: "/v2/tasks", Ref: ref + "tasks/list-tasks",
			Query: join([]string{"limit", "offset", "sort", "linked_object", "linked_record_id", "is_completed"}, attioTasksTodo)},
			unimplemented: attioTasksTodo},
		// No parameters and no paging on these three.
		{Endpoint: Endpoint{Provider: Attio, Method: "GET", Path: "/v2/workspace_members",
			Ref: ref + "workspace-members/list-workspace-members", Query: []string{}}},
		{Endpoint: Endpoint{Provider: Attio, Method: "GET", Path: "/v2/objects", Ref: ref + "objects/list-objects", Query: []string{}}},
		{Endpoint: Endpoint{Provider: Attio, Method: "GET", Path: "/v2/lists", Ref: ref + "lists/list-all-lists", Query: []string{}}},
	}
}

// cleverQuery is, per list, the query parameters Clever/swagger-api documents; v3.0.yml and
// v3.1.yml list the same ones, and v3.0-events.yml and v3.1-events.yml those of /events.
// count is documented without an effect on the response schema: accepted, no effect.
var cleverQuery = map[string][]string{
	"districts": {"count"}, // one district per token: no paging parameters
	"schools":   {"limit", "starting_after", "ending_before", "count"},
	"users":     {"limit", "role", "starting_after", "ending_before", "count"},
	"sections":  {"limit", "starting_after", "ending_before", "count"},
	"courses":   {"limit", "starting_after", "ending_before", "count"},
	"terms":     {"limit", "starting_after", "ending_before", "count"},
	"resources": {"limit", "starting_after", "ending_before"},
	"events":    {"limit", "starting_after", "ending_before", "school", "record_type"},
}

// cleverTodo are documented parameters the sandbox refuses: the reference does not say what
// values record_type takes, and the generated records carry no school on every type.
var cleverTodo = map[string][]string{"events": {"school", "record_type"}}

// cleverRows: every list in v3.0 and v3.1.
func cleverRows(resources []string) []documented {
	var out []documented
	for _, version := range []string{"/v3.0/", "/v3.1/"} {
		for _, name := range resources {
			ref := "https://github.com/Clever/swagger-api/blob/master" + version[:len(version)-1] + ".yml"
			if name == "events" {
				ref = "https://github.com/Clever/swagger-api/blob/master" + version[:len(version)-1] + "-events.yml"
			}
			out = append(out, documented{Endpoint: Endpoint{Provider: Clever, Method: "GET", Path: version + name,
				Ref: ref, Query: cleverQuery[name]}, unimplemented: cleverTodo[name]})
		}
	}
	return out
}

// dateOps is field__gt/gte/lt/lte, and field itself (exact) when exact is set.
func dateOps(field string, exact bool) []string {
	var out []string
	if exact {
		out = append(out, field)
	}
	for _, op := range []string{"gt", "gte", "lt", "lte"} {
		out = append(out, field+"__"+op)
	}
	return out
}

func join[T any](lists ...[]T) []T {
	var out []T
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func without(list []string, drop string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(v string) bool { return v == drop })
}
