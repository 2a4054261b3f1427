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

// records: full pages past the end repeat the last records; sorts can be ignored.
var records = []sandbox.Contract{sandbox.ContractHasMoreForever, sandbox.ContractUnsorted}

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Provider: attio.Name,
		New:      newAttio,
		AuthText: "invalid bearer token",
		Cases: []conformance.Case{
			{Resource: "notes", PageSize: 7, Breaks: []sandbox.Contract{sandbox.ContractHasMoreForever}},
			{Resource: "people", PageSize: 7, Breaks: records},
			{Resource: "companies", PageSize: 5, Breaks: records},
			{Resource: "deals", PageSize: 5, Breaks: records},
			{Resource: "meetings", PageSize: 6, Breaks: []sandbox.Contract{sandbox.ContractRepeatCursor}},
		},
	})
}
