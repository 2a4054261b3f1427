package clio

import (
	"slices"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// Reference pages: the API reference (one page per index action, generated from
// https://docs.developers.clio.com/openapi.json) and the paging guide, which documents
// offset and the cursor rule (order=id(asc), no offset).
const (
	refAPI    = "https://docs.developers.clio.com/api-reference/"
	refPaging = "https://docs.developers.clio.com/api-docs/paging"
)

// documented is each index action's query parameters as the reference lists them. Every
// one also documents fields, limit and page_token; all but calendar_entries document order.
var documented = map[string][]string{
	"contacts": {"client_only", "clio_connect_only", "created_since", "custom_field_ids", "custom_field_values",
		"email_only", "exclude_ids", "ids", "initial", "order", "query", "shared_resource_id", "type", "updated_since"},
	"matters": {"billable", "client_id", "close_date", "created_since", "custom_field_ids", "custom_field_values",
		"grant_id", "group_id", "ids", "notification_event_subscriber_user_id", "open_date", "order",
		"originating_attorney_id", "pending_date", "practice_area_id", "query", "responsible_attorney_id",
		"responsible_staff_id", "status", "subscriber_user_id", "updated_since"},
	"activities": {"activity_description_id", "calendar_entry_id", "communication_id", "contact_note_id",
		"created_since", "end_date", "expense_category_id", "flat_rate", "grant_id", "ids", "matter_id",
		"matter_note_id", "only_unaccounted_for", "order", "query", "start_date", "status", "task_id", "type",
		"updated_since", "user_id"},
	"tasks": {"assignee_id", "assignee_type", "assigner_id", "cascading_source_id", "client_id", "complete",
		"created_since", "due_at_from", "due_at_present", "due_at_to", "ids", "matter_id", "order", "permission",
		"priority", "query", "responsible_attorney_id", "status", "statuses", "statute_of_limitations",
		"task_type_id", "time_entries_present", "updated_since"},
	"calendar_entries": {"calendar_id", "created_since", "expanded", "external_property_name",
		"external_property_value", "from", "has_court_rule", "ids", "is_all_day", "matter_id",
		"owner_entries_across_all_users", "query", "source", "to", "updated_since", "visible"},
	"bills": {"client_id", "created_since", "currency_id", "custom_field_values", "due_after", "due_at",
		"due_before", "ids", "issued_after", "issued_before", "last_sent_end_date", "last_sent_start_date",
		"matter_id", "order", "originating_attorney_id", "overdue_only", "query", "responsible_attorney_id",
		"state", "status", "type", "updated_since"},
	"users": {"created_since", "enabled", "ids", "include_co_counsel", "name", "order", "pending_setup", "role",
		"subscription_type", "updated_since"},
}

// ordered reports whether resource's reference lists order.
func ordered(resource string) bool { return slices.Contains(documented[resource], "order") }

// checkFilters holds filters to the resource's documented parameters.
func checkFilters(plan provider.Plan) error {
	allowed := documented[plan.Resource]
	if plan.Strategy == provider.StrategyCursor {
		allowed = slices.DeleteFunc(slices.Clone(allowed), func(k string) bool { return k == "order" })
	}
	for k := range plan.Filters {
		switch {
		case k == "order" && plan.Strategy == provider.StrategyCursor && ordered(plan.Resource):
			return provider.Invalid(Name, "filters", "order: cursor paging is id(asc) only; use strategy offset for a custom order")
		case !slices.Contains(allowed, k):
			return provider.Invalid(Name, "filters", "%q is not a parameter GET /api/v4/%s.json documents (%s); allowed: %s", k, plan.Resource, refAPI, strings.Join(allowed, ", "))
		case k == "updated_since" && !plan.Since.IsZero():
			return provider.Invalid(Name, "filters", "set since or filters.updated_since, not both")
		}
	}
	return nil
}
