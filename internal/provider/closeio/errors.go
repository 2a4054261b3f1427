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

// plain is the text of an error field: a string, a list of strings, or an object's
// message. Anything else is left out: it could echo the request's data.
func plain(raw json.RawMessage) string {
	var s string
	var list []string
	var obj struct{ Message string }
	switch {
	case json.Unmarshal(raw, &s) == nil:
		return s
	case json.Unmarshal(raw, &list) == nil:
		return strings.Join(list, "; ")
	case json.Unmarshal(raw, &obj) == nil && obj.Message != "":
		return obj.Message
	}
	return "(details not shown)"
}

// retryAfter reads error.rate_reset (fractional seconds) from the body, else the reset of
// the RateLimit header, else Retry-After.
func retryAfter(resp *http.Response, body []byte, now time.Time) time.Duration {
	var e errorResponse
	var rl rateLimitError
	if json.Unmarshal(body, &e) == nil && json.Unmarshal(e.Error, &rl) == nil && rl.RateReset != nil {
		if d := provider.Seconds(*rl.RateReset); d > 0 {
			return d
		}
	}
	if d := rateLimitReset(resp.Header.Get("RateLimit")); d > 0 {
		return d
	}
	return provider.RetryAfter(resp.Header.Get("Retry-After"), now)
}

// rateLimitReset reads reset= from Close's RateLimit header, whose pairs are seen separated
// by "," and by ";" (limit=160; remaining=159; reset=8).
func rateLimitReset(h string) time.Duration {
	for part := range strings.FieldsFuncSeq(h, func(r rune) bool { return r == ',' || r == ';' }) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "reset="); ok {
			if secs, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				return provider.Seconds(secs)
			}
		}
	}
	return 0
}

func fatal(resource, format string, args ...any) *provider.Error {
	return &provider.Error{Provider: Name, Resource: resource, Message: fmt.Sprintf(format, args...)}
}
