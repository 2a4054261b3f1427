package clever

import (
	"fmt"
	"net/http"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

var wire = provider.Wire{Provider: Name, ErrorText: errorText, RetryAfter: retryAfter}

// errorText reads {"error": "..."} or {"message": "..."}.
func errorText(body []byte) string {
	return provider.JSONError(body, "error", "message")
}

// retryAfter reads X-RateLimit-Reset (Unix seconds): Clever's 429 has an empty body.
func retryAfter(resp *http.Response, _ []byte, now time.Time) time.Duration {
	if d := provider.ResetAt(resp.Header.Get("X-RateLimit-Reset"), now); d > 0 {
		return d
	}
	return provider.RetryAfter(resp.Header.Get("Retry-After"), now)
}

func fatal(resource, format string, args ...any) *provider.Error {
	return &provider.Error{Provider: Name, Resource: resource, Message: fmt.Sprintf(format, args...)}
}
