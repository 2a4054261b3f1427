package exportclient

import (
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/workflows"
)

// TestCheckRefusesWhatTheWorkerRefuses: the inputs the issue saw fail as workflows are
// refused before starting, with the worker's own message and a hint; good ones pass.
func TestCheckRefusesWhatTheWorkerRefuses(t *testing.T) {
	bad := []struct {
		in   workflows.ExportInput
		want string
		hint string
	}{
		{workflows.ExportInput{Provider: "hubspot", Resource: "contacts"}, `invalid provider: "hubspot"`, "clio, attio, close and clever"},
		{workflows.ExportInput{Provider: "close", Resource: "lead", ExportID: "acme/close-lead"}, `invalid export_id "acme/close-lead"`, "one folder name"},
		{workflows.ExportInput{Provider: "close", Resource: "lead", ExportID: "my export"}, `invalid export_id "my export"`, "one folder name"},
		{workflows.ExportInput{Provider: "clio", Resource: "leads"}, `"leads" is not a clio resource`, "starter resources"},
		{workflows.ExportInput{Provider: "clio", Resource: "contacts", PageSize: 5000}, "page", "starter export -h"},
		{workflows.ExportInput{Provider: "close", Resource: "lead", Parallelism: 99}, "invalid parallelism 99", "starter export -h"},
	}
	for _, c := range bad {
		err := Check(c.in)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Msg, c.want) || !strings.Contains(e.Hint, c.hint) {
			t.Errorf("%+v: %v, want %q with a hint naming %q", c.in, err, c.want, c.hint)
			continue
		}
		if strings.Contains(e.Msg, "workflow execution error") || strings.Contains(e.Msg, "InvalidInput") {
			t.Errorf("%+v: message keeps the SDK's layers: %s", c.in, e.Msg)
		}
	}
	for _, in := range []workflows.ExportInput{
		{Provider: "clio", Resource: "contacts", PageSize: 200},
		{Provider: "close", Resource: "lead", Strategy: "window", Parallelism: 4},
		{Provider: "attio", Resource: "some_object_only_the_worker_knows"},
		{Provider: "clever", Resource: "users", Prefix: "sis/clever"},
	} {
		if err := Check(in); err != nil {
			t.Errorf("%+v refused: %v", in, err)
		}
	}
}

// TestCauseUnwrapsTheSDKLayers: a workflow failure caused by an activity's application
// error is printed as that error alone.
func TestCauseUnwrapsTheSDKLayers(t *testing.T) {
	inner := temporal.NewNonRetryableApplicationError("invalid page_size 20000: at most 200", "InvalidInput", nil)
	wrapped := temporal.NewApplicationErrorWithCause("activity failed", "Wrapper", inner)
	if got := Describe(wrapped); got != "InvalidInput: invalid page_size 20000: at most 200" {
		t.Fatalf("Describe = %q", got)
	}
	if got := Describe(temporal.NewCanceledError()); got != "cancelled" {
		t.Fatalf("Describe(cancelled) = %q", got)
	}
}
