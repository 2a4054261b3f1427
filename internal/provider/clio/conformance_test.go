package clio_test

import (
	"net/http"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/clio"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

func newClio(baseURL, token string, client *http.Client) provider.Connector {
	return clio.New(clio.Config{BaseURL: baseURL, Token: token}, client)
}

var (
	// cursorBreaks: since ignored, next repeated, next on empty pages, pages out of id order.
	cursorBreaks = []sandbox.Contract{sandbox.ContractIgnoreWindow, sandbox.ContractRepeatCursor, sandbox.ContractHasMoreForever, sandbox.ContractUnsorted}
	// offsetBreaks: offset paging ignores next links and asks for its own order.
	offsetBreaks = []sandbox.Contract{sandbox.ContractIgnoreWindow}
	// unorderedBreaks: no order is sent where none is documented, so nothing can be served
	// out of it.
	unorderedBreaks = cursorBreaks[:3]
)

// fieldsGap: the default fields leave out fields the spec's record has (WholeFields).
func fieldsGap(fields string) string { return "default fields leave out " + fields }

// cases are every catalog resource under both strategies.
var cases = []conformance.Case{
	{Resource: "contacts", Strategy: "cursor", PageSize: 7, Breaks: cursorBreaks, Gap: fieldsGap("kyc_field_values require_utbms_codes")},
	{Resource: "contacts", Strategy: "offset", PageSize: 7, Breaks: offsetBreaks, Gap: fieldsGap("kyc_field_values require_utbms_codes")},
	// An export narrowed to a few fields, one nested: records are compared on those only.
	{Resource: "contacts", Strategy: "cursor", PageSize: 7, Fields: []string{"name", "custom_field_values{id,value}"}},
	{Resource: "matters", Strategy: "cursor", PageSize: 5, Breaks: cursorBreaks, Gap: fieldsGap("attorney_allocation kyc_field_values require_utbms_codes responsible_staff")},
	{Resource: "matters", Strategy: "offset", PageSize: 5, Breaks: offsetBreaks, Gap: fieldsGap("attorney_allocation kyc_field_values require_utbms_codes responsible_staff")},
	{Resource: "activities", Strategy: "cursor", PageSize: 5, Breaks: cursorBreaks, Gap: fieldsGap("input_tax_settings tax_settings")},
	{Resource: "activities", Strategy: "offset", PageSize: 5, Breaks: offsetBreaks, Gap: fieldsGap("input_tax_settings tax_settings")},
	{Resource: "tasks", Strategy: "cursor", PageSize: 6, Breaks: cursorBreaks},
	{Resource: "tasks", Strategy: "offset", PageSize: 6, Breaks: offsetBreaks},
	{Resource: "calendar_entries", Strategy: "cursor", PageSize: 6, Breaks: unorderedBreaks, Gap: fieldsGap("end_date end_time start_date start_time")},
	{Resource: "calendar_entries", Strategy: "offset", PageSize: 6, Breaks: offsetBreaks, Gap: fieldsGap("end_date end_time start_date start_time")},
	{Resource: "communications", Strategy: "cursor", PageSize: 5, Breaks: cursorBreaks},
	{Resource: "communications", Strategy: "offset", PageSize: 5, Breaks: offsetBreaks},
	{Resource: "matter_notes", Strategy: "cursor", PageSize: 6, Breaks: cursorBreaks},
	{Resource: "matter_notes", Strategy: "offset", PageSize: 6, Breaks: offsetBreaks},
	{Resource: "contact_notes", Strategy: "cursor", PageSize: 7, Breaks: cursorBreaks},
	{Resource: "contact_notes", Strategy: "offset", PageSize: 7, Breaks: offsetBreaks},
	{Resource: "documents", Strategy: "cursor", PageSize: 5, Breaks: cursorBreaks},
	{Resource: "documents", Strategy: "offset", PageSize: 5, Breaks: offsetBreaks},
	{Resource: "folders", Strategy: "cursor", PageSize: 6, Breaks: cursorBreaks},
	{Resource: "folders", Strategy: "offset", PageSize: 6, Breaks: offsetBreaks},
	{Resource: "bills", Strategy: "cursor", PageSize: 5, Breaks: cursorBreaks},
	{Resource: "bills", Strategy: "offset", PageSize: 5, Breaks: offsetBreaks},
	{Resource: "bank_accounts", Strategy: "cursor", PageSize: 6, Breaks: cursorBreaks, Gap: fieldsGap("compliance_region")},
	{Resource: "bank_accounts", Strategy: "offset", PageSize: 6, Breaks: offsetBreaks, Gap: fieldsGap("compliance_region")},
	{Resource: "bank_transactions", Strategy: "cursor", PageSize: 7, Breaks: cursorBreaks, Gap: fieldsGap("payer_payee")},
	{Resource: "bank_transactions", Strategy: "offset", PageSize: 7, Breaks: offsetBreaks, Gap: fieldsGap("payer_payee")},
	{Resource: "users", Strategy: "cursor", PageSize: 5, Breaks: cursorBreaks, Gap: fieldsGap("locale")},
	{Resource: "users", Strategy: "offset", PageSize: 5, Breaks: offsetBreaks, Gap: fieldsGap("locale")},
	{Resource: "custom_fields", Strategy: "cursor", PageSize: 6, Breaks: cursorBreaks},
	{Resource: "custom_fields", Strategy: "offset", PageSize: 6, Breaks: offsetBreaks},
	{Resource: "practice_areas", Strategy: "cursor", PageSize: 5, Breaks: cursorBreaks},
	{Resource: "practice_areas", Strategy: "offset", PageSize: 5, Breaks: offsetBreaks},
	{Resource: "relationships", Strategy: "cursor", PageSize: 6, Breaks: unorderedBreaks},
	{Resource: "relationships", Strategy: "offset", PageSize: 6, Breaks: offsetBreaks},
}

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Provider: clio.Name,
		New:      newClio,
		AuthText: "invalid access token",
		Cases:    cases,
		Params:   clio.ParamTables(),
	})
}
