package attio

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

var wire = provider.Wire{Provider: Name, ErrorText: errorText, RetryAfter: retryAfter, TooCostly: overQueryLimit}

// overQueryLimit reads a 429 that refuses the query itself: "The score for an individual
// query may exceed the per-query limit. In this case, you should reduce the complexity of
// your query and try again" (https://docs.attio.com/rest-api/guides/rate-limiting). The
// guide promises "a clear 429 error" without its text; the reading here (and the
// sandbox's) is a rate_limit_error whose message names the per-query limit.
func overQueryLimit(body []byte) bool {
	var e errorResponse
	if json.Unmarshal(body, &e) != nil || e.Type != "rate_limit_error" {
		return false
	}
	msg := strings.ToLower(e.Message)
	return strings.Contains(msg, "per-query") || strings.Contains(msg, "per query")
}

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
