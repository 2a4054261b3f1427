package clever

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
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
	if v := strings.TrimSpace(resp.Header.Get("X-RateLimit-Reset")); v != "" {
		if unix, err := strconv.ParseFloat(v, 64); err == nil {
			at := time.Unix(0, int64(unix*float64(time.Second)))
			return max(at.Sub(now), 0)
		}
	}
	if v := strings.TrimSpace(resp.Header.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 {
			return time.Duration(secs * float64(time.Second))
		}
	}
	return 0
}

func fatal(resource, format string, args ...any) *provider.Error {
	return &provider.Error{Provider: Name, Resource: resource, Message: fmt.Sprintf(format, args...)}
}
