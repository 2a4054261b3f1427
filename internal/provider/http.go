package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Wire is what a connector tells Call about its provider's error and rate-limit shapes.
type Wire struct {
	Provider string
	// ErrorText extracts the API's own error code and message fields from a non-2xx body.
	// It must return only those fields, never the body itself: error text reaches history,
	// logs and checkpoints, and a body may hold record data.
	ErrorText func(body []byte) string
	// RetryAfter reads the delay a 429 asks for; zero means "use backoff". Call clamps it.
	RetryAfter func(resp *http.Response, body []byte, now time.Time) time.Duration
	// TooCostly, when set, tells a 429 that refuses the request itself (its cost is over a
	// per-request limit, so no wait lets it through) from one that asks the client to wait.
	TooCostly func(body []byte) bool
}

// Call sends req, paced by pacer (may be nil), and decodes a 2xx JSON answer into out.
// Every failure is an *Error: transport faults and 5xx are retryable, 429 carries the
// provider's delay (clamped to the context's Limits), other 4xx are fatal, and a body over
// Limits.MaxBody is fatal. The body is decoded from a pooled buffer, so a page is held
// about twice at most: the buffer and the records decoded from it, which is what the
// context's Hold claims (budget.go) once the response's headers have come.
func Call(ctx context.Context, client *http.Client, pacer *Pacer, w Wire, resource string, req *http.Request, out any) error {
	lim := limitsOf(ctx)
	if err := pacer.Wait(ctx); err != nil {
		return err
	}
	resp, err := sameOriginOnly(client).Do(req.WithContext(ctx))
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		observe(ctx, w.Provider, 0)
		return &Error{Provider: w.Provider, Resource: resource, Message: "request failed: " + redactURL(err.Error()), Retryable: true}
	}
	defer func() { _ = resp.Body.Close() }()
	observe(ctx, w.Provider, resp.StatusCode)
	// Room for the body and its records is claimed before a byte of it is read.
	hold, own := holdFor(ctx, lim)
	if own {
		defer hold.Release()
	}
	if err := hold.claim(ctx, readFactor*lim.MaxBody); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &Error{Provider: w.Provider, Resource: resource, Message: "memory budget: " + err.Error()}
	}
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer putBuffer(buf)
	if err := readBody(buf, resp, lim.MaxBody); err != nil {
		if errors.Is(err, errTooLarge) {
			return &Error{Provider: w.Provider, Resource: resource, Status: resp.StatusCode, Message: fmt.Sprintf(
				"response body is over the %d-byte limit (PAGEWISE_MAX_BODY): ask for smaller pages (page_size) or raise the limit", lim.MaxBody)}
		}
		return &Error{Provider: w.Provider, Resource: resource, Status: resp.StatusCode, Message: "reading body: " + err.Error(), Retryable: true}
	}
	body := bytes.TrimSpace(buf.Bytes())
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return decode(w.Provider, resource, body, out)
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return &Error{Provider: w.Provider, Resource: resource, Status: resp.StatusCode, Message: redirected(resp)}
	case resp.StatusCode == http.StatusTooManyRequests:
		e := &Error{Provider: w.Provider, Resource: resource, Status: resp.StatusCode, Retryable: true, RateLimited: true,
			Message: "rate limited"}
		if text := errorText(w, resp, body); text != http.StatusText(resp.StatusCode) {
			e.Message += ": " + text
		}
		if w.TooCostly != nil && w.TooCostly(body) {
			// The same request would be refused for ever: the connector makes it cheaper, or
			// the export fails.
			e.Retryable, e.TooCostly = false, true
			return e
		}
		if w.RetryAfter != nil {
			e.RetryAfter = lim.clampDelay(w.Provider, w.RetryAfter(resp, body, time.Now()))
		}
		pacer.Backoff(e.RetryAfter)
		return e
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		return &Error{Provider: w.Provider, Resource: resource, Status: resp.StatusCode, Retryable: true, Message: errorText(w, resp, body)}
	default:
		return &Error{Provider: w.Provider, Resource: resource, Status: resp.StatusCode, Message: errorText(w, resp, body),
			Credentials: resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden}
	}
}

// sameOriginOnly is client refusing redirects to another scheme, host or port. Go's client
// keeps Authorization on a redirect to the same host on another port or scheme, and to a
// subdomain (net/http shouldCopyHeaderOnRedirect compares host names only), so a 302 from
// https to http would send the token in clear. Such a redirect is answered as the 3xx it
// is, which Call fails for good; a redirect within the origin is followed as before.
func sameOriginOnly(c *http.Client) *http.Client {
	g := *c
	next := c.CheckRedirect
	g.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !SameOrigin(req.URL, via[0].URL) {
			return http.ErrUseLastResponse
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		return nil
	}
	return &g
}

// maxRedirects is net/http's own default.
const maxRedirects = 10

// redirected says where a redirect that was not followed pointed, by origin only: the
// rest of a Location may carry anything.
func redirected(resp *http.Response) string {
	u, err := resp.Location()
	if err != nil || u.Host == "" {
		return fmt.Sprintf("answered %d with no Location to follow", resp.StatusCode)
	}
	where := Clip(u.Scheme + "://" + u.Host)
	return fmt.Sprintf("redirected (%d) to %s, another scheme, host or port than the request's: not followed, "+
		"as the token goes only to the base URL's origin; set the base URL to where the API answers", resp.StatusCode, where)
}

// bodyBuffers hold responses while they are read and decoded: growing a fresh slice to a
// 40 KB page allocated about three times its size, the largest share of a worker's garbage.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// pooledCap is the largest buffer kept for reuse; a rare huge page is left to the GC.
const pooledCap = 4 << 20

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= pooledCap {
		bodyBuffers.Put(b)
	}
}

var errTooLarge = errors.New("body too large")

// readBody reads at most limit bytes into buf, sized once from Content-Length when the
// server sends one, so a large body is not copied while the buffer doubles.
func readBody(buf *bytes.Buffer, resp *http.Response, limit int64) error {
	buf.Reset()
	if n := resp.ContentLength; n > limit {
		return errTooLarge
	} else if n > 0 {
		buf.Grow(int(n) + bytes.MinRead)
	}
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return err
	}
	if n > limit {
		return errTooLarge
	}
	return nil
}

// decode parses a 2xx JSON body. HTML (a wrong token type, a login page) is fatal with a
// clear message; anything else unparseable (a body cut short) is retryable. Neither
// message quotes the body.
func decode(providerName, resource string, body []byte, v any) error {
	if looksHTML(body) {
		return &Error{Provider: providerName, Resource: resource, Status: http.StatusOK,
			Message: "expected JSON but the API answered with HTML (wrong token type or base URL?)"}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &Error{Provider: providerName, Resource: resource, Status: http.StatusOK, Retryable: true,
			Message: "unparseable JSON body (" + jsonProblem(err, len(body)) + ")"}
	}
	return nil
}

// jsonProblem says where decoding failed without quoting the body.
func jsonProblem(err error, size int) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return "invalid JSON at byte " + strconv.FormatInt(syn.Offset, 10) + " of " + strconv.Itoa(size)
	case errors.As(err, &typ):
		return "field " + typ.Field + " is a JSON " + typ.Value + ", not " + typ.Type.String()
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "body ends early, " + strconv.Itoa(size) + " bytes"
	}
	return "not the JSON expected"
}

func errorText(w Wire, resp *http.Response, body []byte) string {
	if looksHTML(body) {
		return "HTML answer where JSON was expected (wrong token type or base URL?)"
	}
	if w.ErrorText != nil {
		if text := w.ErrorText(body); text != "" {
			return Clip(text)
		}
	}
	return http.StatusText(resp.StatusCode)
}

func looksHTML(b []byte) bool {
	return len(b) > 0 && b[0] == '<'
}

// maxMessage bounds a provider's error text in our errors.
const maxMessage = 300

// Clip collapses whitespace in a provider's error text and cuts it to a few hundred
// characters.
func Clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		return s[:cut] + "…"
	}
	return s
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

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

// JSONError reads the common {"error": "..."} / {"message": "..."} shape, for ErrorText.
// Only string fields count: anything else could be an echo of the request's data.
func JSONError(body []byte, keys ...string) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	for _, k := range keys {
		var s string
		if json.Unmarshal(m[k], &s) == nil && s != "" {
			return s
		}
	}
	return ""
}

// SameOrigin reports whether u has base's scheme, host and port (a default port written
// out or left implicit is the same port): a next link elsewhere must not get the token.
func SameOrigin(u, base *url.URL) bool {
	return strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Hostname(), base.Hostname()) && port(u) == port(base)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}
