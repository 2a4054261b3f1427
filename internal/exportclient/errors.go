package exportclient

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
)

// Error is a refusal with what to do instead: the starter prints Msg, then Hint.
type Error struct {
	Msg  string
	Hint string
}

func (e *Error) Error() string { return e.Msg }

func hinted(hint, format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// Cause is the innermost failure Temporal reported under err: the application error an
// activity or the workflow raised, a cancellation or a timeout, without the SDK's layers
// ("workflow execution error (type: Export, …): activity error (…): …").
func Cause(err error) error {
	var cause error
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch e.(type) {
		case *temporal.ApplicationError, *temporal.CanceledError, *temporal.TimeoutError, *temporal.TerminatedError:
			cause = e
		}
	}
	if cause == nil {
		return err
	}
	return cause
}

// Describe is Cause as one line: "InvalidInput: invalid page_size …", or "cancelled".
func Describe(err error) string {
	c := Cause(err)
	var app *temporal.ApplicationError
	var cancelled *temporal.CanceledError
	var terminated *temporal.TerminatedError
	var timeout *temporal.TimeoutError
	switch {
	case errors.As(c, &app):
		msg := app.Message()
		if app.Type() != "" {
			msg = app.Type() + ": " + msg
		}
		return msg
	case errors.As(c, &cancelled):
		return "cancelled"
	case errors.As(c, &terminated):
		return "terminated"
	case errors.As(c, &timeout):
		return "timed out (" + timeout.TimeoutType().String() + ")"
	}
	return c.Error()
}
