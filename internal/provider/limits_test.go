package provider

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRetryAfterForms(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"2", 2 * time.Second},
		{"1.5", 1500 * time.Millisecond},
		{"0", 0},
		{"-5", 0},
		{"NaN", 0},
		{"Inf", maxSeconds * time.Second},
		{"1e300", maxSeconds * time.Second},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"Fri, 31 Dec 9999 23:59:59 GMT", maxSeconds * time.Second},
	}
	for _, tc := range cases {
		if got := RetryAfter(tc.in, now); got != tc.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	unix := func(d time.Duration) string { return now.Add(d).Format("1136239445") }
	_ = unix
	for in, want := range map[string]time.Duration{
		"1777636830":   30 * time.Second, // now + 30 s
		"1777636830.5": 30500 * time.Millisecond,
		"1777636700":   0,
		"-1":           0,
		"1e300":        maxSeconds * time.Second,
		"x":            0,
	} {
		if got := ResetAt(in, now); got != want {
			t.Errorf("ResetAt(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestCallClampsDelays: whatever a 429 asks for, Call holds to [0, MaxDelay] and says when
// it cut a delay; a nonsense value means backoff (0).
func TestCallClampsDelays(t *testing.T) {
	var header string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", header)
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	wire := Wire{Provider: "test", RetryAfter: func(resp *http.Response, _ []byte, now time.Time) time.Duration {
		return RetryAfter(resp.Header.Get("Retry-After"), now)
	}}
	var clamped []time.Duration
	ctx := WithLimits(context.Background(), Limits{MaxDelay: time.Minute, Clamped: func(p string, asked, used time.Duration) {
		if p != "test" || used != time.Minute {
			t.Errorf("clamped %s %v to %v", p, asked, used)
		}
		clamped = append(clamped, asked)
	}})
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"31536000", time.Minute}, {"1e300", time.Minute}, {"Inf", time.Minute}, {"-3", 0}, {"NaN", 0}, {"7", 7 * time.Second},
	} {
		header = tc.header
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		err := Call(ctx, srv.Client(), nil, wire, "things", req, &struct{}{})
		var pe *Error
		if !errors.As(err, &pe) || !pe.RateLimited || pe.RetryAfter != tc.want {
			t.Errorf("Retry-After %q: %#v, want delay %v", tc.header, err, tc.want)
		}
	}
	if len(clamped) != 3 || clamped[0] != 365*24*time.Hour {
		t.Fatalf("clamped %v, want the three over a minute", clamped)
	}
}

// TestCallBoundsBodiesAndKeepsThemOutOfErrors: a body over MaxBody fails for good, with or
// without Content-Length; no error ever quotes a body, which may hold record data.
func TestCallBoundsBodiesAndKeepsThemOutOfErrors(t *testing.T) {
	const secret = "Jane Doe, 4111-1111-1111-1111"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			_, _ = w.Write([]byte(`{"data":"` + strings.Repeat("x", 2048) + `"}`))
		case "/big-chunked":
			w.(http.Flusher).Flush() // no Content-Length
			_, _ = w.Write([]byte(`{"data":"` + strings.Repeat("x", 2048) + `"}`))
		case "/bad-json":
			_, _ = w.Write([]byte(`{"data":[{"name":"` + secret + `"}`))
		case "/html":
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte(`<html>` + secret + `</html>`))
		case "/text":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`bad record ` + secret))
		case "/echo":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":{"record":"` + secret + `"},"message":["` + secret + `"]}`))
		}
	}))
	defer srv.Close()
	ctx := WithLimits(context.Background(), Limits{MaxBody: 1024})
	wire := Wire{Provider: "test", ErrorText: func(b []byte) string { return JSONError(b, "error", "message") }}
	call := func(path string) *Error {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		var out map[string]any
		var pe *Error
		if err := Call(ctx, srv.Client(), nil, wire, "things", req, &out); !errors.As(err, &pe) {
			t.Fatalf("%s: %v", path, err)
		}
		if strings.Contains(pe.Error(), "Jane") || strings.Contains(pe.Error(), "4111") {
			t.Errorf("%s: error quotes the body: %v", path, pe)
		}
		return pe
	}
	for _, p := range []string{"/big", "/big-chunked"} {
		if pe := call(p); pe.Retryable || !strings.Contains(pe.Message, "1024-byte limit") {
			t.Errorf("%s: %#v", p, pe)
		}
	}
	if pe := call("/bad-json"); !pe.Retryable || !strings.Contains(pe.Message, "unparseable JSON") {
		t.Errorf("bad json: %#v", pe)
	}
	if pe := call("/html"); !pe.Retryable || !strings.Contains(pe.Message, "HTML") {
		t.Errorf("html: %#v", pe)
	}
	if pe := call("/text"); pe.Retryable || pe.Message != "Bad Request" {
		t.Errorf("text: %#v", pe)
	}
	if pe := call("/echo"); pe.Message != "Bad Request" {
		t.Errorf("echo: %#v", pe)
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("é", 400)
	got := Clip("  a \n b  " + long)
	if !strings.HasPrefix(got, "a b ") || len(got) > maxMessage+len("…") || !strings.HasSuffix(got, "…") {
		t.Fatalf("Clip gave %q", got)
	}
	if !strings.HasSuffix(strings.TrimSuffix(got, "…"), "é") {
		t.Fatalf("Clip cut a rune: %q", got[len(got)-8:])
	}
}
