package closeio

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

var wire = provider.Wire{Provider: Name, ErrorText: errorText, RetryAfter: retryAfter}

// errorText reads Close's error shapes: a string, an object with a message, or field errors.
func errorText(body []byte) string {
	var e errorResponse
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	var parts []string
	var s string
	var rl rateLimitError
	switch {
	case json.Unmarshal(e.Error, &s) == nil && s != "":
		parts = append(parts, s)
	case json.Unmarshal(e.Error, &rl) == nil && rl.Message != "":
		parts = append(parts, rl.Message)
	}
	for _, raw := range e.Errors {
		parts = append(parts, plain(raw))
	}
	keys := make([]string, 0, len(e.FieldErrors))
	for k := range e.FieldErrors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		parts = append(parts, k+": "+plain(e.FieldErrors[k]))
	}
	return strings.Join(parts, "; ")
}

// plain is a JSON string's text, or the raw JSON of anything else.
func plain(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// retryAfter reads error.rate_reset (fractional seconds) from the body, else the reset of
// the RateLimit header, else Retry-After.
func retryAfter(resp *http.Response, body []byte, now time.Time) time.Duration {
	var e errorResponse
	var rl rateLimitError
	if json.Unmarshal(body, &e) == nil && json.Unmarshal(e.Error, &rl) == nil && rl.RateReset != nil && *rl.RateReset > 0 {
		return seconds(*rl.RateReset)
	}
	for part := range strings.SplitSeq(resp.Header.Get("RateLimit"), ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "reset="); ok {
			if secs, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && secs > 0 {
				return seconds(secs)
			}
		}
	}
	if v := strings.TrimSpace(resp.Header.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 {
			return seconds(secs)
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0)
		}
	}
	return 0
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func fatal(resource, format string, args ...any) *provider.Error {
	return &provider.Error{Provider: Name, Resource: resource, Message: fmt.Sprintf(format, args...)}
}
