package attio

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

var wire = provider.Wire{Provider: Name, ErrorText: errorText, RetryAfter: retryAfter}

// errorText reads {"status_code":..,"type":..,"code":..,"message":..}.
func errorText(body []byte) string {
	var e errorResponse
	if json.Unmarshal(body, &e) != nil || e.Message == "" {
		return provider.JSONError(body, "message", "error")
	}
	if e.Code == "" {
		return e.Message
	}
	return e.Code + ": " + e.Message
}

// retryAfter reads Retry-After, which Attio sends as an HTTP date rather than seconds.
func retryAfter(resp *http.Response, _ []byte, now time.Time) time.Duration {
	return provider.RetryAfter(resp.Header.Get("Retry-After"), now)
}

func fatal(resource, format string, args ...any) *provider.Error {
	return &provider.Error{Provider: Name, Resource: resource, Message: fmt.Sprintf(format, args...)}
}
