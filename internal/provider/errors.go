package provider

import (
	"fmt"
	"strings"
	"time"
)

// Error is a failed request, classified once by the connector that made it.
type Error struct {
	Provider string
	Resource string
	Status   int // HTTP status, 0 when no response arrived
	// Message is the API's own error text, or what went wrong on the wire.
	Message   string
	Retryable bool
	// RetryAfter is the delay the API asked for (429), zero when it said nothing.
	RetryAfter time.Duration
	// RateLimited is true for a rate-limit answer.
	RateLimited bool
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Status != 0 {
		msg = fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
	}
	// Validation errors may have no resource, and an unknown provider no provider.
	if where := strings.TrimSpace(e.Provider + " " + e.Resource); where != "" {
		return where + ": " + msg
	}
	return msg
}

// Invalid is a non-retryable error for a Spec field that can never work.
func Invalid(providerName, field, format string, args ...any) *Error {
	return &Error{
		Provider: providerName,
		Message:  fmt.Sprintf("invalid %s: %s", field, fmt.Sprintf(format, args...)),
	}
}
