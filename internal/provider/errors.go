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
	// TooCostly is a rate-limit answer that refuses the request itself as over a per-request
	// cost limit (Attio's per-query score): never retryable as it is.
	TooCostly bool
	// Contract is true when the API broke its documented paging contract (a page out of
	// order or outside the window asked for, a cursor seen before, has_more that never
	// ends). Never retryable: the same request would get the same answer.
	Contract bool
	// Credentials is true when the API refused the credential (401, 403) or the worker
	// could not read it: mid-export, the export waits for it to work again.
	Credentials bool
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

// Broken is the non-retryable error for an API that broke its paging contract on the page
// at at. The formatted text says what the API did, naming records by id or timestamp only,
// never by their data.
func Broken(providerName, resource string, at Position, format string, args ...any) *Error {
	return &Error{
		Provider: providerName,
		Resource: resource,
		Contract: true,
		Message:  fmt.Sprintf("broken paging contract at %s: %s", at.Describe(), fmt.Sprintf(format, args...)),
	}
}

// NoCredential is the error for a token the worker could not read.
func NoCredential(providerName, resource string, err error) *Error {
	return &Error{Provider: providerName, Resource: resource, Credentials: true, Message: err.Error()}
}

// Invalid is a non-retryable error for a Spec field that can never work.
func Invalid(providerName, field, format string, args ...any) *Error {
	return &Error{
		Provider: providerName,
		Message:  fmt.Sprintf("invalid %s: %s", field, fmt.Sprintf(format, args...)),
	}
}
