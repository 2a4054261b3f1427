package sandbox

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// closeTaskTypes are the task types of https://developer.close.com/api/resources/tasks
// (and its list example): "When not filtering by _type, only lead tasks are returned. Use
// _type=all to show all types". Half the generated tasks are lead tasks.
var closeTaskTypes = []string{"incoming_email", "email_followup", "missed_call", "answered_detached_call",
	"voicemail", "opportunity_due"}

func closeTaskType(h uint64) string {
	if h%2 == 0 {
		return "lead"
	}
	return pick(closeTaskTypes, h>>1)
}

// taskFields is a task of its type, with the fields the list example shows for it.
func (c *closeAPI) taskFields(m meta, h func(uint64) uint64, user string) []kv {
	typ := closeTaskType(h(hC))
	lead, leadName := c.leadOf(h(hB))
	name := closeUserName(user)
	topic := pick(topics, h(hA))
	activity := "acti_" + encode62(h(hD), 22)
	phone, formatted := closePhone(h(hD))
	local, _ := closePhone(h(hE))
	var contact, contactName, objectType, objectID any // null on lead tasks
	var own []kv
	switch typ {
	case "lead":
		own = []kv{{"text", "Follow up on " + topic}, {"is_dateless", false}}
	case "incoming_email", "email_followup":
		objectType, objectID = "emailthread", activity
		own = []kv{{"subject", title(topic)}, {"body_preview", "About " + topic}}
		if typ == "incoming_email" {
			own = append(own, kv{"emails", []string{"acti_" + encode62(h(hA), 22)}})
		} else {
			own = append(own, kv{"email_id", "acti_" + encode62(h(hA), 22)})
		}
	case "missed_call", "answered_detached_call", "voicemail":
		objectType, objectID = "call", activity
		own = []kv{{"phone", phone}, {"phone_formatted", formatted}, {"phone_number_description", "California"}}
		switch typ {
		case "missed_call":
			own = append(own, kv{"local_phone", local})
		case "voicemail":
			own = append(own, kv{"local_phone", local}, kv{"voicemail_duration", int(h(hA) % 120)},
				kv{"voicemail_url", "https://voicemail.example.com/" + activity + ".mp3"})
		default:
			own = append(own, kv{"recording_url", "https://recordings.example.com/" + activity + ".mp3"})
		}
	case "opportunity_due":
		value := int(h(hA) % 1000000)
		objectType, objectID = "opportunity", "oppo_"+encode62(h(hA), 22)
		own = []kv{{"opportunity_note", topic}, {"opportunity_value", value}, {"opportunity_value_currency", "USD"},
			{"opportunity_value_formatted", fmt.Sprintf("$%d.%02d", value/100, value%100)}, {"opportunity_value_period", "one_time"}}
	}
	if typ != "lead" {
		first, last := personName(h(hD))
		contact, contactName = "cont_"+encode62(h(hD), 22), first+" "+last
	}
	return append([]kv{{"_type", typ}, {"lead_id", lead}, {"lead_name", leadName}, {"assigned_to", user}, {"assigned_to_name", name},
		{"contact_id", contact}, {"contact_name", contactName}, {"date", m.created.AddDate(0, 0, int(h(hE)%30)).Format(time.DateOnly)},
		{"is_complete", h(hE)%3 == 0}, {"view", "inbox"}, {"object_type", objectType}, {"object_id", objectID},
		{"created_by", user}, {"created_by_name", name}, {"updated_by", user}, {"updated_by_name", name}}, own...)
}

// taskTypes is the _type filter of the task list: lead tasks only without _type or
// _type__in, every type with _type=all.
func (c *closeAPI) taskTypes(t *table, q url.Values) func(int) bool {
	var types []string
	switch {
	case q.Has("_type__in"):
		types = strings.Split(q.Get("_type__in"), ",")
	case q.Get("_type") == "all":
		return nil
	case q.Has("_type"):
		types = []string{q.Get("_type")}
	default:
		types = []string{"lead"}
	}
	return func(i int) bool { return slices.Contains(types, closeTaskType(t.h(i, hC))) }
}
