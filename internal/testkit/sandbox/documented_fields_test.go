package sandbox

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/apispec"
)

// specGaps are, per provider/resource, the fields its endpoint's spec record has that the
// sandbox's records do not serve yet (issue 24: the sandbox serves every field the response
// schema lists). A resource listed here is skipped naming them; remove its entry when the
// sandbox serves them, and never add one to make a new field pass.
var specGaps = map[string]string{
	"clio/contacts":                   "kyc_field_values require_utbms_codes",
	"clio/matters":                    "attorney_allocation kyc_field_values require_utbms_codes responsible_staff",
	"clio/activities":                 "input_tax_settings tax_settings",
	"clio/calendar_entries":           "end_date end_time start_date start_time",
	"clio/bank_accounts":              "compliance_region",
	"clio/bank_transactions":          "payer_payee",
	"clio/users":                      "locale",
	"close/lead":                      "addresses contact_ids contacts contacts_summary created_by_name custom integration_links localtime opportunities primary_address_summary primary_email primary_phone recent_calls source status_id summaries tasks updated_by_name",
	"close/contact":                   "custom display_name integration_links lead_suggestions_operation_id recent_calls subscriptions timezone timezone_source updated_by urls",
	"close/opportunity":               "annualized_expected_value annualized_value attachments comment_summary contact_id contact_name created_by created_by_name custom date_lost date_won expected_value integration_links is_stalled lead_primary_email lead_primary_phone pipeline_id pipeline_name stall_status status_display_name status_id suggested_action updated_by updated_by_name user_name value_formatted",
	"close/activity_note":             "contact_id created_by created_by_name updated_by updated_by_name user_name users",
	"close/activity_call":             "contact_id created_by created_by_name outcome_id sequence_id sequence_name sequence_subscription_id source status updated_by updated_by_name user_name users",
	"close/activity_email":            "agent_action_reason agent_config_id attachments bcc body_html body_preview body_text bulk_email_action_id cc contact_id created_by created_by_name date_scheduled date_sent direction email_account_id envelope followup_sequence_add_cc_bcc followup_sequence_delay followup_sequence_id has_reply in_reply_to_id message_ids need_smtp_credentials opens opens_summary references send_as_id send_attempts sender sequence_id sequence_name sequence_subscription_id status subject template_id template_name thread_id to updated_by updated_by_name user_name users",
	"close/activity_sms":              "agent_action_reason agent_config_id contact_id cost created_by created_by_name date_scheduled date_sent direction error_message local_country_iso local_phone local_phone_formatted remote_country_iso remote_phone remote_phone_formatted sequence_id sequence_name sequence_subscription_id source status template_id text updated_by updated_by_name user_name users",
	"close/activity_whatsapp_message": "attachments contact_id created_by created_by_name direction external_whatsapp_message_id integration_link integration_name local_phone local_phone_formatted message_html message_markdown remote_phone remote_phone_formatted response_to_id sequence_id sequence_name sequence_subscription_id source text updated_by updated_by_name user_name users",
	"close/activity_form_submission":  "contact_id created_by created_by_name form_configuration_id form_id form_name ip_address origin source_url source_url_normalized updated_by updated_by_name user_name users values values_by_name",
	"close/saved_search":              "description is_user_dependent query s_query selected_fields shared_with sharing_settings user_id",
	"clever/users":                    "lms_status",
	"clever/sections":                 "course ext section_number sis_id",
	"clever/schools":                  "ext location mdr_number nces_id phone principal state_id",
	"clever/districts":                "district_contact error last_sync login_methods mdr_number nces_id pause_end pause_start portal_url",
}

// specEndpoint is the endpoint a resource's records are listed from.
func specEndpoint(s *Server, p, r string) (method, path string) {
	switch p {
	case Clio:
		return "GET", "/api/v4/" + s.apis[Clio].(*clio).actions[r].path + ".json"
	case Close:
		return "GET", closePath(r)
	case Clever:
		if r == "users" || r == "events" {
			return "GET", "/v3.1/" + r
		}
		return "GET", "/v3.0/" + r
	}
	switch {
	case slices.Contains([]string{"notes", "meetings", "tasks", "workspace_members"}, r):
		return "GET", "/v2/" + r
	case strings.HasPrefix(r, "list."):
		return "POST", "/v2/lists/{list}/entries/query"
	}
	return "POST", "/v2/objects/{object}/records/query"
}

// TestRecordsServeEverySpecField: where a spec gives a list's record fields, every one of
// them is in the sandbox's records (some record has it), so an export compared with the
// sandbox's records cannot drop a field the API documents and still pass.
func TestRecordsServeEverySpecField(t *testing.T) {
	s := New(Options{Records: 5, Seed: 11})
	for _, p := range []string{Clio, Close, Clever, Attio} {
		for _, r := range s.Resources(p) {
			t.Run(p+"/"+r, func(t *testing.T) {
				method, path := specEndpoint(s, p, r)
				e, ok := apispec.Lookup(p, method, path)
				if !ok {
					t.Fatalf("no spec facts for %s %s", method, path)
				}
				fields := e.RecordFields()
				if p == Clever { // each item wraps its record in data
					if i := slices.IndexFunc(fields, func(f apispec.Field) bool { return f.Name == "data" }); i >= 0 {
						fields = e.Nested(fields[i])
					}
				}
				if len(fields) == 0 {
					t.Skipf("the spec gives no record fields for %s %s", method, path)
				}
				served := map[string]bool{}
				for _, rec := range s.Dataset(p, r) {
					var m map[string]json.RawMessage
					if err := json.Unmarshal(rec, &m); err != nil {
						t.Fatal(err)
					}
					for k := range m {
						served[k] = true
						// Close's custom.cf_<id> keys are what _fields=custom names.
						if parent, _, ok := strings.Cut(k, "."); ok {
							served[parent] = true
						}
					}
				}
				var missing []string
				for _, f := range fields {
					if !served[f.Name] && !strings.HasSuffix(f.Name, "*") {
						missing = append(missing, f.Name)
					}
				}
				slices.Sort(missing)
				got, gap := strings.Join(missing, " "), specGaps[p+"/"+r]
				switch {
				case got == "":
					if gap != "" {
						t.Errorf("every spec field is served now: remove specGaps[%q]", p+"/"+r)
					}
				case got == gap:
					t.Skipf("issue 24 gap: the sandbox does not serve %s", gap)
				default:
					t.Errorf("%s %s's spec record has fields the sandbox does not serve: %s", method, e.Path, got)
				}
			})
		}
	}
}
