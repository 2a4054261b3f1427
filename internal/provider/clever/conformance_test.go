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

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Provider: clever.Name,
		New:      newClever,
		AuthText: "missing or invalid bearer token",
		// has-more-forever does not apply: Clever documents the empty page a trailing next
		// link leads to as the end (TestHasMoreForeverEnds).
		Cases: []conformance.Case{
			{Resource: "users", PageSize: 7, Breaks: breaks},
			{Resource: "sections", PageSize: 5, Breaks: breaks},
			{Resource: "schools", PageSize: 5, Breaks: breaks},
			{Resource: "terms", PageSize: 4, Breaks: breaks},
		},
	})
}
