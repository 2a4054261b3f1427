package sandbox

import (
	"fmt"
	"strings"
	"time"
)

// Whole Close records: every field the response schema of the endpoint's list lists
// (leads_list_Response_200, contacts_list_…, opportunities_list_…), and custom field
// values as custom.<custom field id> keys, one per custom field that has a value
// (https://developer.close.com/api/resources/leads: "Custom fields that have a value are
// returned as custom.FIELD_ID"). The deprecated "custom" dict is not served.

// closeCustomField is one custom field a record can hold a value for.
type closeCustomField struct {
	id, typ string
}

// customFields are the generated custom fields of kind (lead, contact, opportunity, …),
// from the custom_field_<kind> table: inserted ones never get values, so a record's content
// never depends on later changes.
func (c *closeAPI) customFields(kind string) []closeCustomField {
	t := c.s.table(Close, "custom_field_"+kind)
	if t == nil {
		return nil
	}
	return t.cached("custom-fields", func() any {
		out := make([]closeCustomField, t.base)
		for j := range t.base {
			out[j] = closeCustomField{id: t.meta(j).id, typ: closeCustomFieldType(t, j)}
		}
		return out
	}).([]closeCustomField)
}

// closeCustomFieldType is the type custom field j of t has (its record's type).
func closeCustomFieldType(t *table, j int) string {
	return pick([]string{"text", "number", "date", "choices"}, t.h(j, hB))
}

// customValues are the custom.<id> keys of a record of kind: about two fields in three
// have a value.
func (c *closeAPI) customValues(kind string, h uint64) []kv {
	var out []kv
	for j, f := range c.customFields(kind) {
		v := mix(h ^ uint64(j+1)*0x9e3779b97f4a7c15)
		if v%3 == 0 {
			continue
		}
		var val any
		switch f.typ {
		case "number":
			val = int(v>>8) % 100000
		case "date":
			val = genEnd.AddDate(0, 0, -int((v>>8)%1500)).Format(time.DateOnly)
		case "choices":
			val = pick([]string{"Gold", "Silver", "Bronze"}, v>>8)
		default:
			val = title(pick(topics, v>>8))
		}
		out = append(out, kv{"custom." + f.id, val})
	}
	return out
}

// closePick keeps what _fields names, as Close reads it: custom names every custom.<id>
// key, custom.<id> one of them; no _fields at all keeps everything.
func closePick(o obj, fields []string) obj {
	if len(fields) == 0 {
		return o
	}
	want := map[string]bool{}
	for _, f := range fields {
		want[f] = true
	}
	out := obj{}
	for _, f := range o {
		if want[f.k] || want["custom"] && strings.HasPrefix(f.k, "custom.") {
			out = append(out, f)
		}
	}
	return out
}

// closeUserName is the name of one of the sandbox's users.
func closeUserName(user string) string {
	first, last := personName(saltOf(0, user))
	return first + " " + last
}

func closePhone(h uint64) (e164, formatted string) {
	n := 2000000 + h%7000000
	return fmt.Sprintf("+1650%07d", n), fmt.Sprintf("+1 650-%03d-%04d", n/10000, n%10000)
}

func (c *closeAPI) leadFields(m meta, h func(uint64) uint64, user string) []kv {
	co := companyName(h(hA))
	status := pick([]string{"Potential", "Bad Fit", "Qualified", "Customer"}, h(hB))
	first, last := personName(h(hC))
	email := emailOf(first, last, h(hC))
	phone, formatted := closePhone(h(hD))
	city := pick([]string{"Palo Alto", "Berlin", "Lisbon", "Austin"}, h(hE))
	name := closeUserName(user)
	return append([]kv{
		{"display_name", co}, {"name", co}, {"status_id", "stat_" + encode62(h(hB)%4, 4) + encode62(mix(h(hB)%4), 18)},
		{"status_label", status}, {"description", "Interested in " + pick(topics, h(hC))},
		{"url", "https://" + strings.ToLower(strings.Fields(co)[0]) + ".example.com"},
		{"html_url", "https://app.close.com/lead/" + m.id + "/"},
		{"addresses", []obj{{{"label", "business"}, {"address_1", fmt.Sprintf("%d Main St", h(hE)%900+100)}, {"address_2", nil},
			{"city", city}, {"state", nil}, {"zipcode", fmt.Sprintf("%05d", h(hE)%90000+10000)}, {"country", "US"}, {"tz_ids", []string{}}}}},
		{"primary_address_summary", city}, {"primary_email", obj{{"email", email}, {"type", "office"}}},
		{"primary_phone", obj{{"phone", phone}, {"phone_formatted", formatted}, {"type", "office"}}},
		{"contact_ids", []string{}}, {"contacts", []obj{}}, {"contacts_summary", ""},
		{"opportunities", []obj{}}, {"tasks", []obj{}}, {"recent_calls", []obj{}}, {"summaries", []obj{}},
		{"integration_links", []obj{{{"name", "Website"}, {"url", "https://example.com/crm/" + m.id}}}},
		{"localtime", nil}, {"source", pick([]string{"api", "import", "ui"}, h(hD))},
		{"created_by", user}, {"created_by_name", name}, {"updated_by", user}, {"updated_by_name", name},
	}, c.customValues("lead", h(hE))...)
}

func (c *closeAPI) contactFields(h func(uint64) uint64, user string) []kv {
	lead, _ := c.leadOf(h(hB))
	first, last := personName(h(hA))
	phone, formatted := closePhone(h(hD))
	return append([]kv{
		{"lead_id", lead}, {"name", first + " " + last}, {"display_name", first + " " + last},
		{"title", pick([]string{"CEO", "CTO", "Buyer", "Counsel"}, h(hC))},
		{"emails", []obj{{{"type", "office"}, {"email", emailOf(first, last, h(hC))}, {"is_unsubscribed", false}}}},
		{"phones", []obj{{{"type", "office"}, {"phone", phone}, {"phone_formatted", formatted}, {"country", "US"},
			{"outbound_sms_blocked", false}, {"tz_ids", []string{"America/Los_Angeles"}}}}},
		{"urls", []obj{{{"type", "url"}, {"url", "https://www.linkedin.com/in/" + strings.ToLower(first+last)}}}},
		{"integration_links", []obj{}}, {"recent_calls", []obj{}}, {"subscriptions", []obj{}},
		{"lead_suggestions_operation_id", nil}, {"timezone", "America/Los_Angeles"}, {"timezone_source", "phone"},
		{"created_by", user}, {"updated_by", user},
	}, c.customValues("contact", h(hE))...)
}

func (c *closeAPI) opportunityFields(m meta, h func(uint64) uint64, user string) []kv {
	lead, leadName := c.leadOf(h(hB))
	status := pick([]string{"active", "won", "lost"}, h(hC))
	value, confidence := int(h(hA)%10000000), int(h(hA)>>32)%101
	period := "one_time"
	annual := value
	var won, lost any
	switch status {
	case "won":
		won = m.created.AddDate(0, 0, 30).Format(time.DateOnly)
	case "lost":
		lost = ct(m.created.AddDate(0, 0, 30))
	}
	name := closeUserName(user)
	return append([]kv{
		{"lead_id", lead}, {"lead_name", leadName}, {"lead_primary_email", nil}, {"lead_primary_phone", nil},
		{"contact_id", nil}, {"contact_name", nil},
		{"status_id", "stat_" + status}, {"status_type", status}, {"status_label", title(status)}, {"status_display_name", title(status)},
		{"pipeline_id", "pipe_sales"}, {"pipeline_name", "Sales"},
		{"value", value}, {"value_period", period}, {"value_currency", "USD"},
		{"value_formatted", fmt.Sprintf("$%d.%02d", value/100, value%100)},
		{"annualized_value", annual}, {"expected_value", value * confidence / 100}, {"annualized_expected_value", annual * confidence / 100},
		{"confidence", confidence}, {"note", pick(topics, h(hE))}, {"date_won", won}, {"date_lost", lost},
		{"is_stalled", h(hD)%7 == 0}, {"stall_status", nil}, {"suggested_action", nil}, {"comment_summary", nil},
		{"attachments", []obj{}}, {"integration_links", []obj{}},
		{"user_id", user}, {"user_name", name}, {"created_by", user}, {"created_by_name", name},
		{"updated_by", user}, {"updated_by_name", name},
	}, c.customValues("opportunity", h(hE))...)
}
