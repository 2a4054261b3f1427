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
)

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Provider: clio.Name,
		New:      newClio,
		AuthText: "invalid access token",
		Cases: []conformance.Case{
			{Resource: "contacts", Strategy: "cursor", PageSize: 7, Breaks: cursorBreaks},
			{Resource: "contacts", Strategy: "offset", PageSize: 7, Breaks: offsetBreaks},
			{Resource: "matters", Strategy: "cursor", PageSize: 5, Breaks: cursorBreaks},
			{Resource: "matters", Strategy: "offset", PageSize: 5, Breaks: offsetBreaks},
			{Resource: "activities", Strategy: "cursor", PageSize: 5, Breaks: cursorBreaks},
			{Resource: "activities", Strategy: "offset", PageSize: 5, Breaks: offsetBreaks},
			// No order is sent here (none is documented), so nothing can be served out of it.
			{Resource: "calendar_entries", Strategy: "cursor", PageSize: 6, Breaks: cursorBreaks[:3]},
			{Resource: "calendar_entries", Strategy: "offset", PageSize: 6, Breaks: offsetBreaks},
		},
	})
}
