package sandbox

import (
	"strconv"
	"strings"
)

// closeSavedSearchTypes is the type enum of smart views
// (https://developer.close.com/api/resources/smart-views/list); the list shows only lead
// ones unless type or type__in asks for others.
var closeSavedSearchTypes = []string{"lead", "contact", "opportunity", "call", "email", "sms", "meeting", "note",
	"whatsapp_message", "custom_activity", "form_submission"}

// fields are the record fields of the lists added for account exports (tasks, users, each
// activity type, configuration lists, custom objects), after id and organization_id.
func (c *closeAPI) fields(t *table, i int, m meta, h func(uint64) uint64, user string) []kv {
	topic := pick(topics, h(hA))
	switch name := t.name; {
	case name == "task":
		return c.taskFields(m, h, user)
	case name == "user":
		first, last := personName(h(hA))
		return []kv{{"first_name", first}, {"last_name", last}, {"email", emailOf(first, last, h(hC))}}
	case strings.HasPrefix(name, "activity_"):
		return c.activityFields(closeActivityType(name), m, h, user)
	case strings.HasPrefix(name, "custom_field_"):
		return []kv{{"name", title(topic)}, {"type", pick([]string{"text", "number", "date", "choices"}, h(hB))},
			{"description", "Tracks " + topic}}
	case name == "sequence":
		return []kv{{"name", title(topic) + " sequence"}, {"status", pick([]string{"active", "paused"}, h(hB))}}
	case name == "saved_search":
		// smart_views_list_Response_200's fields.
		typ := pick(closeSavedSearchTypes, h(hB))
		return []kv{{"name", title(topic) + " view"}, {"type", typ}, {"description", "Every " + typ + " about " + topic},
			{"query", topic}, {"s_query", nil}, {"selected_fields", []string{"display_name"}}, {"is_shared", h(hC)%2 == 0},
			{"shared_with", []string{}}, {"sharing_settings", nil}, {"is_user_dependent", false}, {"user_id", user}}
	case name == "email_template":
		return []kv{{"name", title(topic)}, {"subject", "Re: " + topic}, {"body", "Hello, about " + topic + "."},
			{"is_shared", h(hB)%2 == 0}, {"is_archived", h(hC)%5 == 0}}
	case name == "sms_template":
		return []kv{{"name", title(topic)}, {"text", "About " + topic}}
	case name == "pipeline":
		return []kv{{"name", title(topic) + " pipeline"}}
	case name == "status_lead":
		return []kv{{"label", pick([]string{"Potential", "Bad Fit", "Qualified", "Customer"}, h(hB))}}
	case name == "status_opportunity":
		return []kv{{"label", title(topic)}, {"type", pick([]string{"active", "won", "lost"}, h(hB))}}
	case name == "custom_activity", name == "custom_object_type":
		return []kv{{"name", title(topic)}, {"description", "Records of " + topic + " #" + strconv.Itoa(i)}}
	case strings.HasPrefix(name, closeObjectPrefix):
		lead := ""
		if j := c.objectLead(t, i); j >= 0 {
			lead = c.s.table(Close, "lead").meta(j).id
		}
		// "Custom Fields values appear in the format: custom.{custom_field_id}"
		// (https://developer.close.com/api/resources/custom-objects/list).
		return append([]kv{{"custom_object_type_id", strings.TrimPrefix(name, closeObjectPrefix)}, {"lead_id", lead},
			{"name", title(topic)}, {"created_by", user}}, c.customValues("custom_object_type", h(hE))...)
	}
	return nil
}

// closeActivityType is the _type of the activity list table name serves.
func closeActivityType(name string) string {
	for _, l := range closeLists {
		if closeTableName(l.path) == name {
			return l.typ
		}
	}
	return ""
}
