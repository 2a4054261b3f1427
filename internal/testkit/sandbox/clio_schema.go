package sandbox

import (
	"hash/fnv"
	"strings"
)

// clioRef is Clio's API reference, one page generated from
// https://docs.developers.clio.com/openapi.json; each action has an anchor on it.
const clioRef = "https://docs.developers.clio.com/api-reference/"

// clioAction is one index action the sandbox serves, as its reference documents it.
type clioAction struct {
	path string // GET /api/v4/{path}.json
	ref  string // the action's anchor on clioRef
	// fields is every field of the response schema, name:kind in the reference's order:
	// i, n, b, s, d (date), t (date-time), e=a|b (enum), ss (string array), o (an object
	// the sandbox renders empty), one/many (a nested resource: its default fields id and
	// etag), cfv (custom_field_values, every CustomFieldValue field).
	fields string
	// by is a required filter whose value selects the table (notes: type).
	by     string
	tables []clioSelect
	// scoped actions take scope: without scope=descendants only the root folder's children.
	scoped   bool
	maxLimit int // 0: 200, the documented default for index actions

	schema []clioField
}

// clioActions come from the reference's Response sections (the *_base schema, then the
// nested resources). documents leave out document_versions, which 4.0.6 removed. Long enums
// keep a few of their documented values.
var clioActions = withSchemas([]*clioAction{
	{path: "contacts", ref: "Contacts/operation/Contact#index",
		fields: "id:i etag:s name:s first_name:s middle_name:s last_name:s date_of_birth:d type:e=Company|Person " +
			"created_at:t updated_at:t prefix:s title:s initials:s clio_connect_email:s " +
			"locked_clio_connect_email:b client_connect_user_id:i primary_email_address:s " +
			"secondary_email_address:s primary_phone_number:s secondary_phone_number:s ledes_client_id:s " +
			"has_clio_for_clients_permission:b is_client:b is_clio_for_client_user:b is_co_counsel:b " +
			"is_bill_recipient:b sales_tax_number:s currency:o activity_rates:many addresses:many " +
			"custom_field_values:cfv custom_field_set_associations:many email_addresses:many " +
			"instant_messengers:many phone_numbers:many web_sites:many notification_methods:many " +
			"account_balances:many related_contacts:many primary_work_address:one primary_address:one " +
			"secondary_address:one company:one avatar:one payment_profile:one folder:one co_counsel_rate:one " +
			"primary_web_site:one legal_aid_uk_contact:one"},
	{path: "matters", ref: "Matters/operation/Matter#index",
		fields: "id:i etag:s number:i display_number:s custom_number:s currency:o description:s " +
			"status:e=Pending|Open|Closed location:s client_reference:s client_id:i billable:b maildrop_address:s " +
			"billing_method:e=flat|contingency|hourly open_date:d close_date:d pending_date:d created_at:t " +
			"updated_at:t shared:b has_tasks:b last_activity_date:d matter_stage_updated_at:t client:one " +
			"contingency_fee:one custom_rate:o evergreen_retainer:one folder:one group:one matter_budget:one " +
			"matter_stage:one originating_attorney:one practice_area:one responsible_attorney:one " +
			"statute_of_limitations:one user:one legal_aid_uk_matter:one account_balances:many " +
			"custom_field_values:cfv custom_field_set_associations:many matter_bill_recipients:many " +
			"relationships:many task_template_list_instances:many split_invoice_payers:many"},
	{path: "activities", ref: "Activities/operation/Activity#index",
		fields: "id:i etag:s type:e=TimeEntry|ExpenseEntry|HardCostEntry|SoftCostEntry date:d quantity_in_hours:n " +
			"rounded_quantity_in_hours:n quantity:n rounded_quantity:n quantity_redacted:b price:n note:s " +
			"flat_rate:b billed:b on_bill:b total:n contingency_fee:b created_at:t updated_at:t reference:s " +
			"non_billable:b non_billable_total:n no_charge:b " +
			"tax_setting:e=no_tax|tax_1_only|tax_2_only|tax_1_and_tax_2 currency:o activity_description:one " +
			"expense_category:one bill:one communication:one client_portal:one matter:one matter_note:one " +
			"contact_note:one subject:one timer:one user:one utbms_expense:one vendor:one calendar_entry:one " +
			"task:one text_message_conversation:one document_version:one legal_aid_uk_activity:one"},
	{path: "tasks", ref: "Tasks/operation/Task#index",
		fields: "id:i etag:s name:s status:e=pending|in_progress|in_review|complete description:s " +
			"description_text_type:e=plain_text|rich_text priority:e=High|Normal|Low due_at:d permission:s " +
			"completed_at:t notify_completion:b statute_of_limitations:b time_estimated:i created_at:t " +
			"updated_at:t time_entries_count:i time_entries:many task_type:one assigner:one matter:one " +
			"assignee:one reminders:many"},
	{path: "calendar_entries", ref: "Calendar-Entries/operation/CalendarEntry#index",
		fields: "id:s etag:s summary:s description:s location:s start_at:t end_at:t all_day:b recurrence_rule:s " +
			"parent_calendar_entry_id:i court_rule:b created_at:t updated_at:t permission:s calendar_owner_id:i " +
			"start_at_time_zone:s time_entries_count:i time_entries:many conference_meeting:one matter:one " +
			"matter_docket:one calendar_owner:one parent_calendar_entry:one calendar_entry_event_type:one " +
			"attendees:many calendars:many reminders:many external_properties:many"},
	{path: "communications", ref: "Communications/operation/Communication#index",
		fields: "id:i etag:s subject:s body:s type:e=EmailCommunication|PhoneCommunication date:d " +
			"time_entries_count:i created_at:t updated_at:t received_at:t user:one matter:one " +
			"communication_eml_file:one senders:many receivers:many external_properties:many time_entries:many " +
			"documents:many notification_event_subscribers:many"},
	{path: "notes", ref: "Notes/operation/Note#index", by: "type",
		tables: []clioSelect{{"Matter", "matter_notes"}, {"Contact", "contact_notes"}},
		fields: "id:i etag:s type:e=Matter|Contact subject:s detail:s detail_text_type:e=plain_text|rich_text date:d " +
			"created_at:t updated_at:t time_entries_count:i matter:one contact:one author:one time_entries:many " +
			"notification_event_subscribers:many"},
	{path: "documents", ref: "Documents/operation/Document#index", scoped: true,
		fields: "id:i etag:s created_at:t updated_at:t deleted_at:t type:e=Document locked:b name:s received_at:t " +
			"filename:s size:i content_type:s parent:one matter:one contact:one document_category:one creator:one " +
			"latest_document_version:one group:one external_properties:many"},
	{path: "folders", ref: "Folders/operation/Folder#index", scoped: true,
		fields: "id:i etag:s created_at:t updated_at:t deleted_at:t type:e=Folder locked:b name:s root:b parent:one " +
			"matter:one contact:one document_category:one creator:one latest_document_version:one group:one " +
			"external_properties:many"},
	{path: "bills", ref: "Bills/operation/Bill#index",
		fields: "id:i etag:s number:s issued_at:d created_at:t due_at:d tax_rate:n secondary_tax_rate:n updated_at:t " +
			"subject:s purchase_order:s type:e=MatterBill|ClientBill memo:s start_at:d end_at:d balance:n " +
			"state:e=draft|awaiting_approval|awaiting_payment|paid|void|deleted " +
			"kind:e=revenue_kind|summary_kind|trust_kind " +
			"total:n paid:n paid_at:t pending:n due:n discount_services_only:s can_update:b credits_issued:n " +
			"shared:b last_sent_at:t services_secondary_tax:n services_sub_total:n services_tax:n " +
			"services_taxable_sub_total:i services_secondary_taxable_sub_total:i taxable_sub_total:i " +
			"secondary_taxable_sub_total:i sub_total:n tax_sum:n secondary_tax_sum:n total_tax:n " +
			"available_state_transitions:ss=awaiting_approval|awaiting_payment|paid|void|deleted user:one " +
			"client:one discount:o interest:o matters:many group:one bill_theme:one original_bill:one " +
			"destination_account:one balances:many matter_totals:many currency:one billing_setting:one " +
			"client_addresses:many legal_aid_uk_bill:one split_invoice:one"},
	{path: "bank_accounts", ref: "Bank-Accounts/operation/BankAccount#index",
		fields: "account_number:s balance:n bank_transactions_count:i clio_payment_page_link:s " +
			"clio_payment_page_qr_code:s clio_payments_enabled:b controlled_account:b created_at:t currency:s " +
			"currency_symbol:s currency_id:n default_account:b domicile_branch:s etag:s general_ledger_number:s " +
			"holder:s id:i institution:s name:s swift:s transit_number:s type:e=Operating|Trust updated_at:t " +
			"user:one"},
	{path: "bank_transactions", ref: "Bank-Transactions/operation/BankTransaction#index",
		fields: "id:i type:s etag:s created_at:t updated_at:t bank_account_id:i source:s confirmation:s date:d " +
			"amount:n currency:s currency_id:i description:s exchange_rate:n transaction_type:s funds_in:n " +
			"funds_out:n clio_payments_transaction:b current_account_balance:n read_only_confirmation:b " +
			"client:one matter:one bank_account:one bill:one allocation:one"},
	{path: "users", ref: "Users/operation/User#index", maxLimit: 2000,
		fields: "account_owner:b clio_connect:b court_rules_default_attendee:b created_at:t default_calendar_id:i " +
			"email:s enabled:b etag:s first_name:s id:i initials:s last_name:s name:s phone_number:s rate:n " +
			"roles:ss subscription_type:e=Attorney|NonAttorney time_zone:s updated_at:t " +
			"default_activity_description:one notification_methods:many account:one avatar:one contact:one " +
			"job_title:one groups:many"},
	{path: "custom_fields", ref: "Custom-Fields/operation/CustomField#index",
		fields: "id:i etag:s created_at:t updated_at:t name:s parent_type:e=Contact|Matter " +
			"field_type:e=checkbox|contact|currency|date|time|email|matter|numeric|picklist|text_area|text_line|url " +
			"displayed:b deleted:b required:b display_order:i picklist_options:many"},
	{path: "practice_areas", ref: "Practice-Areas/operation/PracticeArea#index",
		fields: "id:i etag:s created_at:t updated_at:t name:s " +
			"category:e=bankruptcy|civil_litigation|criminal|employment_and_labor|family|real_estate|wills_and_estates " +
			"code:s"},
	{path: "relationships", ref: "Relationships/operation/Relationship#index",
		fields: "id:i etag:s description:s created_at:t updated_at:t matter:one contact:one"},
})

func withSchemas(actions []*clioAction) []*clioAction {
	for _, a := range actions {
		a.schema = parseClioSchema(a.fields)
	}
	return actions
}

// clioCustomFieldValue is every CustomFieldValue field; its nested resources are second
// level, so they carry only their default fields.
const clioCustomFieldValue = "id:s etag:s field_name:s created_at:t updated_at:t " +
	"field_type:e=checkbox|date|email|numeric|picklist|text_area|text_line|url field_required:b " +
	"field_displayed:b field_display_order:i value:s soft_deleted:b custom_field:one picklist_option:one " +
	"matter:one contact:one"

// clioNestedDefault is what a nested resource holds unless its fields are asked for.
const clioNestedDefault = "id:i etag:s"

// clioField is one documented response field.
type clioField struct {
	name, kind string
	enum       []string
	hash       uint64
	sub        []clioField // one/many/cfv: the nested resource's fields
	known      bool        // sub lists every field the reference documents (custom_field_values)
}

func parseClioSchema(spec string) []clioField {
	var out []clioField
	for _, tok := range strings.Fields(spec) {
		name, kind, _ := strings.Cut(tok, ":")
		kind, enum, _ := strings.Cut(kind, "=")
		f := clioField{name: name, kind: kind, hash: fieldHash(name)}
		if enum != "" {
			f.enum = strings.Split(enum, "|")
		}
		switch kind {
		case "one", "many":
			f.sub = parseClioSchema(clioNestedDefault)
		case "cfv":
			f.sub, f.known = parseClioSchema(clioCustomFieldValue), true
		}
		out = append(out, f)
	}
	return out
}

func fieldHash(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

func (a *clioAction) field(name string) *clioField {
	for k := range a.schema {
		if a.schema[k].name == name {
			return &a.schema[k]
		}
	}
	return nil
}

// clioSelect is the table one value of an action's required filter selects.
type clioSelect struct{ value, table string }

// tableNames is the tables an action serves, in a stable order.
func (a *clioAction) tableNames() []string {
	if a.by == "" {
		return []string{a.path}
	}
	var out []string
	for _, s := range a.tables {
		out = append(out, s.table)
	}
	return out
}
