package sandbox

import (
	"fmt"
	"strings"
)

// closeActivityTypes are the _type values of Close activities, one per typed list
// (https://developer.close.com/api/resources/activities): GET /activity/ lists all of them.
var closeActivityTypes = []string{"Note", "Call", "Email", "EmailThread", "SMS", "WhatsAppMessage", "Meeting",
	"Custom", "Created", "FormSubmission", "LeadStatusChange", "OpportunityStatusChange", "LeadMerge", "TaskCompleted"}

// activityFields is an activity of type typ: the fields every typed list's response schema
// shares (activities.notes_list_Response_200 …), then the type's own, from its schema where
// the spec has one (calls, emails, sms, whatsapp messages, form submissions), else as the
// reference's prose describes it. Custom activities carry custom.<id> values.
func (c *closeAPI) activityFields(typ string, m meta, h func(uint64) uint64, user string) []kv {
	lead, _ := c.leadOf(h(hB))
	topic := pick(topics, h(hA))
	name := closeUserName(user)
	contact := "cont_" + encode62(h(hC), 9) + encode62(mix(h(hC)), 9) + "0000"
	out := []kv{{"_type", typ}, {"lead_id", lead}, {"contact_id", contact}, {"user_id", user}, {"user_name", name},
		{"users", []string{user}}, {"activity_at", ct(m.created)},
		{"created_by", user}, {"created_by_name", name}, {"updated_by", user}, {"updated_by_name", name}}
	phone, formatted := closePhone(h(hD))
	local, localFormatted := closePhone(h(hE))
	seq := []kv{{"sequence_id", nil}, {"sequence_name", nil}, {"sequence_subscription_id", nil}}
	switch typ {
	case "Note":
		out = append(out, kv{"note", "Follow up on " + topic}, kv{"note_html", "<p>Follow up on " + topic + "</p>"})
	case "Call":
		out = append(out, kv{"direction", pick([]string{"outbound", "inbound"}, h(hD))}, kv{"duration", int(h(hA) % 3600)},
			kv{"phone", phone}, kv{"note", "Called about " + topic}, kv{"outcome_id", nil},
			kv{"source", "Close.io"}, kv{"status", pick([]string{"completed", "no-answer", "busy"}, h(hE))})
		out = append(out, seq...)
	case "Email":
		first, last := personName(h(hC))
		to := emailOf(first, last, h(hC))
		out = append(out, kv{"direction", pick([]string{"outgoing", "incoming"}, h(hD))}, kv{"status", "sent"},
			kv{"subject", "Re: " + topic}, kv{"body_text", "About " + topic + "."}, kv{"body_html", "<p>About " + topic + ".</p>"},
			kv{"body_preview", "About " + topic}, kv{"sender", name + " <" + strings.ToLower(strings.Fields(name)[0]) + "@example.com>"},
			kv{"to", []string{to}}, kv{"cc", []string{}}, kv{"bcc", []string{}}, kv{"attachments", []obj{}},
			kv{"date_scheduled", nil}, kv{"date_sent", ct(m.created)}, kv{"envelope", nil}, kv{"email_account_id", nil},
			kv{"thread_id", "acti_" + encode62(h(hE), 18)}, kv{"in_reply_to_id", nil}, kv{"message_ids", []string{"<" + m.id + "@mail.test>"}},
			kv{"references", []string{}}, kv{"has_reply", h(hE)%2 == 0}, kv{"opens", []obj{}}, kv{"opens_summary", nil},
			kv{"send_as_id", nil}, kv{"send_attempts", []obj{}}, kv{"need_smtp_credentials", false},
			kv{"template_id", nil}, kv{"template_name", nil}, kv{"bulk_email_action_id", nil},
			kv{"followup_sequence_id", nil}, kv{"followup_sequence_delay", nil}, kv{"followup_sequence_add_cc_bcc", false},
			kv{"agent_action_reason", nil}, kv{"agent_config_id", nil})
		out = append(out, seq...)
	case "SMS":
		out = append(out, kv{"direction", pick([]string{"outbound", "inbound"}, h(hD))}, kv{"status", "sent"},
			kv{"text", "About " + topic}, kv{"source", "Close.io"}, kv{"cost", "0.75"}, kv{"error_message", nil},
			kv{"local_phone", local}, kv{"local_phone_formatted", localFormatted}, kv{"local_country_iso", "US"},
			kv{"remote_phone", phone}, kv{"remote_phone_formatted", formatted}, kv{"remote_country_iso", "US"},
			kv{"date_scheduled", nil}, kv{"date_sent", ct(m.created)}, kv{"template_id", nil},
			kv{"agent_action_reason", nil}, kv{"agent_config_id", nil})
		out = append(out, seq...)
	case "WhatsAppMessage":
		out = append(out, kv{"direction", pick([]string{"outgoing", "incoming"}, h(hD))}, kv{"text", "About " + topic},
			kv{"message_markdown", "About *" + topic + "*"}, kv{"message_html", "<p>About <b>" + topic + "</b></p>"},
			kv{"external_whatsapp_message_id", "wamid." + encode62(h(hE), 12)}, kv{"response_to_id", nil},
			kv{"local_phone", local}, kv{"local_phone_formatted", localFormatted},
			kv{"remote_phone", phone}, kv{"remote_phone_formatted", formatted},
			kv{"attachments", []obj{}}, kv{"integration_link", nil}, kv{"integration_name", nil}, kv{"source", "whatsapp"})
		out = append(out, seq...)
	case "FormSubmission":
		form := "form_" + encode62(h(hE)%5, 22)
		out = append(out, kv{"form_id", form}, kv{"form_configuration_id", "formconf_" + encode62(h(hE)%5, 22)},
			kv{"form_name", title(topic) + " form"}, kv{"ip_address", fmt.Sprintf("192.0.2.%d", h(hD)%250+1)},
			kv{"origin", "https://example.com"}, kv{"source_url", "https://example.com/contact?ref=" + encode62(h(hD), 6)},
			kv{"source_url_normalized", "https://example.com/contact"},
			kv{"values", obj{{"field_1", topic}}}, kv{"values_by_name", obj{{"Topic", topic}}})
	case "Meeting":
		out = append(out, kv{"title", title(topic)}, kv{"starts_at", ct(m.created)}, kv{"ends_at", ct(m.created.Add(30 * 60e9))},
			kv{"duration", 1800}, kv{"location", nil}, kv{"status", "completed"}, kv{"attendees", []obj{}}, kv{"note", nil})
	case "EmailThread":
		out = append(out, kv{"latest_normalized_subject", topic}, kv{"n_emails", int(h(hD)%9) + 1},
			kv{"participants", []obj{}}, kv{"emails", []obj{}})
	case "Custom":
		out = append(out, kv{"custom_activity_type_id", "actitype_" + encode62(h(hD)%3, 22)}, kv{"status", "published"})
		out = append(out, c.customValues("activity", h(hE))...)
	case "Created":
		out = append(out, kv{"source", pick([]string{"api", "import", "ui"}, h(hD))})
	case "LeadStatusChange", "OpportunityStatusChange":
		statuses := []string{"Potential", "Qualified", "Customer", "Bad Fit"}
		out = append(out, kv{"old_status_label", pick(statuses, h(hD))}, kv{"new_status_label", pick(statuses, h(hE))},
			kv{"old_status_id", "stat_" + encode62(h(hD)%4, 22)}, kv{"new_status_id", "stat_" + encode62(h(hE)%4, 22)})
		if typ == "OpportunityStatusChange" {
			out = append(out, kv{"opportunity_id", "oppo_" + encode62(h(hA), 22)}, kv{"opportunity_value", int(h(hA) % 100000)})
		}
	case "LeadMerge":
		out = append(out, kv{"source_lead_id", "lead_" + encode62(h(hD), 22)}, kv{"destination_lead_id", lead})
	case "TaskCompleted":
		out = append(out, kv{"task_id", "task_" + encode62(h(hD), 22)}, kv{"task_text", "Follow up on " + topic},
			kv{"task_assigned_to", user})
	}
	return out
}
