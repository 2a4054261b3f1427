package attio_test

import (
	"net/http"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/attio"
	"github.com/pagewise/pagewise/internal/provider/conformance"
)

func newAttio(baseURL, token string, client *http.Client) provider.Connector {
	return attio.New(attio.Config{BaseURL: baseURL, Token: token}, client)
}

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Provider: attio.Name,
		New:      newAttio,
		AuthText: "invalid bearer token",
		Cases: []conformance.Case{
			{Resource: "notes", PageSize: 7},
			{Resource: "people", PageSize: 7},
			{Resource: "companies", PageSize: 5},
			{Resource: "deals", PageSize: 5},
			{Resource: "meetings", PageSize: 6},
		},
	})
}
