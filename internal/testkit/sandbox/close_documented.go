package sandbox

// Close endpoints an account export reads besides the lead, contact, opportunity, activity,
// event and search rows of documented_table.go. Parameters are copied from each
// reference page (https://developer.close.com/api/resources/<ref>); the sandbox implements
// paging, _fields, and the filters named below, and refuses the other documented ones.

// closeActivityFilters are the filters every per-type activity list documents.
var closeActivityFilters = join([]string{"id__in", "lead_id", "contact_id", "user_id", "organization_id", "_type"},
	dateOps("date_created", false), dateOps("activity_at", false))

// closeTaskTodo are the task filters the sandbox does not implement.
var closeTaskTodo = join([]string{"format", "id", "id__in", "view"}, dateOps("date", true), dateOps("due_date", true))

func closeAccountRows() []documented {
	paged := []string{"_limit", "_skip"}
	row := func(path, ref string, query, todo []string) documented {
		return documented{Endpoint: Endpoint{Provider: Close, Method: "GET", Path: "/api/v1/" + path,
			Ref: "https://developer.close.com/api/resources/" + ref, Query: query}, unimplemented: todo}
	}
	// Per-type activity lists: no _order_by, and _fields only where listed.
	activity := func(path, ref string, extra ...string) documented {
		todo := join(closeActivityFilters, without(extra, "_fields"))
		return row("activity/"+path+"/", "activities/"+ref+"/list", join(paged, closeActivityFilters, extra), todo)
	}
	// Lists whose reference has no paging parameter at all.
	one := func(path, ref string, query ...string) documented {
		return row(path+"/", ref+"/list", append([]string{}, query...), nil)
	}
	return []documented{
		// _order_by takes date or date_created; the sandbox refuses date.
		row("task/", "tasks/list", join(paged, []string{"_fields", "_order_by", "lead_id", "organization_id", "assigned_to",
			"is_complete", "_type", "_type__in"}, dateOps("date_created", false), dateOps("date_updated", false), closeTaskTodo), closeTaskTodo),
		// _order_by is last_name,first_name or first_name,last_name.
		row("user/", "users/list", join(paged, []string{"_order_by"}), []string{"_order_by"}),
		activity("note", "notes"), activity("call", "calls"), activity("email", "emails"),
		activity("emailthread", "email-threads"), activity("sms", "sms"),
		activity("whatsapp_message", "whatsapp-messages", "external_whatsapp_message_id"),
		activity("meeting", "meetings", "_fields"),
		activity("custom", "custom-activities", "custom_activity_type_id", "custom_activity_type_id__in"),
		activity("created", "creations"),
		activity("form_submission", "form-submissions", "lead_id__in", "user_id__in", "contact_id__in", "_type__in",
			"form_id", "form_id__in", "_fields"),
		activity("status_change/lead", "lead-status-changes"),
		activity("status_change/opportunity", "opportunity-status-changes", "opportunity_id"),
		activity("lead_merge", "lead-merges"), activity("task_completed", "task-completions"),
		row("custom_field/lead/", "custom-fields/custom-fields-lead/list", join(paged, []string{"_fields"}), nil),
		row("custom_field/contact/", "custom-fields/custom-fields-contact/list", join(paged, []string{"_fields"}), nil),
		row("custom_field/opportunity/", "custom-fields/custom-fields-opportunity/list", join(paged, []string{"_fields"}), nil),
		row("custom_field/activity/", "custom-fields/custom-fields-activity/list", join(paged, []string{"_fields"}), nil),
		one("custom_field/custom_object_type", "custom-fields/custom-fields-custom-object"),
		one("custom_field/shared", "custom-fields/custom-fields-shared", "_fields"),
		row("sequence/", "sequences/list", paged, nil),
		// type defaults to lead; type__in takes the SavedSearchType enum.
		row("saved_search/", "smart-views/list", join(paged, []string{"type", "type__in"}), nil),
		row("email_template/", "email-templates/list", join(paged, []string{"is_archived", "is_shared"}), []string{"is_archived", "is_shared"}),
		row("sms_template/", "sms-templates/list", paged, nil),
		one("pipeline", "pipelines"), one("status/lead", "lead-statuses"), one("status/opportunity", "opportunity-statuses", "_fields"),
		one("custom_activity", "custom-activity-types"), one("custom_object_type", "custom-object-types"),
		row("custom_object_type/{id}/", "custom-object-types/get", []string{}, nil),
		// lead_id is required: custom objects are listed lead by lead.
		row("custom_object/", "custom-objects/list", []string{"lead_id", "custom_object_type_id"}, nil),
	}
}
