package clio

// values are the fields of each nested value's schema in Clio's OpenAPI document (default
// version 4.0.13), as a fields selection names them. A value's own nested resources are
// second-level: the fields guide lets them be named bare only, so they come with their
// default fields (refFields).
var values = map[string]string{
	"AccountBalance_base": "balance,currency_id,id,name,type",
	"Account_base":        "address,city,country,created_at,etag,fax,id,name,phone,postal_code,province,state,updated_at",
	"ActivityDescription_base": "accessible_to_user,category_type,created_at,currency,default,description,etag,id,name,type," +
		"updated_at,utbms_activity_id,utbms_task_id,utbms_task_name,visible_to_co_counsel," +
		"xero_service_code",
	"ActivityRate_base":                     "co_counsel_contact_id,contact_id,created_at,etag,flat_rate,id,rate,updated_at",
	"Activity_TextMessageConversation_base": "etag,id",
	"Address_base":                          "city,country,created_at,etag,id,name,postal_code,primary,province,street,updated_at",
	"Allocation_base": "amount,created_at,date,description,destroyable,etag,has_online_payment,id,interest," +
		"payment_type,updated_at,voided_at",
	"Attendee_base": "created_at,email,enabled,etag,id,name,type,updated_at",
	"AttorneyAllocation_base": "account_id,created_at,etag,id,originating_attorney_allocation,resource_id,resource_type," +
		"responsible_attorney_allocation,updated_at",
	"Avatar_base":    "_destroy,created_at,etag,id,updated_at,url",
	"Balance_base":   "amount,due,id,interest_amount,type",
	"BillTheme_base": "account_id,config,created_at,default,etag,id,name,updated_at",
	"BillingSetting_base": "apply_secondary_tax_by_default,apply_tax_by_default,billing_currencies,created_at,currency," +
		"currency_sign,etag,id,multi_currency_billing,notify_after_bill_created,rounded_duration," +
		"rounding,secondary_tax_name,secondary_tax_rate,secondary_tax_rule,tax_name,tax_rate," +
		"tax_settings,time_on_flat_rate_contingency_matters_is_non_billable,updated_at," +
		"use_decimal_rounding,use_secondary_tax,use_utbms_codes",
	"CalendarEntryEventType_base": "color,created_at,etag,id,name,updated_at",
	"Calendar_base": "color,court_rules_default_calendar,created_at,etag,id,light_color,name,permission,source," +
		"type,updated_at,visible",
	"ClientPortal_base": "created_at,etag,id,unread,unread_count,unread_notifiable_count,updated_at",
	"ClioCreator_base": "account_owner,clio_connect,court_rules_default_attendee,created_at,default_calendar_id,email," +
		"enabled,etag,first_name,id,initials,last_name,name,phone_number,rate,roles,subscription_type," +
		"time_zone,type,updated_at",
	"CommunicationEmlFile_base":      "id",
	"ConferenceMeeting_base":         "conference_id,conference_password,created_at,etag,id,join_url,source_id,type,updated_at",
	"ContingencyFee_base":            "created_at,etag,id,show_contingency_award,updated_at",
	"Currency_base":                  "code,created_at,etag,id,sign,updated_at",
	"CustomFieldSetAssociation_base": "created_at,display_order,etag,id,updated_at",
	"CustomFieldValue": "created_at,etag,field_display_order,field_displayed,field_name,field_required,field_type,id," +
		"soft_deleted,updated_at,value,contact,custom_field,matter,picklist_option",
	"Discount_base":         "early_payment_period,early_payment_rate,note,rate,type",
	"DocumentCategory_base": "created_at,etag,id,name,updated_at",
	"DocumentVersion": "content_type,created_at,document_id,etag,filename,fully_uploaded,id,put_url,received_at,size," +
		"updated_at,uuid,version_number,creator,multiparts,put_headers",
	"DocumentVersion_base": "content_type,created_at,document_id,etag,filename,fully_uploaded,id,put_url,received_at,size," +
		"updated_at,uuid,version_number",
	"EmailAddress_base":      "address,created_at,etag,id,name,primary,updated_at",
	"EvergreenRetainer_base": "created_at,etag,id,minimum_threshold,updated_at",
	"ExpenseCategory_base": "accessible_to_user,created_at,currency,description,entry_type,etag,id,input_tax_settings," +
		"name,rate,tax_setting,tax_settings,updated_at,xero_expense_code",
	"ExternalProperty_base": "created_at,etag,id,name,updated_at,value",
	"Group_base":            "client_connect_user,etag,id,name,type,updated_at",
	"InstantMessenger_base": "address,created_at,etag,id,name,updated_at",
	"Interest_base":         "balance,period,rate,total,type",
	"JobTitle_base":         "etag,id,initials,name",
	"KycFieldValue_base": "created_at,etag,field_label,field_name,field_possible_values,field_type,field_value,group,id," +
		"updated_at",
	"LegalAidUkActivity_base": "activity_sub_category,advocacy,base_rate,bolt_ons,bolt_ons_summary,court,eligible_for_sqm," +
		"expert,form_of_civil_legal_service,id,is_custom_rate,json_key,region,tax_exclusive,uplift," +
		"user_type",
	"LegalAidUkBill_base": "additional_travel_payment,adjourned_hearing_fee,advice_time,advocacy_costs,bill_type," +
		"case_concluded,case_stage_level,cla_exemption_code,cla_reference,cmrh_oral,cmrh_telephone," +
		"cost_of_counsel,costs_are_those_of,court_location,date_of_claim," +
		"designated_accredited_representative,detention_travel_and_waiting_costs,disbursements_vat," +
		"exceptional_case_funding_reference,exemption_criteria_satisfied,fee_code,follow_on_work," +
		"ho_interview,ho_ucn,id,independent_medical_reports_claimed,jr_form_filling,maat_id," +
		"meetings_attended,mht_ref_no,net_disbursements,net_profit_costs," +
		"niat_disbursement_prior_authority_number,number_of_attendances,outcome_for_the_client," +
		"prior_authority_reference,profit_costs_ex_vat,representation_order_date,stage_reached," +
		"substantive_hearing,travel_and_waiting_costs,travel_time,value_of_costs,waiting_time",
	"LegalAidUkContact_base": "disability,disability_code,ethnicity,ethnicity_title,financially_eligible,gender," +
		"gender_title,id,national_insurance_number",
	"LegalAidUkMatter_base": "access_point,ait_hearing_centre,attended_several_hearings_acting_for_multiple_clients," +
		"bill_ho_ucn,bill_number_of_attendances,bill_outcome_for_the_client_code," +
		"bill_stage_reached_code,case_reference,case_start_date,category,category_as_string," +
		"certificate_effective_date,certificate_expiration_date,certificate_number,certificate_scope," +
		"certification_type,change_of_solicitor,client_equal_opportunity_monitoring,client_type," +
		"clr_start_date,clr_total_profit_costs,cost_limit,counsel,court,court_id,court_id_code," +
		"created_at,delivery_location,dscc_number,duty_solicitor,etag," +
		"exceptional_case_funding_reference,expense_limit,fee_scheme,first_conducting_solicitor,id," +
		"irc_surgery,laa_office_number,legacy_case,legal_representation_number,lh_start_date," +
		"lh_total_disbursements,lh_total_profit_costs,linked_matter_id,local_authority_number,maat_id," +
		"matter_type,matter_type_1,matter_type_1_code,matter_type_1_title,matter_type_2," +
		"matter_type_2_code,matter_type_2_title,matter_type_code,matter_types_combined," +
		"number_of_clients,number_of_clients_seen_at_surgery,party,police_station," +
		"post_transfer_clients_represented,postal_application_accepted,prior_authority_reference," +
		"prison_id,prison_law_prior_approval_number,procurement_area,region,related_claims_number," +
		"representation_order_date,schedule_reference_number,scheme_id,session_type,solicitor_type," +
		"standard_fee_category,surgery_clients," +
		"surgery_clients_resulting_in_a_legal_help_matter_opened,surgery_date,transfer_date," +
		"type_of_advice,type_of_service,ucn,ufn,undesignated_area_court,updated_at,user_type," +
		"youth_court",
	"MatterBalance_base":               "amount,id",
	"MatterBillRecipient":              "created_at,etag,id,updated_at,recipient",
	"MatterBudget_base":                "budget,created_at,etag,id,include_expenses,notification_threshold,notify_users,updated_at",
	"MatterCustomRate":                 "on_invoice,type,rates",
	"MatterDocket_base":                "created_at,deleted_at,etag,id,name,start_date,start_time,status,updated_at",
	"MatterStage_base":                 "created_at,etag,id,name,order,practice_area_id,updated_at",
	"NotificationEventSubscriber_base": "created_at,etag,id,name,updated_at,user_id",
	"NotificationMethod_base":          "created_at,email_address,etag,id,is_default_email_address,type,updated_at",
	"Participant": "created_at,enabled,etag,id,identifier,initials,job_title_name,name,secondary_identifier,type," +
		"updated_at,avatar",
	"PaymentProfile_base": "billing_setting_id,created_at,discount_period,discount_rate,etag,id,interest_period," +
		"interest_rate,interest_type,name,terms,updated_at",
	"PhoneNumber_base":       "created_at,etag,id,name,number,primary,updated_at",
	"PicklistOption_base":    "created_at,deleted_at,etag,id,option,updated_at",
	"PolymorphicObject_base": "id,identifier,secondary_identifier,tertiary_identifier,type",
	"Reminder_base":          "created_at,duration,etag,id,next_delivery_at,state,updated_at",
	"SplitInvoicePayer_base": "contact_id,created_at,etag,id,matter_id,send_to_bill_recipients,split_portion,updated_at",
	"SplitInvoice_base": "bill_id,created_at,etag,id,linked_invoices_display_numbers,linked_invoices_ids," +
		"split_connection_id,split_portion,updated_at",
	"TaskTemplateListInstace_base": "created_at,etag,id,updated_at",
	"TaskType_base":                "created_at,deleted_at,etag,id,name,updated_at",
	"TaxSetting_base": "order,rule,tax_rate_configuration_formatted_rate,tax_rate_configuration_id," +
		"tax_rate_configuration_name,tax_rate_configuration_rate",
	"Timer_base":     "created_at,elapsed_time,etag,id,start_time,updated_at",
	"UtbmsCode_base": "code,created_at,description,etag,id,name,type,updated_at,utbms_set_id",
	"WebSite_base":   "address,created_at,default_web_site,etag,id,name,updated_at",
}
