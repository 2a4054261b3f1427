package closeio_test

import (
	"net/http"
	"strings"
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

// objectResource is the export of the sandbox's first custom object type; its ids do not
// depend on the seed.
var objectResource = func() string {
	for _, r := range sandbox.New(sandbox.Options{}).Resources(closeio.Name) {
		if strings.HasPrefix(r, "custom_object.") {
			return r
		}
	}
	return "custom_object.none"
}()

// cases are one per resource and strategy; TestCatalogHasConformanceCases holds the
// catalog to them.
var cases = []conformance.Case{
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
	{Resource: "task", Strategy: "window", PageSize: 5, Breaks: []sandbox.Contract{window, forever, unsorted}},
	{Resource: "task", Strategy: "offset", PageSize: 5, Breaks: []sandbox.Contract{window, forever, unsorted}},
	{Resource: "user", PageSize: 4, Breaks: []sandbox.Contract{forever}},
	{Resource: "activity_note", PageSize: 5, Breaks: []sandbox.Contract{forever}},
	{Resource: "activity_call", PageSize: 5, Breaks: []sandbox.Contract{forever}},
	{Resource: "activity_email", PageSize: 5, Breaks: []sandbox.Contract{forever}},
	{Resource: "activity_emailthread", PageSize: 5, Breaks: []sandbox.Contract{forever}},
	{Resource: "activity_sms", PageSize: 5, Breaks: []sandbox.Contract{forever}},
	{Resource: "activity_whatsapp_message", PageSize: 5, Breaks: []sandbox.Contract{forever}},
	{Resource: "activity_meeting", PageSize: 5, Breaks: []sandbox.Contract{forever}},
	{Resource: "activity_custom", PageSize: 5, Breaks: []sandbox.Contract{forever}},
	{Resource: "activity_created", PageSize: 5, Breaks: []sandbox.Contract{forever}},
	{Resource: "activity_form_submission", PageSize: 5, Breaks: []sandbox.Contract{forever}},
	{Resource: "activity_status_change_lead", PageSize: 5, Breaks: []sandbox.Contract{forever}},
	{Resource: "activity_status_change_opportunity", PageSize: 5, Breaks: []sandbox.Contract{forever}},
	{Resource: "activity_lead_merge", PageSize: 5, Breaks: []sandbox.Contract{forever}},
	{Resource: "activity_task_completed", PageSize: 5, Breaks: []sandbox.Contract{forever}},
	{Resource: "custom_field_lead", PageSize: 4, Breaks: []sandbox.Contract{forever}},
	{Resource: "custom_field_contact", PageSize: 4, Breaks: []sandbox.Contract{forever}},
	{Resource: "custom_field_opportunity", PageSize: 4, Breaks: []sandbox.Contract{forever}},
	{Resource: "custom_field_activity", PageSize: 4, Breaks: []sandbox.Contract{forever}},
	{Resource: "custom_field_custom_object_type", PageSize: 4, OnePage: true, Breaks: []sandbox.Contract{forever}},
	{Resource: "custom_field_shared", PageSize: 4, OnePage: true, Breaks: []sandbox.Contract{forever}},
	{Resource: "sequence", PageSize: 4, Breaks: []sandbox.Contract{forever}},
	{Resource: "saved_search", PageSize: 4, Breaks: []sandbox.Contract{forever}},
	{Resource: "email_template", PageSize: 4, Breaks: []sandbox.Contract{forever}},
	{Resource: "sms_template", PageSize: 4, Breaks: []sandbox.Contract{forever}},
	{Resource: "pipeline", PageSize: 4, OnePage: true, Breaks: []sandbox.Contract{forever}},
	{Resource: "status_lead", PageSize: 4, OnePage: true, Breaks: []sandbox.Contract{forever}},
	{Resource: "status_opportunity", PageSize: 4, OnePage: true, Breaks: []sandbox.Contract{forever}},
	{Resource: "custom_activity", PageSize: 4, OnePage: true, Breaks: []sandbox.Contract{forever}},
	{Resource: "custom_object_type", PageSize: 4, OnePage: true, Breaks: []sandbox.Contract{forever}},
	// Two leads' custom objects a page: each lead is one request more, and every request
	// can fail in the Flaky check.
	{Resource: objectResource, PageSize: 2, Breaks: []sandbox.Contract{forever}},
}

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Provider: closeio.Name,
		New:      newClose,
		AuthText: "The API key you provided is invalid",
		// Runs of three tied date_created values, so order and windows show in a few pages.
		// Custom objects are read lead by lead: about two a lead keeps their exports
		// within the pages the suite allows.
		Tune: func(opts *sandbox.Options) {
			opts.CloseTieRun = 3
			if n, ok := opts.Sizes["close/"+objectResource]; ok {
				opts.Sizes["close/lead"] = n/2 + 1
			}
		},
		Cases:  cases,
		Params: closeio.ParamTables(),
	})
}
