package clio

import (
	"slices"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// Reference pages: the API reference (one page generated from
// https://docs.developers.clio.com/openapi.json, an anchor per index action), the paging
// guide, which documents offset and the cursor rule (order=id(asc), no offset), and the
// fields guide (nested resources, and their default fields when none are named).
const (
	refAPI    = "https://docs.developers.clio.com/api-reference/"
	refPaging = "https://docs.developers.clio.com/api-docs/paging"
	refFields = "https://docs.developers.clio.com/api-docs/fields"
)

// resource is one index action an account export takes: one row of the catalog.
type resource struct {
	name string // the export's resource, and its folder
	path string // GET /api/v4/{path}.json
	ref  string // the action's anchor on refAPI
	// fixed is a parameter the row always sends: the value of a required filter (notes:
	// type), or folders' and documents' scope, whose default is the root folder's children.
	fixed [2]string
	// params is every query parameter the reference lists besides fields, limit and
	// page_token, named as it names them (ids[]); fixed's is left out.
	params []string
	// fields is every field of the response schema, the reference's order: the resource's
	// own, then its nested resources, asked for bare so each carries its default fields
	// (refFields), custom_field_values whole (see nested).
	fields []string
}

// resources is the catalog, copied from refAPI. documents leave out document_versions,
// which API version 4.0.6 removed. Adding a resource is one row here, its sandbox
// endpoint and a conformance case.
var resources = []resource{
	{name: "contacts", path: "contacts", ref: "Contacts/operation/Contact#index",
		params: words("client_only clio_connect_only created_since custom_field_ids[] custom_field_values " +
			"email_only exclude_ids[] ids[] initial order query shared_resource_id type updated_since"),
		fields: words("id etag name first_name middle_name last_name date_of_birth type created_at updated_at " +
			"prefix title initials clio_connect_email locked_clio_connect_email client_connect_user_id " +
			"primary_email_address secondary_email_address primary_phone_number secondary_phone_number " +
			"ledes_client_id has_clio_for_clients_permission is_client is_clio_for_client_user " +
			"is_co_counsel is_bill_recipient sales_tax_number currency activity_rates addresses " +
			"custom_field_values custom_field_set_associations email_addresses instant_messengers " +
			"phone_numbers web_sites notification_methods account_balances related_contacts " +
			"primary_work_address primary_address secondary_address company avatar payment_profile folder " +
			"co_counsel_rate primary_web_site legal_aid_uk_contact")},
	{name: "matters", path: "matters", ref: "Matters/operation/Matter#index",
		params: words("billable client_id close_date[] created_since custom_field_ids[] custom_field_values " +
			"grant_id group_id ids[] notification_event_subscriber_user_id open_date[] order " +
			"originating_attorney_id pending_date[] practice_area_id query responsible_attorney_id " +
			"responsible_staff_id status subscriber_user_id updated_since"),
		fields: words("id etag number display_number custom_number currency description status location " +
			"client_reference client_id billable maildrop_address billing_method open_date close_date " +
			"pending_date created_at updated_at shared has_tasks last_activity_date " +
			"matter_stage_updated_at client contingency_fee custom_rate evergreen_retainer folder group " +
			"matter_budget matter_stage originating_attorney practice_area responsible_attorney " +
			"statute_of_limitations user legal_aid_uk_matter account_balances custom_field_values " +
			"custom_field_set_associations matter_bill_recipients relationships " +
			"task_template_list_instances split_invoice_payers")},
	{name: "activities", path: "activities", ref: "Activities/operation/Activity#index",
		params: words("activity_description_id calendar_entry_id communication_id contact_note_id created_since " +
			"end_date expense_category_id flat_rate grant_id ids[] matter_id matter_note_id " +
			"only_unaccounted_for order query start_date status task_id type updated_since user_id"),
		fields: words("id etag type date quantity_in_hours rounded_quantity_in_hours quantity rounded_quantity " +
			"quantity_redacted price note flat_rate billed on_bill total contingency_fee created_at " +
			"updated_at reference non_billable non_billable_total no_charge tax_setting currency " +
			"activity_description expense_category bill communication client_portal matter matter_note " +
			"contact_note subject timer user utbms_expense vendor calendar_entry task " +
			"text_message_conversation document_version legal_aid_uk_activity")},
	{name: "tasks", path: "tasks", ref: "Tasks/operation/Task#index",
		params: words("assignee_id assignee_type assigner_id cascading_source_id client_id complete created_since " +
			"due_at_from due_at_present due_at_to ids[] matter_id order permission priority query " +
			"responsible_attorney_id status statuses[] statute_of_limitations task_type_id " +
			"time_entries_present updated_since"),
		fields: words("id etag name status description description_text_type priority due_at permission " +
			"completed_at notify_completion statute_of_limitations time_estimated created_at updated_at " +
			"time_entries_count time_entries task_type assigner matter assignee reminders")},
	{name: "calendar_entries", path: "calendar_entries", ref: "Calendar-Entries/operation/CalendarEntry#index",
		params: words("calendar_id created_since expanded external_property_name external_property_value from " +
			"has_court_rule ids[] is_all_day matter_id owner_entries_across_all_users query source to " +
			"updated_since visible"),
		fields: words("id etag summary description location start_at end_at all_day recurrence_rule " +
			"parent_calendar_entry_id court_rule created_at updated_at permission calendar_owner_id " +
			"start_at_time_zone time_entries_count time_entries conference_meeting matter matter_docket " +
			"calendar_owner parent_calendar_entry calendar_entry_event_type attendees calendars reminders " +
			"external_properties")},
	{name: "communications", path: "communications", ref: "Communications/operation/Communication#index",
		params: words("contact_id created_since date external_property_name external_property_value " +
			"having_time_entries ids[] matter_id order query received_at received_before received_since " +
			"type updated_since user_id"),
		fields: words("id etag subject body type date time_entries_count created_at updated_at received_at user " +
			"matter communication_eml_file senders receivers external_properties time_entries documents " +
			"notification_event_subscribers")},
	{name: "matter_notes", path: "notes", ref: "Notes/operation/Note#index", fixed: [2]string{"type", "Matter"},
		params: words("contact_id created_since has_time_entries ids[] matter_id order query updated_since"),
		fields: words("id etag type subject detail detail_text_type date created_at updated_at time_entries_count " +
			"matter contact author time_entries notification_event_subscribers")},
	{name: "contact_notes", path: "notes", ref: "Notes/operation/Note#index", fixed: [2]string{"type", "Contact"},
		params: words("contact_id created_since has_time_entries ids[] matter_id order query updated_since"),
		fields: words("id etag type subject detail detail_text_type date created_at updated_at time_entries_count " +
			"matter contact author time_entries notification_event_subscribers")},
	{name: "documents", path: "documents", ref: "Documents/operation/Document#index", fixed: [2]string{"scope", "descendants"},
		params: words("contact_id created_since document_category_id external_property_name external_property_value " +
			"ids[] include_deleted matter_id order parent_id query show_uncompleted updated_since"),
		fields: words("id etag created_at updated_at deleted_at type locked name received_at filename size " +
			"content_type parent matter contact document_category creator latest_document_version group " +
			"external_properties")},
	{name: "folders", path: "folders", ref: "Folders/operation/Folder#index", fixed: [2]string{"scope", "descendants"},
		params: words("contact_id created_since document_category_id external_property_name external_property_value " +
			"ids[] include_deleted matter_id order parent_id query updated_since"),
		fields: words("id etag created_at updated_at deleted_at type locked name root parent matter contact " +
			"document_category creator latest_document_version group external_properties")},
	{name: "bills", path: "bills", ref: "Bills/operation/Bill#index",
		params: words("client_id created_since currency_id custom_field_values due_after due_at due_before ids[] " +
			"issued_after issued_before last_sent_end_date last_sent_start_date matter_id order " +
			"originating_attorney_id overdue_only query responsible_attorney_id state status type " +
			"updated_since"),
		fields: words("id etag number issued_at created_at due_at tax_rate secondary_tax_rate updated_at subject " +
			"purchase_order type memo start_at end_at balance state kind total paid paid_at pending due " +
			"discount_services_only can_update credits_issued shared last_sent_at services_secondary_tax " +
			"services_sub_total services_tax services_taxable_sub_total " +
			"services_secondary_taxable_sub_total taxable_sub_total secondary_taxable_sub_total sub_total " +
			"tax_sum secondary_tax_sum total_tax available_state_transitions user client discount " +
			"interest matters group bill_theme original_bill destination_account balances matter_totals " +
			"currency billing_setting client_addresses legal_aid_uk_bill split_invoice")},
	{name: "bank_accounts", path: "bank_accounts", ref: "Bank-Accounts/operation/BankAccount#index",
		params: words("created_since ids[] order show_empty_accounts type updated_since user_id"),
		fields: words("account_number balance bank_transactions_count clio_payment_page_link " +
			"clio_payment_page_qr_code clio_payments_enabled controlled_account created_at currency " +
			"currency_symbol currency_id default_account domicile_branch etag general_ledger_number " +
			"holder id institution name swift transit_number type updated_at user")},
	{name: "bank_transactions", path: "bank_transactions", ref: "Bank-Transactions/operation/BankTransaction#index",
		params: words("bank_account_id client_id created_since ids[] matter_id order type updated_since"),
		fields: words("id type etag created_at updated_at bank_account_id source confirmation date amount currency " +
			"currency_id description exchange_rate transaction_type funds_in funds_out " +
			"clio_payments_transaction current_account_balance read_only_confirmation client matter " +
			"bank_account bill allocation")},
	{name: "users", path: "users", ref: "Users/operation/User#index",
		params: words("created_since enabled ids[] include_co_counsel name order pending_setup role " +
			"subscription_type updated_since"),
		fields: words("account_owner clio_connect court_rules_default_attendee created_at default_calendar_id email " +
			"enabled etag first_name id initials last_name name phone_number rate roles subscription_type " +
			"time_zone updated_at default_activity_description notification_methods account avatar " +
			"contact job_title groups")},
	{name: "custom_fields", path: "custom_fields", ref: "Custom-Fields/operation/CustomField#index",
		params: words("created_since deleted field_type ids[] order parent_type query updated_since " +
			"visible_and_required"),
		fields: words("id etag created_at updated_at name parent_type field_type displayed deleted required " +
			"display_order picklist_options")},
	{name: "practice_areas", path: "practice_areas", ref: "Practice-Areas/operation/PracticeArea#index",
		params: words("code created_since ids[] matter_id name order updated_since"),
		fields: words("id etag created_at updated_at name category code")},
	{name: "relationships", path: "relationships", ref: "Relationships/operation/Relationship#index",
		params: words("contact_id created_since ids[] matter_id updated_since"),
		fields: words("id etag description created_at updated_at matter contact")},
}

// nested is what a nested resource is asked for when its default fields are not its
// data: a custom field's value is the record's own.
var nested = map[string]string{
	"custom_field_values": "{id,etag,field_name,created_at,updated_at,field_type,field_required,field_displayed," +
		"field_display_order,value,soft_deleted,custom_field,picklist_option,matter,contact}",
}

func words(s string) []string { return strings.Fields(s) }

// lookup is the row named name.
func lookup(name string) (resource, bool) {
	k := slices.IndexFunc(resources, func(r resource) bool { return r.name == name })
	if k < 0 {
		return resource{}, false
	}
	return resources[k], true
}

// ordered reports whether the row's reference lists order, which cursor paging needs.
func (r resource) ordered() bool { return slices.Contains(r.params, "order") }

// strategy is the row's default: cursor where order=id(asc) can be sent, else offset.
func (r resource) strategy() string {
	if r.ordered() {
		return provider.StrategyCursor
	}
	return provider.StrategyOffset
}

// defaultFields is every documented field, as the fields parameter takes them.
func (r resource) defaultFields() []string {
	out := make([]string, len(r.fields))
	for k, f := range r.fields {
		out[k] = f + nested[f]
	}
	return out
}

// endpoint is the documented method and path, with the parameter the row fixes.
func (r resource) endpoint() string {
	e := "GET " + apiPath + "/" + r.path + ".json"
	if r.fixed[0] != "" {
		e += "?" + r.fixed[0] + "=" + r.fixed[1]
	}
	return e
}

func (r resource) reference() string { return refAPI + "#tag/" + r.ref }

// Resources lists the resources Validate accepts, sorted.
func Resources() []string {
	out := make([]string, len(resources))
	for k, r := range resources {
		out[k] = r.name
	}
	slices.Sort(out)
	return out
}
