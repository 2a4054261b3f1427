package closeio_test

import (
	"net/http"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/closeio"
	"github.com/pagewise/pagewise/internal/provider/conformance"
)

func newClose(baseURL, token string, client *http.Client) provider.Connector {
	return closeio.New(closeio.Config{BaseURL: baseURL, Token: token}, client)
}

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Provider: closeio.Name,
		New:      newClose,
		AuthText: "The API key you provided is invalid",
		Cases: []conformance.Case{
			{Resource: "lead", Strategy: "window", PageSize: 7},
			{Resource: "lead", Strategy: "offset", PageSize: 7},
			{Resource: "contact", PageSize: 5},
			{Resource: "opportunity", PageSize: 5},
			{Resource: "activity", Strategy: "offset", PageSize: 5},
			{Resource: "event", PageSize: 6},
			{Resource: "search", PageSize: 6, Query: []byte(`{"type":"object_type","object_type":"lead"}`), Dataset: "lead"},
		},
	})
}
