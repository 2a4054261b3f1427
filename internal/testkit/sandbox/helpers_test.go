package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// start runs a sandbox behind a real HTTP server: tests speak plain net/http to it.
func start(t *testing.T, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	s := New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

type auth func(*http.Request)

func bearerAuth(tok string) auth {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

func basicAuth(key string) auth { return func(r *http.Request) { r.SetBasicAuth(key, "") } }

var (
	clioAuth   = bearerAuth(DefaultToken(Clio))
	attioAuth  = bearerAuth(DefaultToken(Attio))
	closeAuth  = basicAuth(DefaultToken(Close))
	cleverAuth = bearerAuth(DefaultToken(Clever))
)

type reply struct {
	status int
	header http.Header
	body   []byte
}

// call sends one request; body, when not nil, is sent as JSON.
func call(t *testing.T, method, url string, a auth, body any) reply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if a != nil {
		a(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

func get(t *testing.T, url string, a auth) reply { t.Helper(); return call(t, "GET", url, a, nil) }

// decode unmarshals a reply, failing the test on a status other than want.
func (r reply) decode(t *testing.T, want int, v any) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body %s", r.status, want, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, r.body)
	}
}

func (r reply) contains(t *testing.T, want int, text string) {
	t.Helper()
	if r.status != want || !strings.Contains(string(r.body), text) {
		t.Fatalf("got %d %s; want %d containing %q", r.status, r.body, want, text)
	}
}

// clock is a settable clock so rate-limit tests never wait.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func idsOf(s *Server, provider string, recs []json.RawMessage) []string {
	out := make([]string, len(recs))
	for k, r := range recs {
		out[k] = s.IDOf(provider, r)
	}
	return out
}

func sameStrings(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d ids, want %d", len(got), len(want))
	}
	for k := range got {
		if got[k] != want[k] {
			t.Fatalf("id %d: got %s, want %s", k, got[k], want[k])
		}
	}
}
