package sandbox

import (
	"fmt"
	"strings"
	"time"
)

// record renders one record of any Attio table in the shape its reference shows.
func (a *attio) record(t *table, i int) obj {
	switch {
	case t.name == "notes":
		return a.note(t, i)
	case t.name == "meetings":
		return a.meeting(t, i)
	case t.name == "tasks":
		return a.task(t, i)
	case t.name == "workspace_members":
		return a.workspaceMember(t, i)
	case strings.HasPrefix(t.name, attioListPrefix):
		return a.entry(t, i)
	}
	return a.objectRecord(t, i)
}

// value is one attribute value: Attio values are lists of attribute-value objects, and
// active_from moves when a value changes.
func value(m meta, typ string, fields ...kv) []obj {
	v := obj{{"active_from", at(m.updated)}, {"active_until", nil},
		{"created_by_actor", obj{{"type", "system"}, {"id", nil}}}}
	return []obj{append(append(v, fields...), kv{"attribute_type", typ})}
}

// attrID is the id of one of the workspace's attributes, of an object or a list.
func (a *attio) attrID(parent, attr string) string {
	h := mix(saltOf(a.s.opts.Seed, "attio/attribute/"+parent+"/"+attr))
	return uuid(h, mix(h))
}

// status is a status attribute's value object, every field its schema lists.
func (a *attio) status(parent, attr, title string) obj {
	return obj{{"id", obj{{"workspace_id", a.workspace}, {"object_id", a.objectIDs[parent]},
		{"attribute_id", a.attrID(parent, attr)}, {"status_id", a.attrID(parent, attr+"/"+title)}}},
		{"title", title}, {"is_archived", false}, {"celebration_enabled", title == "Won" || title == "Hired"},
		{"target_time_in_status", nil}}
}

// option is a select attribute's value object.
func (a *attio) option(parent, attr, title string) obj {
	return obj{{"id", obj{{"workspace_id", a.workspace}, {"object_id", a.objectIDs[parent]},
		{"attribute_id", a.attrID(parent, attr)}, {"option_id", a.attrID(parent, attr+"/"+title)}}},
		{"title", title}, {"is_archived", false}}
}

// recordOf is the id of a generated record of an object, for references.
func (a *attio) recordOf(object string, h uint64) string {
	if t := a.s.table(Attio, object); t != nil && t.base > 0 {
		return t.meta(int(h % uint64(t.base))).id
	}
	return uuid(h, mix(h))
}

func (a *attio) objectRecord(t *table, i int) obj {
	m := t.meta(i)
	h := func(k uint64) uint64 { return t.h(i, k) }
	var values obj
	switch t.name {
	case "people":
		first, last := personName(h(hA))
		email := emailOf(first, last, h(hB))
		local, dom, _ := strings.Cut(email, "@")
		phone := fmt.Sprintf("+1555%07d", h(hF)%10_000_000)
		values = obj{
			{"name", value(m, "personal-name", kv{"first_name", first}, kv{"last_name", last}, kv{"full_name", first + " " + last})},
			{"email_addresses", value(m, "email-address", kv{"original_email_address", email}, kv{"email_address", email},
				kv{"email_domain", dom}, kv{"email_root_domain", dom}, kv{"email_local_specifier", local})},
			{"phone_numbers", value(m, "phone-number", kv{"original_phone_number", phone}, kv{"country_code", "US"}, kv{"phone_number", phone})},
			{"primary_location", value(m, "location", kv{"line_1", fmt.Sprintf("%d Main Street", 1+h(hG)%999)}, kv{"line_2", nil},
				kv{"line_3", nil}, kv{"line_4", nil}, kv{"locality", pick(cities, h(hG))}, kv{"region", nil},
				kv{"postcode", fmt.Sprintf("%05d", h(hF)%100000)}, kv{"country_code", "US"}, kv{"latitude", nil}, kv{"longitude", nil})},
			{"job_title", value(m, "text", kv{"value", pick([]string{"Engineer", "Director", "Counsel", "Analyst"}, h(hC))})},
		}
	case "companies":
		dom := strings.ToLower(strings.Fields(a.name(t, i))[0]) + ".example.com"
		values = obj{
			{"name", value(m, "text", kv{"value", a.name(t, i)})},
			{"domains", value(m, "domain", kv{"domain", dom}, kv{"root_domain", dom})},
			{"categories", value(m, "select", kv{"option", a.option("companies", "categories", pick([]string{"B2B", "SaaS", "Legal", "Education"}, h(hC)))})},
			{"team", value(m, "record-reference", kv{"target_object", "people"}, kv{"target_record_id", a.recordOf("people", h(hF))})},
		}
	case "deals":
		values = obj{
			{"name", value(m, "text", kv{"value", a.name(t, i)})},
			{"stage", value(m, "status", kv{"status", a.status("deals", "stage", pick([]string{"Lead", "In Progress", "Won", "Lost"}, h(hC)))})},
			{"value", value(m, "currency", kv{"currency_value", int(h(hD) % 100000)}, kv{"currency_code", "USD"})},
			{"owner", value(m, "actor-reference", kv{"referenced_actor_type", "workspace-member"}, kv{"referenced_actor_id", a.member})},
			{"associated_company", value(m, "record-reference", kv{"target_object", "companies"}, kv{"target_record_id", a.recordOf("companies", h(hF))})},
		}
	default: // the custom object
		values = obj{
			{"name", value(m, "text", kv{"value", a.name(t, i)})},
			{"amount", value(m, "currency", kv{"currency_value", int(h(hD) % 50000)}, kv{"currency_code", "EUR"})},
			{"paid", value(m, "checkbox", kv{"value", h(hC)%2 == 0})},
			{"issued_on", value(m, "date", kv{"value", m.created.Format(time.DateOnly)})},
			{"lines", value(m, "number", kv{"value", int(1 + h(hF)%20)})},
			{"rating", value(m, "rating", kv{"value", int(h(hG) % 6)})},
			{"sent_at", value(m, "timestamp", kv{"value", at(m.updated)})},
			{"last_contact", value(m, "interaction", kv{"interaction_type", "email"}, kv{"interacted_at", at(m.updated)},
				kv{"owner_actor", obj{{"type", "workspace-member"}, {"id", a.member}}})},
		}
	}
	return obj{{"id", obj{{"workspace_id", a.workspace}, {"object_id", a.objectIDs[t.name]}, {"record_id", m.id}}},
		{"created_at", at(m.created)},
		{"web_url", "https://app.attio.com/sandbox/" + t.name + "/" + m.id + "/overview"},
		{"values", values}}
}

func (a *attio) note(t *table, i int) obj {
	m, h := t.meta(i), func(k uint64) uint64 { return t.h(i, k) }
	first, last := personName(h(hA))
	return obj{{"id", obj{{"workspace_id", a.workspace}, {"note_id", m.id}}},
		{"parent_object", "people"}, {"parent_record_id", uuid(h(hB), h(hC))}, {"meeting_id", nil},
		{"title", "Call with " + first + " " + last},
		{"content_plaintext", "Discussed " + pick(topics, h(hD)) + "."},
		{"content_markdown", "Discussed **" + pick(topics, h(hD)) + "**."},
		{"tags", []any{}},
		{"created_by_actor", obj{{"type", "workspace-member"}, {"id", a.member}}},
		{"created_at", at(m.created)}}
}

func (a *attio) meeting(t *table, i int) obj {
	m, h := t.meta(i), func(k uint64) uint64 { return t.h(i, k) }
	first, last := personName(h(hA))
	start := m.created.Add(time.Duration(h(hB)%(14*24)) * time.Hour).Truncate(time.Hour)
	return obj{{"id", obj{{"workspace_id", a.workspace}, {"meeting_id", m.id}}},
		{"title", title(pick(topics, h(hC)))},
		{"description", "Meeting with " + first + " " + last},
		{"is_all_day", false},
		{"start", obj{{"datetime", at(start)}, {"timezone", "UTC"}}},
		{"end", obj{{"datetime", at(start.Add(30 * time.Minute))}, {"timezone", "UTC"}}},
		{"participants", []obj{{{"email_address", emailOf(first, last, h(hD))}, {"is_organizer", true}, {"status", "accepted"}}}},
		{"linked_records", a.meetingLinks(t, i)},
		{"created_at", at(m.created)},
		{"created_by_actor", obj{{"type", "system"}, {"id", nil}}}}
}

// task: every third one is done; one in four has no assignee; each links one person.
func (a *attio) task(t *table, i int) obj {
	m, h := t.meta(i), func(k uint64) uint64 { return t.h(i, k) }
	assignees := []obj{}
	if h(hC)%4 != 0 {
		assignees = append(assignees, obj{{"referenced_actor_type", "workspace-member"}, {"referenced_actor_id", a.member}})
	}
	return obj{{"id", obj{{"workspace_id", a.workspace}, {"task_id", m.id}}},
		{"content_plaintext", "Follow up on " + pick(topics, h(hA))},
		{"deadline_at", at(m.created.Add(7 * 24 * time.Hour).Truncate(24 * time.Hour))},
		{"is_completed", h(hD)%3 == 0},
		{"linked_records", []obj{{{"target_object_id", "people"}, {"target_record_id", uuid(h(hB), h(hE))}}}},
		{"assignees", assignees},
		{"created_by_actor", obj{{"type", "workspace-member"}, {"id", a.member}}},
		{"created_at", at(m.created)}}
}

// meetingLinks: one meeting in three links a person record.
func (a *attio) meetingLinks(t *table, i int) []obj {
	if h := t.h(i, hE); h%3 == 0 {
		return []obj{{{"object_slug", "people"}, {"object_id", a.objectIDs["people"]}, {"record_id", a.recordOf("people", h)}}}
	}
	return []obj{}
}

func (a *attio) workspaceMember(t *table, i int) obj {
	m, h := t.meta(i), func(k uint64) uint64 { return t.h(i, k) }
	first, last := personName(h(hA))
	return obj{{"id", obj{{"workspace_id", a.workspace}, {"workspace_member_id", m.id}}},
		{"first_name", first}, {"last_name", last}, {"avatar_url", nil},
		{"email_address", emailOf(first, last, h(hB))},
		{"created_at", at(m.created)},
		{"access_level", pick([]string{"admin", "member", "member", "suspended"}, h(hC))}}
}

// entry is a list entry; entry_values holds the list's own attributes, created_at among them.
func (a *attio) entry(t *table, i int) obj {
	m, h := t.meta(i), func(k uint64) uint64 { return t.h(i, k) }
	l := a.listOf(t.name)
	return obj{{"id", obj{{"workspace_id", a.workspace}, {"list_id", l.id}, {"entry_id", m.id}}},
		{"parent_record_id", uuid(h(hA), h(hB))},
		{"parent_object", l.parent},
		{"created_at", at(m.created)},
		{"entry_values", obj{
			{"stage", value(m, "status", kv{"status", a.status(t.name, "stage", pick(l.stages, h(hC)))})},
			{"created_at", value(m, "timestamp", kv{"value", at(m.created)})},
			{"created_by", value(m, "actor-reference", kv{"referenced_actor_type", "workspace-member"}, kv{"referenced_actor_id", a.member})},
		}}}
}
