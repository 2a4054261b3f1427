package sandbox

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
)

// clioRef is Clio's API reference, one page generated from
// https://docs.developers.clio.com/openapi.json; each action has an anchor on it.
const clioRef = "https://docs.developers.clio.com/api-reference/"

// clioAction is one index action the sandbox serves, as its reference documents it.
type clioAction struct {
	path string // GET /api/v4/{path}.json
	ref  string // the action's anchor on clioRef
	// fields is every field of the response schema, name:kind: i, n, b, s, d (date), t
	// (date-time), e=a|b (enum; ~ stands for a space), ss (string array, =a|b its enum), is
	// (integer array), o and os (an object, or an array of them, the schema leaves open: the
	// sandbox renders them empty), one@Schema and many@Schema (a nested value: one object
	// or a list of them), ref@Schema and refs@Schema (a nested reference to a record another
	// action serves). Schemas are in clioSchemas.
	fields string
	// by is a required filter whose value selects the table (notes: type).
	by     string
	tables []clioSelect
	// scoped actions take scope: without scope=descendants only the root folder's children.
	scoped bool
	// unordered actions document no order: a request without offset is paged by cursor.
	unordered bool
	// hides is a documented parameter whose default leaves some records out.
	hides    *clioHide
	maxLimit int // 0: 200, the documented default for index actions

	schema []clioField
}

// clioActions come from the response schemas of Clio's OpenAPI document (default version
// 4.0.13, as ../shared/specs/clio/clio-manage-v4.openapi.json.gz holds it), in its order:
// each action's *_base schema merged with the nested resources the list schema adds.
var clioActions = withSchemas([]*clioAction{
	{path: "contacts", ref: "Contacts/operation/Contact#index",
		fields: "client_connect_user_id:i clio_connect_email:s created_at:t currency:one@Currency_base " +
			"date_of_birth:d etag:s first_name:s has_clio_for_clients_permission:b id:i initials:s " +
			"is_bill_recipient:b is_client:b is_clio_for_client_user:b is_co_counsel:b last_name:s " +
			"ledes_client_id:s locked_clio_connect_email:b middle_name:s name:s prefix:s " +
			"primary_email_address:s primary_phone_number:s require_utbms_codes:b sales_tax_number:s " +
			"secondary_email_address:s secondary_phone_number:s title:s type:e=Company|Person " +
			"updated_at:t account_balances:many@AccountBalance_base " +
			"activity_rates:many@ActivityRate_base addresses:many@Address_base avatar:one@Avatar_base " +
			"co_counsel_rate:one@ActivityRate_base company:ref@Contact_base " +
			"custom_field_set_associations:many@CustomFieldSetAssociation_base " +
			"custom_field_values:many@CustomFieldValue email_addresses:many@EmailAddress_base " +
			"folder:ref@Folder_base instant_messengers:many@InstantMessenger_base " +
			"kyc_field_values:many@KycFieldValue_base legal_aid_uk_contact:one@LegalAidUkContact_base " +
			"notification_methods:many@NotificationMethod_base " +
			"payment_profile:one@PaymentProfile_base phone_numbers:many@PhoneNumber_base " +
			"primary_address:one@Address_base primary_web_site:one@WebSite_base " +
			"primary_work_address:one@Address_base related_contacts:refs@Contact_base " +
			"secondary_address:one@Address_base web_sites:many@WebSite_base"},
	{path: "matters", ref: "Matters/operation/Matter#index",
		fields: "billable:b billing_method:e=flat|contingency|hourly client_id:i client_reference:s " +
			"close_date:d created_at:t currency:one@Currency_base custom_number:s description:s " +
			"display_number:s etag:s has_tasks:b id:i last_activity_date:d location:s " +
			"maildrop_address:s matter_stage_updated_at:t number:i open_date:d pending_date:d " +
			"require_utbms_codes:b shared:b status:e=Pending|Open|Closed updated_at:t " +
			"account_balances:many@AccountBalance_base " +
			"attorney_allocation:one@AttorneyAllocation_base client:ref@Contact_base " +
			"contingency_fee:one@ContingencyFee_base " +
			"custom_field_set_associations:many@CustomFieldSetAssociation_base " +
			"custom_field_values:many@CustomFieldValue custom_rate:one@MatterCustomRate " +
			"evergreen_retainer:one@EvergreenRetainer_base folder:ref@Folder_base " +
			"group:one@Group_base kyc_field_values:many@KycFieldValue_base " +
			"legal_aid_uk_matter:one@LegalAidUkMatter_base " +
			"matter_bill_recipients:many@MatterBillRecipient matter_budget:one@MatterBudget_base " +
			"matter_stage:one@MatterStage_base originating_attorney:ref@User_base " +
			"practice_area:ref@PracticeArea_base relationships:refs@Relationship_base " +
			"responsible_attorney:ref@User_base responsible_staff:ref@User_base " +
			"split_invoice_payers:many@SplitInvoicePayer_base statute_of_limitations:ref@Task_base " +
			"task_template_list_instances:many@TaskTemplateListInstace_base user:ref@User_base"},
	{path: "activities", ref: "Activities/operation/Activity#index",
		fields: "billed:b contingency_fee:b created_at:t currency:one@Currency_base date:d etag:s " +
			"flat_rate:b id:i input_tax_settings:many@TaxSetting_base no_charge:b non_billable:b " +
			"non_billable_total:n note:s on_bill:b price:n quantity:n quantity_in_hours:n " +
			"quantity_redacted:b reference:s rounded_quantity:n rounded_quantity_in_hours:n " +
			"tax_setting:e=no_tax|tax_1_only|tax_2_only|tax_1_and_tax_2 " +
			"tax_settings:many@TaxSetting_base total:n " +
			"type:e=TimeEntry|ExpenseEntry|HardCostEntry|SoftCostEntry updated_at:t " +
			"activity_description:one@ActivityDescription_base bill:ref@Bill_base " +
			"calendar_entry:ref@Activity_CalendarEntry_base client_portal:one@ClientPortal_base " +
			"communication:ref@Communication_base contact_note:ref@Note_base " +
			"document_version:one@DocumentVersion_base expense_category:one@ExpenseCategory_base " +
			"legal_aid_uk_activity:one@LegalAidUkActivity_base matter:ref@Matter_base " +
			"matter_note:ref@Note_base subject:one@PolymorphicObject_base task:ref@Activity_Task_base " +
			"text_message_conversation:one@Activity_TextMessageConversation_base timer:one@Timer_base " +
			"user:ref@User_base utbms_expense:one@UtbmsCode_base vendor:ref@Contact_base"},
	{path: "tasks", ref: "Tasks/operation/Task#index",
		fields: "completed_at:t created_at:t description:s description_text_type:e=plain_text|rich_text " +
			"due_at:d etag:s id:i name:s notify_completion:b permission:s priority:e=High|Normal|Low " +
			"status:e=pending|in_progress|in_review|complete|draft statute_of_limitations:b " +
			"time_entries_count:i time_estimated:i updated_at:t assignee:one@Participant " +
			"assigner:ref@User_base matter:ref@Matter_base reminders:many@Reminder_base " +
			"task_type:one@TaskType_base time_entries:refs@Activity_base"},
	{path: "calendar_entries", ref: "Calendar-Entries/operation/CalendarEntry#index", unordered: true,
		fields: "all_day:b calendar_owner_id:i court_rule:b created_at:t description:s end_at:t " +
			"end_date:d end_time:s etag:s id:s location:s parent_calendar_entry_id:i permission:s " +
			"recurrence_rule:s start_at:t start_at_time_zone:s start_date:d start_time:s summary:s " +
			"time_entries_count:i updated_at:t attendees:many@Attendee_base " +
			"calendar_entry_event_type:one@CalendarEntryEventType_base " +
			"calendar_owner:one@Calendar_base calendars:many@Calendar_base " +
			"conference_meeting:one@ConferenceMeeting_base " +
			"external_properties:many@ExternalProperty_base matter:ref@Matter_base " +
			"matter_docket:one@MatterDocket_base parent_calendar_entry:ref@CalendarEntry_base " +
			"reminders:many@Reminder_base time_entries:refs@Activity_base"},
	{path: "communications", ref: "Communications/operation/Communication#index",
		fields: "body:s created_at:t date:d etag:s id:i received_at:t subject:s time_entries_count:i " +
			"type:e=EmailCommunication|PhoneCommunication updated_at:t " +
			"communication_eml_file:one@CommunicationEmlFile_base documents:refs@Document_base " +
			"external_properties:many@ExternalProperty_base matter:ref@Matter_base " +
			"notification_event_subscribers:many@NotificationEventSubscriber_base " +
			"receivers:many@Participant senders:many@Participant time_entries:refs@Activity_base " +
			"user:ref@User_base"},
	{path: "notes", ref: "Notes/operation/Note#index", by: "type",
		tables: []clioSelect{{"Matter", "matter_notes"}, {"Contact", "contact_notes"}},
		fields: "created_at:t date:d detail:s detail_text_type:e=plain_text|rich_text etag:s id:i " +
			"subject:s time_entries_count:i type:e=Matter|Contact updated_at:t author:ref@User_base " +
			"contact:ref@Contact_base matter:ref@Matter_base " +
			"notification_event_subscribers:many@NotificationEventSubscriber_base " +
			"time_entries:refs@Activity_base"},
	{path: "documents", ref: "Documents/operation/Document#index", scoped: true,
		hides: &clioHide{"show_uncompleted", "documents still being uploaded", 7},
		fields: "content_type:s created_at:t deleted_at:t etag:s filename:s id:i locked:b name:s " +
			"received_at:t size:i type:e=Document updated_at:t contact:ref@Contact_base " +
			"creator:one@ClioCreator_base document_category:one@DocumentCategory_base " +
			"external_properties:many@ExternalProperty_base group:one@Group_base " +
			"latest_document_version:one@DocumentVersion matter:ref@Matter_base " +
			"parent:ref@LinkedFolder_base"},
	{path: "folders", ref: "Folders/operation/Folder#index", scoped: true,
		fields: "created_at:t deleted_at:t etag:s id:i locked:b name:s root:b type:e=Folder updated_at:t " +
			"contact:ref@Contact_base creator:one@ClioCreator_base " +
			"document_category:one@DocumentCategory_base " +
			"external_properties:many@ExternalProperty_base group:one@Group_base " +
			"latest_document_version:one@DocumentVersion_base matter:ref@Matter_base " +
			"parent:ref@LinkedFolder_base"},
	{path: "bills", ref: "Bills/operation/Bill#index",
		fields: "available_state_transitions:ss=awaiting_approval|awaiting_payment|paid|void|deleted " +
			"balance:n can_update:b created_at:t credits_issued:n discount_services_only:b due:n " +
			"due_at:d end_at:d etag:s id:i issued_at:d " +
			"kind:e=revenue_kind|summary_kind|trust_kind|aggregate_all|aggregate_split|aggregate_services|aggregate_expenses " +
			"last_sent_at:t memo:s number:s paid:n paid_at:t pending:n purchase_order:s " +
			"secondary_tax_rate:n secondary_tax_sum:n secondary_taxable_sub_total:i " +
			"services_secondary_tax:n services_secondary_taxable_sub_total:i services_sub_total:n " +
			"services_tax:n services_taxable_sub_total:i shared:b start_at:d " +
			"state:e=draft|awaiting_approval|awaiting_payment|paid|void|deleted sub_total:n subject:s " +
			"tax_rate:n tax_sum:n taxable_sub_total:i total:n total_tax:n " +
			"type:e=MatterBill|ClientBill updated_at:t balances:many@Balance_base " +
			"bill_theme:one@BillTheme_base billing_setting:one@BillingSetting_base " +
			"client:ref@Contact_base client_addresses:many@Address_base currency:one@Currency_base " +
			"destination_account:ref@BankAccount_base discount:one@Discount_base group:one@Group_base " +
			"interest:one@Interest_base legal_aid_uk_bill:one@LegalAidUkBill_base " +
			"matter_totals:many@MatterBalance_base matters:refs@Matter_base " +
			"original_bill:ref@Bill_base split_invoice:one@SplitInvoice_base user:ref@User_base"},
	{path: "bank_accounts", ref: "Bank-Accounts/operation/BankAccount#index",
		hides: &clioHide{"show_empty_accounts", "accounts with a zero balance", 5},
		fields: "account_number:s balance:n bank_transactions_count:i clio_payment_page_link:s " +
			"clio_payment_page_qr_code:s clio_payments_enabled:b " +
			"compliance_region:e=no_region|new_south_wales|new_zealand|united_kingdom|au_victoria|au_queensland|au_western_australia|au_south_australia|au_tasmania|au_australian_capital_territory|au_northern_territory|uk_northern_ireland|uk_scotland|spain " +
			"controlled_account:b created_at:t currency:s currency_id:n currency_symbol:s " +
			"default_account:b domicile_branch:s etag:s general_ledger_number:s holder:s id:i " +
			"institution:s name:s swift:s transit_number:s type:e=Operating|Trust updated_at:t " +
			"user:ref@User_base"},
	{path: "bank_transactions", ref: "Bank-Transactions/operation/BankTransaction#index",
		fields: "amount:n bank_account_id:i clio_payments_transaction:b confirmation:s created_at:t " +
			"currency:s currency_id:i current_account_balance:n date:d description:s etag:s " +
			"exchange_rate:n funds_in:n funds_out:n id:i payer_payee:s read_only_confirmation:b " +
			"source:s transaction_type:s type:s updated_at:t allocation:one@Allocation_base " +
			"bank_account:ref@BankAccount_base bill:ref@Bill_base client:ref@Contact_base " +
			"matter:ref@Matter_base"},
	{path: "users", ref: "Users/operation/User#index", maxLimit: 2000,
		hides: &clioHide{"include_co_counsel", "co-counsel users", 6},
		fields: "account_owner:b clio_connect:b court_rules_default_attendee:b created_at:t " +
			"default_calendar_id:i email:s enabled:b etag:s first_name:s id:i initials:s last_name:s " +
			"locale:s name:s phone_number:s rate:n roles:ss subscription_type:e=Attorney|NonAttorney " +
			"time_zone:s updated_at:t account:one@Account_base avatar:one@Avatar_base " +
			"contact:ref@Contact_base default_activity_description:one@ActivityDescription_base " +
			"groups:many@Group_base job_title:one@JobTitle_base " +
			"notification_methods:many@NotificationMethod_base"},
	{path: "custom_fields", ref: "Custom-Fields/operation/CustomField#index",
		fields: "created_at:t deleted:b display_order:i displayed:b etag:s " +
			"field_type:e=checkbox|contact|currency|date|time|email|matter|numeric|picklist|text_area|text_line|url " +
			"id:i name:s parent_type:e=Contact|Matter required:b updated_at:t " +
			"picklist_options:many@PicklistOption_base"},
	{path: "practice_areas", ref: "Practice-Areas/operation/PracticeArea#index",
		fields: "category:e=administrative|admiralty_and_maritime|anti_trust_and_competition|appellate|banking_and_finance|bankruptcy|business_formation_and_compliance|civil_litigation|civil_rights_and_constitutional|collections_and_debt|commercial_and_sale_of_goods|commercial_litigation|construction|consumer_protection|contracts|corporate_litigation|criminal|disability_and_social_security|education|elder|employment_and_labor|energy_and_environmental|ethics|family|food_and_drug|general_practice|government|healthcare|immigration|in_house_counsel|insurance|intellectual_property|international|juvenile|legal_aid|mediation_and_arbitration|medical_malpractice|military|multi_practice|non_profit_and_pro_bono|other|personal_injury|privacy_and_information_security|private_client|product_liability|real_estate|science_and_technology|securities_and_mergers_and_acquisitions|small_claims|sports_and_entertainment_and_gaming|tax|telecommunications|traffic_offenses|transportation|tribal|trusts|wills_and_estates|workers_compensation " +
			"code:s created_at:t etag:s id:i name:s updated_at:t"},
	{path: "relationships", ref: "Relationships/operation/Relationship#index", unordered: true,
		fields: "created_at:t description:s etag:s id:i updated_at:t contact:ref@Contact_base " +
			"matter:ref@Matter_base"},
})

func withSchemas(actions []*clioAction) []*clioAction {
	for _, a := range actions {
		a.schema = parseClioSchema(a.fields, true)
	}
	return actions
}

// clioField is one documented response field.
type clioField struct {
	name, kind string
	enum       []string
	hash       uint64
	// schema names a nested resource's schema; sub is its fields (for a second-level
	// nested resource only its defaults), defaults the ones it holds when named bare.
	schema   string
	sub      []clioField
	defaults []string
}

// nested reports whether the field is a nested resource.
func (f clioField) nested() bool { return f.sub != nil }

// reference reports whether the field is a nested reference to another action's record.
func (f clioField) reference() bool { return f.kind == "ref" || f.kind == "refs" }

// list reports whether the nested resource is a list.
func (f clioField) list() bool { return f.kind == "many" || f.kind == "refs" }

// parseClioSchema reads a fields string. Top-level nested fields name their schema; a
// nested schema's own nested fields (second level) are one or many, followed by /id|etag
// when their defaults are not id and etag (/ alone: none).
func parseClioSchema(spec string, top bool) []clioField {
	var out []clioField
	for _, tok := range strings.Fields(spec) {
		name, kind, _ := strings.Cut(tok, ":")
		f := clioField{name: name, hash: fieldHash(name)}
		switch kind, schema, nested := strings.Cut(kind, "@"); {
		case nested && top:
			f.kind, f.schema = kind, schema
			def, ok := clioSchemas[schema]
			if !ok {
				panic(fmt.Sprintf("sandbox: clio schema %s of %s is missing", schema, name))
			}
			f.sub = parseClioSchema(def, false)
			for _, g := range f.sub {
				if g.name == "id" || g.name == "etag" {
					f.defaults = append(f.defaults, g.name)
				}
			}
		case strings.HasPrefix(kind, "one") || strings.HasPrefix(kind, "many"):
			kind, defs, cut := strings.Cut(kind, "/")
			f.kind, f.defaults = kind, []string{"id", "etag"}
			if cut {
				f.defaults = strings.FieldsFunc(defs, func(r rune) bool { return r == '|' })
			}
			f.sub = parseClioSchema(clioDefaultsSchema(f.defaults), false)
		default:
			kind, enum, _ := strings.Cut(kind, "=")
			f.kind = kind
			if enum != "" {
				f.enum = strings.Split(strings.ReplaceAll(enum, "~", " "), "|")
			}
		}
		out = append(out, f)
	}
	return out
}

// clioDefaultsSchema is the schema of a second-level nested resource's defaults.
func clioDefaultsSchema(defaults []string) string {
	var out []string
	for _, d := range defaults {
		switch d {
		case "id":
			out = append(out, "id:i")
		case "etag":
			out = append(out, "etag:s")
		}
	}
	return strings.Join(out, " ")
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

// clioHide is a boolean parameter whose reference reads as leaving records out unless it
// is true (the stricter reading where the default is not stated): one record in every
// hides what.
type clioHide struct {
	param, what string
	every       uint64
}

// clioHiddenStream is the hash stream that picks the records a clioHide leaves out.
const clioHiddenStream uint64 = 0xc110

func (h *clioHide) hidden(t *table, i int) bool { return t.h(i, clioHiddenStream)%h.every == 0 }

// clioActionOf is the action serving table name.
func clioActionOf(name string) *clioAction {
	for _, a := range clioActions {
		if slices.Contains(a.tableNames(), name) {
			return a
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
