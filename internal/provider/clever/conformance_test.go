package clever_test

import (
	"net/http"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/clever"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

func newClever(baseURL, token string, client *http.Client) provider.Connector {
	return clever.New(clever.Config{BaseURL: baseURL, Token: token}, client)
}

var breaks = []sandbox.Contract{sandbox.ContractRepeatCursor, sandbox.ContractUnsorted}

// cases holds one Case per Catalog row at least (TestCatalog checks).
var cases = []conformance.Case{
	{Resource: "districts", PageSize: 5, OnePage: true},
	{Resource: "schools", PageSize: 5, Breaks: breaks},
	{Resource: "users", PageSize: 7, Breaks: breaks},
	{Resource: "sections", PageSize: 5, Breaks: breaks},
	{Resource: "courses", PageSize: 4, Breaks: breaks},
	{Resource: "terms", PageSize: 4, Breaks: breaks},
	{Resource: "resources", PageSize: 3, Breaks: breaks},
	{Resource: "events", PageSize: 6, Breaks: breaks},
}

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Provider: clever.Name,
		New:      newClever,
		AuthText: "missing or invalid bearer token",
		// has-more-forever does not apply: Clever documents the empty page a trailing next
		// link leads to as the end (TestHasMoreForeverEnds).
		Cases:  cases,
		Params: clever.ParamTables(),
	})
}
