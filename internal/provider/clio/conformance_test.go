package clio_test

import (
	"net/http"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/clio"
	"github.com/pagewise/pagewise/internal/provider/conformance"
)

func newClio(baseURL, token string, client *http.Client) provider.Connector {
	return clio.New(clio.Config{BaseURL: baseURL, Token: token}, client)
}

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Provider: clio.Name,
		New:      newClio,
		AuthText: "invalid access token",
		Cases: []conformance.Case{
			{Resource: "contacts", Strategy: "cursor", PageSize: 7},
			{Resource: "contacts", Strategy: "offset", PageSize: 7},
			{Resource: "matters", PageSize: 5},
			{Resource: "activities", Strategy: "offset", PageSize: 5},
		},
	})
}
