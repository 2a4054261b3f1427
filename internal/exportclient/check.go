package exportclient

import (
	"errors"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/attio"
	"github.com/pagewise/pagewise/workflows"
)

// Check runs the checks the worker runs on an export's input before it starts: the
// workflow's own (ValidateInput) and the provider's Validate, offline. Input refused here
// would fail the workflow at once. What only the worker's environment can judge (its
// tokens, an Attio object named in its ATTIO_OBJECTS) is left to it.
func Check(in workflows.ExportInput) error {
	if err := workflows.ValidateInput(in); err != nil {
		return inputError(err)
	}
	conn, err := offlineRegistry().Get(in.Provider, "")
	if err != nil {
		return inputError(err)
	}
	spec := provider.Spec{Resource: in.Resource, Strategy: in.Strategy, PageSize: in.PageSize,
		Fields: in.Fields, Filters: in.Filters, Query: in.Query, Since: in.Since}
	if _, err := conn.Validate(spec); err != nil {
		if in.Provider == attio.Name && strings.Contains(err.Error(), "invalid resource") {
			return nil // maybe one of the worker's ATTIO_OBJECTS
		}
		return inputError(err)
	}
	return nil
}

// CheckAccount is Check for an account export: its own checks, and a known provider.
func CheckAccount(in workflows.AccountInput) error {
	if err := workflows.ValidateAccountInput(in); err != nil {
		return inputError(err)
	}
	if _, err := offlineRegistry().Get(in.Provider, ""); err != nil {
		return inputError(err)
	}
	return nil
}

// inputError is a refusal's own message, with where to look for what is allowed.
func inputError(err error) error {
	msg := err.Error()
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		msg = app.Message()
	}
	hint := "starter export -h lists every flag and its bounds"
	switch {
	case strings.Contains(msg, "invalid provider"):
		hint = "the providers are clio, attio, close and clever"
	case strings.Contains(msg, "invalid resource"):
		hint = "starter resources --provider NAME lists what an account holds"
	case strings.Contains(msg, "export_id") || strings.Contains(msg, "prefix"):
		hint = "an export id is one folder name: e.g. acme-close-leads, not acme/close-leads"
	}
	return &Error{Msg: msg, Hint: hint}
}
