package attio_test

import (
	"net/http"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/attio"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

func newAttio(baseURL, token string, client *http.Client) provider.Connector {
	return attio.New(attio.Config{BaseURL: baseURL, Token: token}, client)
}

// sortedWalk: full pages past the end repeat the last records; the order asked for can be
// ignored. It applies to everything paged by offset in created_at order.
var sortedWalk = []sandbox.Contract{sandbox.ContractHasMoreForever, sandbox.ContractUnsorted}

// cases covers every Catalog row the sandbox serves (TestCatalogRowsHaveCases).
var cases = []conformance.Case{
	{Resource: "notes", PageSize: 7, Breaks: []sandbox.Contract{sandbox.ContractHasMoreForever}},
	{Resource: "meetings", PageSize: 6, Breaks: []sandbox.Contract{sandbox.ContractRepeatCursor, sandbox.ContractGrowingCursor}},
	{Resource: "tasks", PageSize: 7, Breaks: sortedWalk},
	{Resource: "workspace_members", PageSize: 5, OnePage: true},
	{Resource: "people", PageSize: 7, Breaks: sortedWalk},
	{Resource: "companies", PageSize: 5, Breaks: sortedWalk},
	{Resource: "deals", PageSize: 5, Breaks: sortedWalk},
	{Resource: "invoices", PageSize: 5, Breaks: sortedWalk},
	{Resource: "list.sales_pipeline", PageSize: 6, Breaks: sortedWalk},
	{Resource: "list.recruiting", PageSize: 4, Breaks: sortedWalk},
}

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Provider: attio.Name,
		New:      newAttio,
		AuthText: "invalid bearer token",
		Cases:    cases,
		Params:   attio.ParamTables(),
	})
}
