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
	// cursorBreaks: since ignored, next repeated, next on empty pages, pages out of id order
	// (cursor pages come by id ascending, with or without a documented order).
	cursorBreaks = []sandbox.Contract{sandbox.ContractIgnoreWindow, sandbox.ContractRepeatCursor, sandbox.ContractHasMoreForever, sandbox.ContractUnsorted}
	// offsetBreaks: offset paging ignores next links and asks for its own order.
	offsetBreaks = []sandbox.Contract{sandbox.ContractIgnoreWindow}
)

// cases are every catalog resource under both strategies.
var cases = []conformance.Case{
	{Resource: "contacts", Strategy: "cursor", PageSize: 7, Breaks: cursorBreaks},
	{Resource: "contacts", Strategy: "offset", PageSize: 7, Breaks: offsetBreaks},
	// An export narrowed to a few fields, one nested: records are compared on those only.
	{Resource: "contacts", Strategy: "cursor", PageSize: 7, Fields: []string{"name", "custom_field_values{id,value}"}},
	{Resource: "matters", Strategy: "cursor", PageSize: 5, Breaks: cursorBreaks},
	{Resource: "matters", Strategy: "offset", PageSize: 5, Breaks: offsetBreaks},
	{Resource: "activities", Strategy: "cursor", PageSize: 5, Breaks: cursorBreaks},
	{Resource: "activities", Strategy: "offset", PageSize: 5, Breaks: offsetBreaks},
	{Resource: "tasks", Strategy: "cursor", PageSize: 6, Breaks: cursorBreaks},
	{Resource: "tasks", Strategy: "offset", PageSize: 6, Breaks: offsetBreaks},
	{Resource: "calendar_entries", Strategy: "cursor", PageSize: 6, Breaks: cursorBreaks},
	{Resource: "calendar_entries", Strategy: "offset", PageSize: 6, Breaks: offsetBreaks},
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
	{Resource: "bank_accounts", Strategy: "cursor", PageSize: 6, Breaks: cursorBreaks},
	{Resource: "bank_accounts", Strategy: "offset", PageSize: 6, Breaks: offsetBreaks},
	{Resource: "bank_transactions", Strategy: "cursor", PageSize: 7, Breaks: cursorBreaks},
	{Resource: "bank_transactions", Strategy: "offset", PageSize: 7, Breaks: offsetBreaks},
	{Resource: "users", Strategy: "cursor", PageSize: 5, Breaks: cursorBreaks},
	{Resource: "users", Strategy: "offset", PageSize: 5, Breaks: offsetBreaks},
	{Resource: "custom_fields", Strategy: "cursor", PageSize: 6, Breaks: cursorBreaks},
	{Resource: "custom_fields", Strategy: "offset", PageSize: 6, Breaks: offsetBreaks},
	{Resource: "practice_areas", Strategy: "cursor", PageSize: 5, Breaks: cursorBreaks},
	{Resource: "practice_areas", Strategy: "offset", PageSize: 5, Breaks: offsetBreaks},
	{Resource: "relationships", Strategy: "cursor", PageSize: 6, Breaks: cursorBreaks},
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
