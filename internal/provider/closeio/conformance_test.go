package closeio_test

import (
	"net/http"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/closeio"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

func newClose(baseURL, token string, client *http.Client) provider.Connector {
	return closeio.New(closeio.Config{BaseURL: baseURL, Token: token}, client)
}

var (
	window   = sandbox.ContractIgnoreWindow
	repeat   = sandbox.ContractRepeatCursor
	forever  = sandbox.ContractHasMoreForever
	unsorted = sandbox.ContractUnsorted
)

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Provider: closeio.Name,
		New:      newClose,
		AuthText: "The API key you provided is invalid",
		// Runs of three tied date_created values, so order and windows show in a few pages.
		Tune: func(opts *sandbox.Options) { opts.CloseTieRun = 3 },
		Cases: []conformance.Case{
			{Resource: "lead", Strategy: "window", PageSize: 7, Breaks: []sandbox.Contract{window, repeat, forever, unsorted}},
			{Resource: "lead", Strategy: "offset", PageSize: 7, Breaks: []sandbox.Contract{forever}},
			{Resource: "contact", Strategy: "window", PageSize: 5, Breaks: []sandbox.Contract{window, repeat, forever, unsorted}},
			{Resource: "contact", Strategy: "offset", PageSize: 5, Breaks: []sandbox.Contract{forever}},
			{Resource: "opportunity", Strategy: "window", PageSize: 5, Breaks: []sandbox.Contract{window, forever, unsorted}},
			{Resource: "opportunity", Strategy: "offset", PageSize: 5, Breaks: []sandbox.Contract{window, forever, unsorted}},
			{Resource: "activity", Strategy: "window", PageSize: 5, Breaks: []sandbox.Contract{window, forever, unsorted}},
			{Resource: "activity", Strategy: "offset", PageSize: 5, Breaks: []sandbox.Contract{window, forever, unsorted}},
			{Resource: "event", PageSize: 6, Breaks: []sandbox.Contract{window, repeat, forever}},
			{Resource: "search", PageSize: 6, Query: []byte(`{"type":"object_type","object_type":"lead"}`), Dataset: "lead", Breaks: []sandbox.Contract{repeat, forever}},
		},
	})
}
