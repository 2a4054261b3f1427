package closeio

import (
	"slices"
	"strings"
)

// objectFields are every field of the Lead and Contact objects the reference documents
// (https://developer.close.com/api/resources/leads, …/contacts), and custom. Advanced
// Filtering returns only ids unless _fields names fields, so a window export asks for all
// of them to get whole records. "When using the _fields parameter, specify custom to show
// all custom fields" (https://developer.close.com/api/resources/leads): without it every
// custom.cf_… value is dropped.
var objectFields = map[string][]string{
	"lead": {"id", "date_created", "date_updated", "addresses", "contact_ids", "contacts", "contacts_summary",
		"created_by", "created_by_name", "description", "display_name", "html_url", "integration_links",
		"localtime", "name", "opportunities", "organization_id", "primary_address_summary", "primary_email",
		"primary_phone", "recent_calls", "source", "status_id", "status_label", "summaries", "tasks",
		"updated_by", "updated_by_name", "url", "custom"},
	"contact": {"id", "date_created", "date_updated", "created_by", "display_name", "emails", "integration_links",
		"lead_id", "lead_suggestions_operation_id", "name", "organization_id", "phones", "recent_calls",
		"subscriptions", "timezone", "timezone_source", "title", "updated_by", "urls", "custom"},
}

// wholeFields is _fields for a window walk of resource: every documented field, or the
// user's, always with id and date_created (the walk's key), and date_updated when since
// must be checked.
func wholeFields(resource string, user []string, since bool) []string {
	if len(user) == 0 {
		return slices.Clone(objectFields[resource])
	}
	keep := []string{"id", "date_created"}
	if since {
		keep = append(keep, "date_updated")
	}
	return withFields(keep, user)
}

// withFields is fields with each of keep first when missing.
func withFields(keep, fields []string) []string {
	out := slices.Clone(fields)
	for i := len(keep) - 1; i >= 0; i-- {
		if !slices.Contains(out, keep[i]) {
			out = append([]string{keep[i]}, out...)
		}
	}
	return out
}

// searchFields groups fields by object type for search's _fields: {"lead": ["id", …]}. A
// bare name is a lead field, the type search returns most; search always returns id.
// Without fields a result is only its id, so no fields asks for whole leads and contacts,
// the objects Advanced Filtering finds (https://developer.close.com/api/resources/advanced-filtering).
func searchFields(fields []string) map[string][]string {
	if len(fields) == 0 {
		return map[string][]string{"lead": objectFields["lead"], "contact": objectFields["contact"]}
	}
	byType := map[string][]string{}
	for _, f := range fields {
		typ, field, ok := strings.Cut(f, ".")
		if !ok {
			typ, field = "lead", f
		}
		if !slices.Contains(byType[typ], "id") {
			byType[typ] = append(byType[typ], "id")
		}
		if field != "id" {
			byType[typ] = append(byType[typ], field)
		}
	}
	return byType
}
