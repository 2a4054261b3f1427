package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// maxBody bounds one response: Clever pages of 10,000 records are the largest we ask for.
const maxBody = 256 << 20

// Wire is what a connector tells Call about its provider's error and rate-limit shapes.
type Wire struct {
	Provider string
	// ErrorText extracts the API's own error message from a non-2xx body.
	ErrorText func(body []byte) string
	// RetryAfter reads the delay a 429 asks for; zero means "use backoff".
	RetryAfter func(resp *http.Response, body []byte, now time.Time) time.Duration
}

// Call sends req, paced by pacer (may be nil), and returns the body of a 2xx answer.
// Every failure is an *Error: transport faults and 5xx are retryable, 429 carries the
// provider's delay, other 4xx are fatal.
func Call(ctx context.Context, client *http.Client, pacer *Pacer, w Wire, resource string, req *http.Request) ([]byte, error) {
	if err := pacer.Wait(ctx); err != nil {
		return nil, err
	}
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		observe(ctx, w.Provider, 0)
		return nil, &Error{Provider: w.Provider, Resource: resource, Message: "request failed: " + redactURL(err.Error()), Retryable: true}
	}
	defer func() { _ = resp.Body.Close() }()
	observe(ctx, w.Provider, resp.StatusCode)
	body, err := readBody(resp.Body)
	if err != nil {
		return nil, &Error{Provider: w.Provider, Resource: resource, Status: resp.StatusCode, Message: "reading body: " + err.Error(), Retryable: true}
	}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return body, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		e := &Error{Provider: w.Provider, Resource: resource, Status: resp.StatusCode, Retryable: true, RateLimited: true,
			Message: "rate limited"}
		if w.RetryAfter != nil {
			e.RetryAfter = w.RetryAfter(resp, body, time.Now())
		}
		pacer.Backoff(e.RetryAfter)
		return nil, e
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		return nil, &Error{Provider: w.Provider, Resource: resource, Status: resp.StatusCode, Retryable: true, Message: errorText(w, resp, body)}
	default:
		return nil, &Error{Provider: w.Provider, Resource: resource, Status: resp.StatusCode, Message: errorText(w, resp, body)}
	}
}

// bodyBuffers hold responses while they are read: growing a fresh slice to a 40 KB page
// allocated about three times its size, the largest share of a worker's garbage.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readBody reads at most maxBody bytes into a pooled buffer and returns an exact copy.
func readBody(r io.Reader) ([]byte, error) {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer bodyBuffers.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(r, maxBody)); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// Decode parses a 2xx JSON body. HTML (a wrong token type, a login page) is fatal with a
// clear message; anything else unparseable (a truncated body) is retryable.
func Decode(providerName, resource string, body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if looksHTML(trimmed) {
		return &Error{Provider: providerName, Resource: resource, Status: http.StatusOK,
			Message: "expected JSON but the API answered with HTML (wrong token type or base URL?): " + snippet(trimmed)}
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		return &Error{Provider: providerName, Resource: resource, Status: http.StatusOK, Retryable: true,
			Message: "unparseable JSON body (" + err.Error() + "): " + snippet(trimmed)}
	}
	return nil
}

func errorText(w Wire, resp *http.Response, body []byte) string {
	trimmed := bytes.TrimSpace(body)
	if looksHTML(trimmed) {
		return "HTML answer where JSON was expected (wrong token type or base URL?): " + snippet(trimmed)
	}
	if w.ErrorText != nil {
		if text := w.ErrorText(trimmed); text != "" {
			return text
		}
	}
	if len(trimmed) == 0 {
		return http.StatusText(resp.StatusCode)
	}
	return snippet(trimmed)
}

func looksHTML(b []byte) bool {
	return len(b) > 0 && b[0] == '<'
}

func snippet(b []byte) string {
	const n = 200
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// redactURL drops query strings from transport errors: cursors are harmless but a
// misconfigured base URL could carry credentials.
func redactURL(msg string) string {
	if i := strings.Index(msg, "?"); i >= 0 {
		if j := strings.IndexAny(msg[i:], "\" "); j >= 0 {
			return msg[:i] + msg[i+j:]
		}
		return msg[:i]
	}
	return msg
}

// IsRetryable reports whether err may succeed if tried again.
func IsRetryable(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Retryable
	}
	return !errors.Is(err, context.Canceled)
}

// JSONError is the common {"error": "..."} / {"message": "..."} shape, for ErrorText.
func JSONError(body []byte, keys ...string) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	for _, k := range keys {
		raw, ok := m[k]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil && s != "" {
			return s
		}
		return fmt.Sprint(snippet(raw))
	}
	return ""
}
