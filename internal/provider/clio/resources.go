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
	// widen are parameters whose default hides records the account holds: sent unless the
	// export's filters set them, so a default export is the whole account (see widening).
	widen [][2]string
	// params is every query parameter the reference lists besides fields, limit and
	// page_token, named as it names them (ids[]); fixed's is left out.
	params []string
	// fields is every field of the response schema, in the spec's order. A nested value
	// (the record's own data: a contact's addresses) is written name:Schema and asked for
	// with every field of its schema (values); a nested reference to a record its own
	// resource exports (a matter's client) is written name:ref and asked for bare, so it
	// comes with its default fields, id and etag (refFields).
	fields []string
}

// resources is the catalog. Fields and parameters are those of the response schemas and
// parameter lists of Clio's OpenAPI document (https://docs.developers.clio.com/openapi.json,
// default version 4.0.13, the one APIVersion pins). Adding a resource is one row here, its
// sandbox endpoint and a conformance case.
var resources = []resource{
	{name: "contacts", path: "contacts", ref: "Contacts/operation/Contact#index",
		params: words("client_only clio_connect_only created_since custom_field_ids[] custom_field_values " +
			"email_only exclude_ids[] ids[] initial order query shared_resource_id type updated_since"),
		fields: words("client_connect_user_id clio_connect_email created_at currency:Currency_base " +
			"date_of_birth etag first_name has_clio_for_clients_permission id initials " +
			"is_bill_recipient is_client is_clio_for_client_user is_co_counsel last_name " +
			"ledes_client_id locked_clio_connect_email middle_name name prefix primary_email_address " +
			"primary_phone_number require_utbms_codes sales_tax_number secondary_email_address " +
			"secondary_phone_number title type updated_at account_balances:AccountBalance_base " +
			"activity_rates:ActivityRate_base addresses:Address_base avatar:Avatar_base " +
			"co_counsel_rate:ActivityRate_base company:ref " +
			"custom_field_set_associations:CustomFieldSetAssociation_base " +
			"custom_field_values:CustomFieldValue email_addresses:EmailAddress_base folder:ref " +
			"instant_messengers:InstantMessenger_base kyc_field_values:KycFieldValue_base " +
			"legal_aid_uk_contact:LegalAidUkContact_base notification_methods:NotificationMethod_base " +
			"payment_profile:PaymentProfile_base phone_numbers:PhoneNumber_base " +
			"primary_address:Address_base primary_web_site:WebSite_base " +
			"primary_work_address:Address_base related_contacts:ref secondary_address:Address_base " +
			"web_sites:WebSite_base")},
	{name: "matters", path: "matters", ref: "Matters/operation/Matter#index",
		params: words("billable client_id close_date[] created_since currency_id custom_field_ids[] " +
			"custom_field_values evergreen_retainer_filter grant_id group_id ids[] " +
			"notification_event_subscriber_user_id open_date[] order originating_attorney_id " +
			"pending_date[] practice_area_id query responsible_attorney_id responsible_staff_id " +
			"status subscriber_user_id updated_since"),
		fields: words("billable billing_method client_id client_reference close_date created_at " +
			"currency:Currency_base custom_number description display_number etag has_tasks id " +
			"last_activity_date location maildrop_address matter_stage_updated_at number open_date " +
			"pending_date require_utbms_codes shared status updated_at " +
			"account_balances:AccountBalance_base attorney_allocation:AttorneyAllocation_base " +
			"client:ref contingency_fee:ContingencyFee_base " +
			"custom_field_set_associations:CustomFieldSetAssociation_base " +
			"custom_field_values:CustomFieldValue custom_rate:MatterCustomRate " +
			"evergreen_retainer:EvergreenRetainer_base folder:ref group:Group_base " +
			"kyc_field_values:KycFieldValue_base legal_aid_uk_matter:LegalAidUkMatter_base " +
			"matter_bill_recipients:MatterBillRecipient matter_budget:MatterBudget_base " +
			"matter_stage:MatterStage_base originating_attorney:ref practice_area:ref " +
			"relationships:ref responsible_attorney:ref responsible_staff:ref " +
			"split_invoice_payers:SplitInvoicePayer_base statute_of_limitations:ref " +
			"task_template_list_instances:TaskTemplateListInstace_base user:ref")},
	{name: "activities", path: "activities", ref: "Activities/operation/Activity#index",
		params: words("activity_description_id calendar_entry_id communication_id contact_note_id created_since " +
			"end_date expense_category_id flat_rate grant_id ids[] matter_id matter_note_id " +
			"only_unaccounted_for order query start_date status task_id type updated_since user_id"),
		fields: words("billed contingency_fee created_at currency:Currency_base date etag flat_rate id " +
			"input_tax_settings:TaxSetting_base no_charge non_billable non_billable_total note " +
			"on_bill price quantity quantity_in_hours quantity_redacted reference rounded_quantity " +
			"rounded_quantity_in_hours tax_setting tax_settings:TaxSetting_base total type updated_at " +
			"activity_description:ActivityDescription_base bill:ref calendar_entry:ref " +
			"client_portal:ClientPortal_base communication:ref contact_note:ref " +
			"document_version:DocumentVersion_base expense_category:ExpenseCategory_base " +
			"legal_aid_uk_activity:LegalAidUkActivity_base matter:ref matter_note:ref " +
			"subject:PolymorphicObject_base task:ref " +
			"text_message_conversation:Activity_TextMessageConversation_base timer:Timer_base " +
			"user:ref utbms_expense:UtbmsCode_base vendor:ref")},
	{name: "tasks", path: "tasks", ref: "Tasks/operation/Task#index",
		params: words("assignee_id assignee_type assigner_id cascading_source_id client_id complete " +
			"created_since due_at_from due_at_present due_at_to ids[] matter_id order permission " +
			"priority query responsible_attorney_id status statuses[] statute_of_limitations " +
			"task_type_id time_entries_present updated_since"),
		fields: words("completed_at created_at description description_text_type due_at etag id name " +
			"notify_completion permission priority status statute_of_limitations time_entries_count " +
			"time_estimated updated_at assignee:Participant assigner:ref matter:ref " +
			"reminders:Reminder_base task_type:TaskType_base time_entries:ref")},
	{name: "calendar_entries", path: "calendar_entries", ref: "Calendar-Entries/operation/CalendarEntry#index",
		params: words("calendar_id created_since expanded external_property_name external_property_value from " +
			"has_court_rule ids[] is_all_day matter_id owner_entries_across_all_users query source to " +
			"updated_since visible"),
		fields: words("all_day calendar_owner_id court_rule created_at description end_at end_date end_time " +
			"etag id location parent_calendar_entry_id permission recurrence_rule start_at " +
			"start_at_time_zone start_date start_time summary time_entries_count updated_at " +
			"attendees:Attendee_base calendar_entry_event_type:CalendarEntryEventType_base " +
			"calendar_owner:Calendar_base calendars:Calendar_base " +
			"conference_meeting:ConferenceMeeting_base external_properties:ExternalProperty_base " +
			"matter:ref matter_docket:MatterDocket_base parent_calendar_entry:ref " +
			"reminders:Reminder_base time_entries:ref")},
	{name: "communications", path: "communications", ref: "Communications/operation/Communication#index",
		params: words("contact_id created_since date external_property_name external_property_value " +
			"having_time_entries ids[] matter_id order query received_at received_before " +
			"received_since type updated_since user_id"),
		fields: words("body created_at date etag id received_at subject time_entries_count type updated_at " +
			"communication_eml_file:CommunicationEmlFile_base documents:ref " +
			"external_properties:ExternalProperty_base matter:ref " +
			"notification_event_subscribers:NotificationEventSubscriber_base receivers:Participant " +
			"senders:Participant time_entries:ref user:ref")},
	{name: "matter_notes", path: "notes", ref: "Notes/operation/Note#index", fixed: [2]string{"type", "Matter"},
		params: words("contact_id created_since has_time_entries ids[] matter_id order query updated_since"),
		fields: words("created_at date detail detail_text_type etag id subject time_entries_count type " +
			"updated_at author:ref contact:ref matter:ref " +
			"notification_event_subscribers:NotificationEventSubscriber_base time_entries:ref")},
	{name: "contact_notes", path: "notes", ref: "Notes/operation/Note#index", fixed: [2]string{"type", "Contact"},
		params: words("contact_id created_since has_time_entries ids[] matter_id order query updated_since"),
		fields: words("created_at date detail detail_text_type etag id subject time_entries_count type " +
			"updated_at author:ref contact:ref matter:ref " +
			"notification_event_subscribers:NotificationEventSubscriber_base time_entries:ref")},
	{name: "documents", path: "documents", ref: "Documents/operation/Document#index", fixed: [2]string{"scope", "descendants"},
		params: words("contact_id created_since document_category_id external_property_name " +
			"external_property_value ids[] include_deleted locked matter_id order parent_id query " +
			"show_uncompleted updated_since"),
		fields: words("content_type created_at deleted_at etag filename id locked name received_at size type " +
			"updated_at contact:ref creator:ClioCreator_base document_category:DocumentCategory_base " +
			"external_properties:ExternalProperty_base group:Group_base " +
			"latest_document_version:DocumentVersion matter:ref parent:ref")},
	{name: "folders", path: "folders", ref: "Folders/operation/Folder#index", fixed: [2]string{"scope", "descendants"},
		params: words("contact_id created_since document_category_id external_property_name " +
			"external_property_value ids[] include_deleted matter_id order parent_id query " +
			"updated_since"),
		fields: words("created_at deleted_at etag id locked name root type updated_at contact:ref " +
			"creator:ClioCreator_base document_category:DocumentCategory_base " +
			"external_properties:ExternalProperty_base group:Group_base " +
			"latest_document_version:DocumentVersion_base matter:ref parent:ref")},
	{name: "bills", path: "bills", ref: "Bills/operation/Bill#index",
		params: words("bill_number client_id created_since currency_id custom_field_values due_after due_at " +
			"due_before ids[] issued_after issued_before last_sent_end_date last_sent_start_date " +
			"matter_id order originating_attorney_id overdue_only query responsible_attorney_id state " +
			"status type updated_since"),
		fields: words("available_state_transitions balance can_update created_at credits_issued " +
			"discount_services_only due due_at end_at etag id issued_at kind last_sent_at memo number " +
			"paid paid_at pending purchase_order secondary_tax_rate secondary_tax_sum " +
			"secondary_taxable_sub_total services_secondary_tax services_secondary_taxable_sub_total " +
			"services_sub_total services_tax services_taxable_sub_total shared start_at state " +
			"sub_total subject tax_rate tax_sum taxable_sub_total total total_tax type updated_at " +
			"balances:Balance_base bill_theme:BillTheme_base billing_setting:BillingSetting_base " +
			"client:ref client_addresses:Address_base currency:Currency_base destination_account:ref " +
			"discount:Discount_base group:Group_base interest:Interest_base " +
			"legal_aid_uk_bill:LegalAidUkBill_base matter_totals:MatterBalance_base matters:ref " +
			"original_bill:ref split_invoice:SplitInvoice_base user:ref")},
	{name: "bank_accounts", path: "bank_accounts", ref: "Bank-Accounts/operation/BankAccount#index",
		params: words("created_since ids[] order show_empty_accounts status type updated_since user_id"),
		fields: words("account_number balance bank_transactions_count clio_payment_page_link " +
			"clio_payment_page_qr_code clio_payments_enabled compliance_region controlled_account " +
			"created_at currency currency_id currency_symbol default_account domicile_branch etag " +
			"general_ledger_number holder id institution name swift transit_number type updated_at " +
			"user:ref")},
	{name: "bank_transactions", path: "bank_transactions", ref: "Bank-Transactions/operation/BankTransaction#index",
		params: words("bank_account_id client_id created_since ids[] matter_id order type unreconciled_only " +
			"updated_since"),
		fields: words("amount bank_account_id clio_payments_transaction confirmation created_at currency " +
			"currency_id current_account_balance date description etag exchange_rate funds_in " +
			"funds_out id payer_payee read_only_confirmation source transaction_type type updated_at " +
			"allocation:Allocation_base bank_account:ref bill:ref client:ref matter:ref")},
	{name: "users", path: "users", ref: "Users/operation/User#index",
		params: words("created_since enabled ids[] include_co_counsel name order pending_setup role " +
			"subscription_type updated_since"),
		fields: words("account_owner clio_connect court_rules_default_attendee created_at default_calendar_id " +
			"email enabled etag first_name id initials last_name locale name phone_number rate roles " +
			"subscription_type time_zone updated_at account:Account_base avatar:Avatar_base " +
			"contact:ref default_activity_description:ActivityDescription_base groups:Group_base " +
			"job_title:JobTitle_base notification_methods:NotificationMethod_base")},
	{name: "custom_fields", path: "custom_fields", ref: "Custom-Fields/operation/CustomField#index",
		params: words("created_since deleted field_type ids[] order parent_type query updated_since " +
			"visible_and_required"),
		fields: words("created_at deleted display_order displayed etag field_type id name parent_type required " +
			"updated_at picklist_options:PicklistOption_base")},
	{name: "practice_areas", path: "practice_areas", ref: "Practice-Areas/operation/PracticeArea#index",
		params: words("code created_since ids[] matter_id name order updated_since"),
		fields: words("category code created_at etag id name updated_at")},
	{name: "relationships", path: "relationships", ref: "Relationships/operation/Relationship#index",
		params: words("contact_id created_since ids[] matter_id updated_since"),
		fields: words("created_at description etag id updated_at contact:ref matter:ref")},
}

// widening is every row's widen, by resource name. Each parameter is one the action's
// reference lists; where "hidden" means deleted (documents' and folders' include_deleted,
// custom fields' deleted) nothing is set: a default export is the live account.
var widening = map[string][][2]string{
	// "Allow Document record being uploaded to be included": without it, documents whose
	// upload has not completed are left out (refAPI#tag/Documents/operation/Document#index).
	"documents": {{"show_uncompleted", "true"}},
	// "Filter BankAccount records to those having a zero or non zero balance": the name says
	// empty accounts are not shown unless asked for (refAPI#tag/Bank-Accounts/operation/BankAccount#index).
	"bank_accounts": {{"show_empty_accounts", "true"}},
	// "Filter User to include co-counsel users": without it co-counsel users are left out
	// (refAPI#tag/Users/operation/User#index).
	"users": {{"include_co_counsel", "true"}},
}

func init() {
	for k := range resources {
		resources[k].widen = widening[resources[k].name]
	}
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

// strategy is the row's default: cursor, which every row's reference documents
// (page_token); offset reaches only 10,000 records.
func (r resource) strategy() string { return provider.StrategyCursor }

// defaultFields is every documented field, as the fields parameter takes them: nested
// values with every field of their schema.
func (r resource) defaultFields() []string {
	out := make([]string, len(r.fields))
	for k, f := range r.fields {
		name, schema, _ := strings.Cut(f, ":")
		out[k] = name
		if schema != "" && schema != "ref" {
			out[k] += "{" + values[schema] + "}"
		}
	}
	return out
}

// nested is the row's nested values and references, as the README lists them.
func (r resource) nested() (vals, refs []string) {
	for _, f := range r.fields {
		switch name, schema, _ := strings.Cut(f, ":"); schema {
		case "":
		case "ref":
			refs = append(refs, name)
		default:
			vals = append(vals, name)
		}
	}
	return vals, refs
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
