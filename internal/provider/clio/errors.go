package clio

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

var wire = provider.Wire{Provider: Name, ErrorText: errorText, RetryAfter: retryAfter}

// errorText reads {"error":{"type":..,"message":..}}.
func errorText(body []byte) string {
	var e errorResponse
	if json.Unmarshal(body, &e) != nil || (e.Error.Message == "" && e.Error.Type == "") {
		return provider.JSONError(body, "error", "message")
	}
	if e.Error.Type == "" {
		return e.Error.Message
	}
	return e.Error.Type + ": " + e.Error.Message
}

// retryAfter reads Retry-After (seconds), falling back to X-RateLimit-Reset (Unix time).
func retryAfter(resp *http.Response, _ []byte, now time.Time) time.Duration {
	if d := provider.RetryAfter(resp.Header.Get("Retry-After"), now); d > 0 {
		return d
	}
	return provider.ResetAt(resp.Header.Get("X-RateLimit-Reset"), now)
}

// fatal is a non-retryable error about resource that no retry can fix.
func fatal(resource, format string, args ...any) *provider.Error {
	return &provider.Error{Provider: Name, Resource: resource, Message: fmt.Sprintf(format, args...)}
}
