package sandbox

// clioSchemas are the nested resources' schemas of Clio's OpenAPI document (default version
// 4.0.13, as ../shared/specs/clio/clio-manage-v4.openapi.json.gz holds it), by its schema
// names, written as clioAction.fields. Their own nested resources are second-level: the
// fields guide lets a request name them bare only, so only their defaults are modelled.
var clioSchemas = map[string]string{
	"AccountBalance_base": "balance:n currency_id:i id:i name:s type:s",
	"Account_base": "address:s city:s country:s created_at:t etag:s fax:s id:i name:s phone:s postal_code:s " +
		"province:s state:s updated_at:t",
	"ActivityDescription_base": "accessible_to_user:b category_type:s created_at:t currency:o default:b description:s etag:s " +
		"id:i name:s type:s updated_at:t utbms_activity_id:i utbms_task_id:i utbms_task_name:s " +
		"visible_to_co_counsel:b xero_service_code:s",
	"ActivityRate_base": "co_counsel_contact_id:i contact_id:i created_at:t etag:s flat_rate:b id:i rate:n " +
		"updated_at:t",
	"Activity_CalendarEntry_base":           "calendar_owner_id:i etag:s id:s",
	"Activity_Task_base":                    "etag:s id:i",
	"Activity_TextMessageConversation_base": "etag:s id:i",
	"Activity_base": "billed:b contingency_fee:b created_at:t currency:o date:d etag:s flat_rate:b id:i " +
		"input_tax_settings:os no_charge:b non_billable:b non_billable_total:n note:s on_bill:b " +
		"price:n quantity:n quantity_in_hours:n quantity_redacted:b reference:s rounded_quantity:n " +
		"rounded_quantity_in_hours:n tax_setting:e=no_tax|tax_1_only|tax_2_only|tax_1_and_tax_2 " +
		"tax_settings:os total:n type:e=TimeEntry|ExpenseEntry|HardCostEntry|SoftCostEntry " +
		"updated_at:t",
	"Address_base": "city:s country:s created_at:t etag:s id:i name:e=Work|Home|Billing|Other postal_code:s " +
		"primary:b province:s street:s updated_at:t",
	"Allocation_base": "amount:n created_at:t date:d description:s destroyable:b etag:s has_online_payment:b id:i " +
		"interest:b payment_type:s updated_at:t voided_at:t",
	"Attendee_base": "created_at:t email:s enabled:b etag:s id:i name:s type:e=Contact|Calendar updated_at:t",
	"AttorneyAllocation_base": "account_id:i created_at:t etag:s id:i originating_attorney_allocation:n resource_id:i " +
		"resource_type:s responsible_attorney_allocation:n updated_at:t",
	"Avatar_base":  "_destroy:b created_at:t etag:s id:i updated_at:t url:s",
	"Balance_base": "amount:n due:n id:i interest_amount:n type:e=Matter|Client",
	"BankAccount_base": "account_number:s balance:n bank_transactions_count:i clio_payment_page_link:s " +
		"clio_payment_page_qr_code:s clio_payments_enabled:b " +
		"compliance_region:e=no_region|new_south_wales|new_zealand|united_kingdom|au_victoria|au_queensland|au_western_australia|au_south_australia|au_tasmania|au_australian_capital_territory|au_northern_territory|uk_northern_ireland|uk_scotland|spain " +
		"controlled_account:b created_at:t currency:s currency_id:n currency_symbol:s " +
		"default_account:b domicile_branch:s etag:s general_ledger_number:s holder:s id:i " +
		"institution:s name:s swift:s transit_number:s type:e=Operating|Trust updated_at:t",
	"BillTheme_base": "account_id:i config:s created_at:t default:b etag:s id:i name:s updated_at:t",
	"Bill_base": "available_state_transitions:ss=awaiting_approval|awaiting_payment|paid|void|deleted " +
		"balance:n can_update:b created_at:t credits_issued:n discount_services_only:b due:n due_at:d " +
		"end_at:d etag:s id:i issued_at:d " +
		"kind:e=revenue_kind|summary_kind|trust_kind|aggregate_all|aggregate_split|aggregate_services|aggregate_expenses " +
		"last_sent_at:t memo:s number:s paid:n paid_at:t pending:n purchase_order:s " +
		"secondary_tax_rate:n secondary_tax_sum:n secondary_taxable_sub_total:i " +
		"services_secondary_tax:n services_secondary_taxable_sub_total:i services_sub_total:n " +
		"services_tax:n services_taxable_sub_total:i shared:b start_at:d " +
		"state:e=draft|awaiting_approval|awaiting_payment|paid|void|deleted sub_total:n subject:s " +
		"tax_rate:n tax_sum:n taxable_sub_total:i total:n total_tax:n type:e=MatterBill|ClientBill " +
		"updated_at:t",
	"BillingSetting_base": "apply_secondary_tax_by_default:b apply_tax_by_default:b billing_currencies:os created_at:t " +
		"currency:s currency_sign:s etag:s id:i multi_currency_billing:b notify_after_bill_created:b " +
		"rounded_duration:n rounding:i secondary_tax_name:s secondary_tax_rate:n " +
		"secondary_tax_rule:e=Pre|Post tax_name:s tax_rate:n tax_settings:os " +
		"time_on_flat_rate_contingency_matters_is_non_billable:b updated_at:t use_decimal_rounding:b " +
		"use_secondary_tax:b use_utbms_codes:b",
	"CalendarEntryEventType_base": "color:e=#367B9C|#FFA5A4|#83D17F|#FFAC7B|#8E3F64|#C75300|#009CEC|#62D6B1|#9EEDCB|#F9A2C4|#616161|#BBDA81|#DFD3F8|#D6C4A5|#FFD478|#6AC9DE|#EABBB0|#BFC2E1|#DADADA|#CDE2F5 " +
		"created_at:t etag:s id:i name:s updated_at:t",
	"CalendarEntry_base": "all_day:b calendar_owner_id:i court_rule:b created_at:t description:s end_at:t end_date:d " +
		"end_time:s etag:s id:s location:s parent_calendar_entry_id:i permission:s recurrence_rule:s " +
		"start_at:t start_at_time_zone:s start_date:d start_time:s summary:s time_entries_count:i " +
		"updated_at:t",
	"Calendar_base": "color:e=#367B9C|#FFA5A4|#83D17F|#FFAC7B|#8E3F64|#C75300|#009CEC|#62D6B1|#9EEDCB|#F9A2C4|#616161|#BBDA81|#DFD3F8|#D6C4A5|#FFD478|#6AC9DE|#EABBB0|#BFC2E1|#DADADA|#CDE2F5 " +
		"court_rules_default_calendar:b created_at:t etag:s id:i " +
		"light_color:e=#5DA5C7|#F95957|#209412|#FF7715|#DE649D|#FF6B02|#56C4FC|#00B177|#50D19B|#F14A8C|#A3A2A2|#84AB3B|#B091EE|#BD9E69|#F2A000|#00A5CA|#CB5A3D|#959CD0|#B0B0B0|#7BA6CD " +
		"name:s permission:e=owner|editor|viewer|limited_viewer|none source:e=web|mobile " +
		"type:e=AccountCalendar|AdhocCalendar|UserCalendar updated_at:t visible:b",
	"ClientPortal_base": "created_at:t etag:s id:i unread:b unread_count:i unread_notifiable_count:i updated_at:t",
	"ClioCreator_base": "account_owner:b clio_connect:b court_rules_default_attendee:b created_at:t " +
		"default_calendar_id:i email:s enabled:b etag:s first_name:s id:i initials:s last_name:s " +
		"name:s phone_number:s rate:n roles:ss subscription_type:e=Attorney|NonAttorney time_zone:s " +
		"type:e=ManageUser|ClientUser updated_at:t",
	"CommunicationEmlFile_base": "id:i",
	"Communication_base": "body:s created_at:t date:d etag:s id:i received_at:t subject:s time_entries_count:i " +
		"type:e=EmailCommunication|PhoneCommunication updated_at:t",
	"ConferenceMeeting_base": "conference_id:i conference_password:s created_at:t etag:s id:i join_url:s source_id:i type:s " +
		"updated_at:t",
	"Contact_base": "client_connect_user_id:i clio_connect_email:s created_at:t currency:o date_of_birth:d etag:s " +
		"first_name:s has_clio_for_clients_permission:b id:i initials:s is_bill_recipient:b " +
		"is_client:b is_clio_for_client_user:b is_co_counsel:b last_name:s ledes_client_id:s " +
		"locked_clio_connect_email:b middle_name:s name:s prefix:s primary_email_address:s " +
		"primary_phone_number:s require_utbms_codes:b sales_tax_number:s secondary_email_address:s " +
		"secondary_phone_number:s title:s type:e=Company|Person updated_at:t",
	"ContingencyFee_base":            "created_at:t etag:s id:i show_contingency_award:b updated_at:t",
	"Currency_base":                  "code:s created_at:t etag:s id:i sign:s updated_at:t",
	"CustomFieldSetAssociation_base": "created_at:t display_order:i etag:s id:i updated_at:t",
	"CustomFieldValue": "created_at:t etag:s field_display_order:i field_displayed:b field_name:s field_required:b " +
		"field_type:e=checkbox|contact|currency|date|time|email|matter|numeric|picklist|text_area|text_line|url " +
		"id:s soft_deleted:b updated_at:t value:s contact:one custom_field:one matter:one/id " +
		"picklist_option:one",
	"Discount_base":         "early_payment_period:i early_payment_rate:i note:s rate:n type:e=percentage|money",
	"DocumentCategory_base": "created_at:t etag:s id:i name:s updated_at:t",
	"DocumentVersion": "content_type:s created_at:t document_id:i etag:s filename:s fully_uploaded:b id:i put_url:s " +
		"received_at:t size:i updated_at:t uuid:s version_number:i creator:one multiparts:many/ " +
		"put_headers:many/",
	"DocumentVersion_base": "content_type:s created_at:t document_id:i etag:s filename:s fully_uploaded:b id:i put_url:s " +
		"received_at:t size:i updated_at:t uuid:s version_number:i",
	"Document_base": "content_type:s created_at:t deleted_at:t etag:s filename:s id:i locked:b name:s " +
		"received_at:t size:i type:e=Document updated_at:t",
	"EmailAddress_base":      "address:s created_at:t etag:s id:i name:s primary:b updated_at:t",
	"EvergreenRetainer_base": "created_at:t etag:s id:i minimum_threshold:n updated_at:t",
	"ExpenseCategory_base": "accessible_to_user:b created_at:t currency:o description:s entry_type:s etag:s id:i " +
		"input_tax_settings:os name:s rate:i tax_setting:s tax_settings:os updated_at:t " +
		"xero_expense_code:s",
	"ExternalProperty_base": "created_at:t etag:s id:i name:s updated_at:t value:s",
	"Folder_base":           "created_at:t deleted_at:t etag:s id:i locked:b name:s root:b type:e=Folder updated_at:t",
	"Group_base": "client_connect_user:b etag:s id:i name:s type:e=UserGroup|AdhocGroup|AccountGroup|TeamGroup " +
		"updated_at:t",
	"InstantMessenger_base": "address:s created_at:t etag:s id:i name:e=Work|Personal|Other updated_at:t",
	"Interest_base":         "balance:n period:i rate:n total:n type:e=simple|compound",
	"JobTitle_base":         "etag:s id:i initials:s name:s",
	"KycFieldValue_base": "created_at:t etag:s field_label:s field_name:s field_possible_values:ss " +
		"field_type:e=date|picklist|text field_value:s group:s id:i updated_at:t",
	"LegalAidUkActivity_base": "activity_sub_category:s advocacy:i base_rate:n bolt_ons:s bolt_ons_summary:s court:i " +
		"eligible_for_sqm:b expert:i form_of_civil_legal_service:i id:i is_custom_rate:b json_key:s " +
		"region:i tax_exclusive:b uplift:n user_type:i",
	"LegalAidUkBill_base": "additional_travel_payment:b adjourned_hearing_fee:s advice_time:i advocacy_costs:n " +
		"bill_type:i case_concluded:d case_stage_level:i cla_exemption_code:s cla_reference:s " +
		"cmrh_oral:i cmrh_telephone:i cost_of_counsel:s costs_are_those_of:i court_location:s " +
		"date_of_claim:d designated_accredited_representative:i detention_travel_and_waiting_costs:s " +
		"disbursements_vat:n exceptional_case_funding_reference:s exemption_criteria_satisfied:i " +
		"fee_code:s follow_on_work:i ho_interview:i ho_ucn:i id:i " +
		"independent_medical_reports_claimed:s jr_form_filling:s maat_id:s meetings_attended:i " +
		"mht_ref_no:s net_disbursements:n net_profit_costs:n " +
		"niat_disbursement_prior_authority_number:s number_of_attendances:i outcome_for_the_client:i " +
		"prior_authority_reference:s profit_costs_ex_vat:i representation_order_date:d " +
		"stage_reached:i substantive_hearing:i travel_and_waiting_costs:n travel_time:i " +
		"value_of_costs:s waiting_time:i",
	"LegalAidUkContact_base": "disability:i disability_code:s ethnicity:i ethnicity_title:s financially_eligible:b gender:i " +
		"gender_title:s id:i national_insurance_number:s",
	"LegalAidUkMatter_base": "access_point:s ait_hearing_centre:i attended_several_hearings_acting_for_multiple_clients:b " +
		"bill_ho_ucn:s bill_number_of_attendances:i bill_outcome_for_the_client_code:i " +
		"bill_stage_reached_code:i case_reference:s case_start_date:d category:i category_as_string:s " +
		"certificate_effective_date:d certificate_expiration_date:d certificate_number:s " +
		"certificate_scope:s certification_type:i change_of_solicitor:b " +
		"client_equal_opportunity_monitoring:s client_type:i clr_start_date:d " +
		"clr_total_profit_costs:s cost_limit:s counsel:i court:i court_id:i court_id_code:s " +
		"created_at:t delivery_location:s dscc_number:s duty_solicitor:b etag:s " +
		"exceptional_case_funding_reference:s expense_limit:s fee_scheme:i " +
		"first_conducting_solicitor:b id:i irc_surgery:s laa_office_number:s legacy_case:s " +
		"legal_representation_number:s lh_start_date:s lh_total_disbursements:s " +
		"lh_total_profit_costs:s linked_matter_id:i local_authority_number:s maat_id:s matter_type:i " +
		"matter_type_1:i matter_type_1_code:s matter_type_1_title:s matter_type_2:i " +
		"matter_type_2_code:s matter_type_2_title:s matter_type_code:s matter_types_combined:s " +
		"number_of_clients:i number_of_clients_seen_at_surgery:i party:i police_station:s " +
		"post_transfer_clients_represented:i postal_application_accepted:s " +
		"prior_authority_reference:s prison_id:i prison_law_prior_approval_number:s " +
		"procurement_area:s region:i related_claims_number:s representation_order_date:d " +
		"schedule_reference_number:s scheme_id:s session_type:i solicitor_type:i " +
		"standard_fee_category:i surgery_clients:i " +
		"surgery_clients_resulting_in_a_legal_help_matter_opened:i surgery_date:d transfer_date:d " +
		"type_of_advice:i type_of_service:s ucn:s ufn:s undesignated_area_court:b updated_at:t " +
		"user_type:i youth_court:b",
	"LinkedFolder_base":   "created_at:t deleted_at:t etag:s id:i locked:b name:s root:b type:e=Folder updated_at:t",
	"MatterBalance_base":  "amount:n id:i",
	"MatterBillRecipient": "created_at:t etag:s id:i updated_at:t recipient:one",
	"MatterBudget_base": "budget:n created_at:t etag:s id:i include_expenses:b notification_threshold:i notify_users:b " +
		"updated_at:t",
	"MatterCustomRate":  "on_invoice:b type:e=FlatRate|HourlyRate|ContingencyFee rates:many",
	"MatterDocket_base": "created_at:t deleted_at:t etag:s id:i name:s start_date:d start_time:t status:s updated_at:t",
	"MatterStage_base":  "created_at:t etag:s id:i name:s order:i practice_area_id:s updated_at:t",
	"Matter_base": "billable:b billing_method:e=flat|contingency|hourly client_id:i client_reference:s " +
		"close_date:d created_at:t currency:o custom_number:s description:s display_number:s etag:s " +
		"has_tasks:b id:i last_activity_date:d location:s maildrop_address:s " +
		"matter_stage_updated_at:t number:i open_date:d pending_date:d require_utbms_codes:b shared:b " +
		"status:e=Pending|Open|Closed updated_at:t",
	"Note_base": "created_at:t date:d detail:s detail_text_type:e=plain_text|rich_text etag:s id:i subject:s " +
		"time_entries_count:i type:e=Matter|Contact updated_at:t",
	"NotificationEventSubscriber_base": "created_at:t etag:s id:i name:s updated_at:t user_id:i",
	"NotificationMethod_base": "created_at:t email_address:s etag:s id:i is_default_email_address:b type:e=Email|Popup|SMS " +
		"updated_at:t",
	"Participant": "created_at:t enabled:b etag:s id:i identifier:s initials:s job_title_name:s name:s " +
		"secondary_identifier:s type:e=Person|Company|User updated_at:t avatar:one",
	"PaymentProfile_base": "billing_setting_id:i created_at:t discount_period:i discount_rate:n etag:s id:i " +
		"interest_period:i interest_rate:n interest_type:e=simple|compound name:s terms:i " +
		"updated_at:t",
	"PhoneNumber_base":    "created_at:t etag:s id:i name:e=Work|Personal|Other number:s primary:b updated_at:t",
	"PicklistOption_base": "created_at:t deleted_at:t etag:s id:i option:s updated_at:t",
	"PolymorphicObject_base": "id:i identifier:s secondary_identifier:s tertiary_identifier:s " +
		"type:e=Task|CalendarEntry|MatterNote|ContactNote|Matter|Contact|User|CreditMemo|Payment|Document|Communication|Conversation|TextMessageConversation",
	"PracticeArea_base": "category:e=administrative|admiralty_and_maritime|anti_trust_and_competition|appellate|banking_and_finance|bankruptcy|business_formation_and_compliance|civil_litigation|civil_rights_and_constitutional|collections_and_debt|commercial_and_sale_of_goods|commercial_litigation|construction|consumer_protection|contracts|corporate_litigation|criminal|disability_and_social_security|education|elder|employment_and_labor|energy_and_environmental|ethics|family|food_and_drug|general_practice|government|healthcare|immigration|in_house_counsel|insurance|intellectual_property|international|juvenile|legal_aid|mediation_and_arbitration|medical_malpractice|military|multi_practice|non_profit_and_pro_bono|other|personal_injury|privacy_and_information_security|private_client|product_liability|real_estate|science_and_technology|securities_and_mergers_and_acquisitions|small_claims|sports_and_entertainment_and_gaming|tax|telecommunications|traffic_offenses|transportation|tribal|trusts|wills_and_estates|workers_compensation " +
		"code:s created_at:t etag:s id:i name:s updated_at:t",
	"Relationship_base": "created_at:t description:s etag:s id:i updated_at:t",
	"Reminder_base": "created_at:t duration:i etag:s id:i next_delivery_at:t " +
		"state:e=initializing|scheduling|rescheduling|scheduled|attempting_delivery|delivery_failed|delivered|delivery_skipped|invalid_user " +
		"updated_at:t",
	"SplitInvoicePayer_base": "contact_id:i created_at:t etag:s id:i matter_id:i send_to_bill_recipients:b split_portion:n " +
		"updated_at:t",
	"SplitInvoice_base": "bill_id:i created_at:t etag:s id:i linked_invoices_display_numbers:ss linked_invoices_ids:is " +
		"split_connection_id:s split_portion:n updated_at:t",
	"TaskTemplateListInstace_base": "created_at:t etag:s id:i updated_at:t",
	"TaskType_base":                "created_at:t deleted_at:t etag:s id:i name:s updated_at:t",
	"Task_base": "completed_at:t created_at:t description:s description_text_type:e=plain_text|rich_text " +
		"due_at:d etag:s id:i name:s notify_completion:b permission:s priority:e=High|Normal|Low " +
		"status:e=pending|in_progress|in_review|complete|draft statute_of_limitations:b " +
		"time_entries_count:i time_estimated:i updated_at:t",
	"TaxSetting_base": "order:i rule:s tax_rate_configuration_formatted_rate:s tax_rate_configuration_id:i " +
		"tax_rate_configuration_name:s tax_rate_configuration_rate:n",
	"Timer_base": "created_at:t elapsed_time:n etag:s id:i start_time:t updated_at:t",
	"User_base": "account_owner:b clio_connect:b court_rules_default_attendee:b created_at:t " +
		"default_calendar_id:i email:s enabled:b etag:s first_name:s id:i initials:s last_name:s " +
		"locale:s name:s phone_number:s rate:n roles:ss subscription_type:e=Attorney|NonAttorney " +
		"time_zone:s updated_at:t",
	"UtbmsCode_base": "code:s created_at:t description:s etag:s id:i name:s " +
		"type:e=UtbmsTask|UtbmsExpense|UtbmsActivity updated_at:t utbms_set_id:i",
	"WebSite_base": "address:s created_at:t default_web_site:b etag:s id:i " +
		"name:e=Work|Personal|Twitter|Facebook|LinkedIn|Instant~Messenger|Other updated_at:t",
}
