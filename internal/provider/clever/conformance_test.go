package clever_test

import (
	"net/http"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/clever"
	"github.com/pagewise/pagewise/internal/provider/conformance"
)

func newClever(baseURL, token string, client *http.Client) provider.Connector {
	return clever.New(clever.Config{BaseURL: baseURL, Token: token}, client)
}

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Provider: clever.Name,
		New:      newClever,
		AuthText: "missing or invalid bearer token",
		Cases: []conformance.Case{
			{Resource: "users", PageSize: 7},
			{Resource: "sections", PageSize: 5},
			{Resource: "schools", PageSize: 5},
		},
	})
}
