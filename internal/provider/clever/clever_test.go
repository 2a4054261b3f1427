package clever

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

func serve(t *testing.T, h http.HandlerFunc) *Connector {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return New(Config{BaseURL: srv.URL, Token: "tok"}, srv.Client())
}

func plan(t *testing.T, c *Connector, spec provider.Spec) provider.Plan {
	t.Helper()
	p, err := c.Validate(spec)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func asError(t *testing.T, err error) *provider.Error {
	t.Helper()
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Provider != Name {
		t.Fatalf("want a clever *provider.Error, got %T %v", err, err)
	}
	return pe
}

func TestValidate(t *testing.T) {
	c := New(Config{Token: "tok"}, nil)
	cases := []struct {
		name string
		spec provider.Spec
		want string
	}{
		{"users", provider.Spec{Resource: "users", Filters: map[string]string{"role": "student"}}, ""},
		{"unknown", provider.Spec{Resource: "students"}, `"students" is not a clever resource; allowed: courses, districts, events, resources, schools, sections, terms, users`},
		{"page size", provider.Spec{Resource: "users", PageSize: 10001}, "maximum is 10000"},
		{"strategy", provider.Spec{Resource: "users", Strategy: "offset"}, "allowed: cursor"},
		{"filter", provider.Spec{Resource: "sections", Filters: map[string]string{"role": "teacher"}}, "allowed: none"},
		{"role", provider.Spec{Resource: "users", Filters: map[string]string{"role": "admin"}}, "allowed: contact, district_admin, staff, student, teacher"},
		{"query", provider.Spec{Resource: "users", Query: []byte(`{}`)}, "query"},
		{"since", provider.Spec{Resource: "users", Since: time.Now()}, "invalid since: clever lists cannot be limited to changes since a time: export users whole, and its changes through the events resource"},
		{"events since", provider.Spec{Resource: "events", Since: time.Now()}, ""},
		{"events filter", provider.Spec{Resource: "events", Filters: map[string]string{"school": "x"}}, `"school" is not a filter for events; allowed: none`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Validate(tc.spec)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if asError(t, err).Retryable {
				t.Error("retryable validation error")
			}
		})
	}
	if p := plan(t, c, provider.Spec{Resource: "users"}); p.PageSize != 1000 || p.Strategy != provider.StrategyCursor || p.MaxParallel != 1 {
		t.Fatalf("plan %+v", p)
	}
	if _, err := New(Config{}, nil).Validate(provider.Spec{Resource: "users"}); err == nil || !strings.Contains(err.Error(), "CLEVER_TOKEN is not set") {
		t.Fatalf("got %v", err)
	}
}

// TestFollowsRelativeNext unwraps items, resolves relative next links, keeps limit and
// filters, and ends on the empty page a trailing next link leads to.
func TestFollowsRelativeNext(t *testing.T) {
	var seen []string
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Header.Get("Authorization") != "Bearer tok" || r.URL.Path != "/v3.1/users" || q.Get("limit") != "2" || q.Get("role") != "student" {
			t.Errorf("request %s %s", r.URL, r.Header.Get("Authorization"))
		}
		after := q.Get("starting_after")
		seen = append(seen, after)
		switch after {
		case "":
			fmt.Fprint(w, `{"data":[{"data":{"id":"a"},"uri":"/v3.1/users/a"},{"data":{"id":"b"},"uri":"/v3.1/users/b"}],
				"links":[{"rel":"self","uri":"/v3.1/users"},{"rel":"next","uri":"/v3.1/users?starting_after=b"}]}`)
		case "b":
			fmt.Fprint(w, `{"data":[],"links":[{"rel":"next","uri":"/v3.1/users?starting_after=b"}]}`)
		}
	})
	p := plan(t, c, provider.Spec{Resource: "users", PageSize: 2, Filters: map[string]string{"role": "student"}})
	page, err := c.Fetch(context.Background(), provider.Request{Plan: p, Position: c.Start(p)})
	if err != nil || page.Done || page.Next.Cursor != "/v3.1/users?starting_after=b" || page.Next.Last != "b" || string(page.Records[1]) != `{"id":"b"}` {
		t.Fatalf("page %+v err %v", page, err)
	}
	page, err = c.Fetch(context.Background(), provider.Request{Plan: p, Position: page.Next})
	if err != nil || !page.Done || len(page.Records) != 0 {
		t.Fatalf("page %+v err %v", page, err)
	}
	if strings.Join(seen, ",") != ",b" {
		t.Fatalf("requests %v", seen)
	}
}

// TestPaths: users and events come from v3.1 (the upgrade guide), the rest from v3.0;
// districts take no paging parameter.
func TestPaths(t *testing.T) {
	for resource, want := range map[string]string{
		"users": "/v3.1/users?limit=1000", "sections": "/v3.0/sections?limit=1000", "districts": "/v3.0/districts",
		"events": "/v3.1/events?limit=1000", "resources": "/v3.0/resources?limit=1000",
	} {
		c := serve(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.RequestURI() != want {
				t.Errorf("request %s, want %s", r.URL.RequestURI(), want)
			}
			fmt.Fprint(w, `{"data":[],"links":[]}`)
		})
		if _, err := c.Fetch(context.Background(), provider.Request{Plan: plan(t, c, provider.Spec{Resource: resource})}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOrderContract: ids not ascending, or not after starting_after, are Contract errors.
func TestOrderContract(t *testing.T) {
	id := func(n int) string { return fmt.Sprintf(`{"data":{"id":"%024x"}}`, n) }
	cases := []struct {
		name string
		pos  provider.Position
		data string
	}{
		{"within a page", provider.Position{}, id(5) + "," + id(4)},
		{"not after starting_after", provider.Position{Cursor: fmt.Sprintf("/v3.1/users?starting_after=%024x", 7)}, id(7)},
		{"behind the last page", provider.Position{Cursor: "/v3.1/users?starting_after=" + fmt.Sprintf("%024x", 1), Last: fmt.Sprintf("%024x", 9)}, id(3)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := serve(t, func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, `{"data":[%s],"links":[{"rel":"next","uri":"/v3.1/users?starting_after=x"}]}`, tc.data)
			})
			_, err := c.Fetch(context.Background(), provider.Request{Plan: plan(t, c, provider.Spec{Resource: "users"}), Position: tc.pos})
			if pe := asError(t, err); !pe.Contract || pe.Retryable || !strings.Contains(pe.Message, "ids not ascending") {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestRefusesForeignNext(t *testing.T) {
	var calls atomic.Int32
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		fmt.Fprint(w, `{"data":[{"data":{"id":"a"}}],"links":[{"rel":"next","uri":"https://evil.example/v3.0/users?starting_after=a"}]}`)
	})
	p := plan(t, c, provider.Spec{Resource: "users"})
	_, err := c.Fetch(context.Background(), provider.Request{Plan: p})
	if pe := asError(t, err); pe.Retryable || !strings.Contains(pe.Message, "refusing") {
		t.Fatalf("got %v", err)
	}
	_, err = c.Fetch(context.Background(), provider.Request{Plan: p, Position: provider.Position{Cursor: "//evil.example/v3.0/users"}})
	if pe := asError(t, err); pe.Retryable || calls.Load() != 1 {
		t.Fatalf("got %v after %d calls", err, calls.Load())
	}
}

func TestErrors(t *testing.T) {
	reset := strconv.FormatInt(time.Now().Add(20*time.Second).Unix(), 10)
	cases := []struct {
		name      string
		status    int
		reset     string
		body      string
		retryable bool
		minDelay  time.Duration
		text      string
	}{
		{"429", 429, reset, ``, true, 10 * time.Second, "rate limited"},
		{"401", 401, "", `{"error":"Unauthorized"}`, false, 0, "clever users: HTTP 401: Unauthorized"},
		{"400", 400, "", `{"message":"bad limit"}`, false, 0, "bad limit"},
		{"501", 501, "", ``, false, 0, "Not Implemented"},
		{"502", 502, "", ``, true, 0, "Bad Gateway"},
		{"html", 200, "", `<html><body>Log in</body></html>`, false, 0, "HTML"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.reset != "" {
					w.Header().Set("X-RateLimit-Reset", tc.reset)
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			})
			_, err := c.Fetch(context.Background(), provider.Request{Plan: plan(t, c, provider.Spec{Resource: "users"})})
			pe := asError(t, err)
			if pe.Retryable != tc.retryable || pe.RetryAfter < tc.minDelay || pe.RetryAfter > 20*time.Second || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("got %#v (%v)", pe, err)
			}
		})
	}
}

// TestEventWithoutCreated: an event whose created time does not parse fails an export with
// since, naming the event and never quoting the value.
func TestEventWithoutCreated(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":[{"data":{"id":"5e686accf0b2500000000001","created":"yesterday","type":"users.created"}}],"links":[]}`)
	})
	_, err := c.Fetch(context.Background(), provider.Request{Plan: plan(t, c, provider.Spec{Resource: "events", Since: time.Now()})})
	if pe := asError(t, err); !pe.Contract || !strings.Contains(pe.Message, "event 5e686accf0b2500000000001 has no valid created time") || strings.Contains(pe.Message, "yesterday") {
		t.Fatalf("got %v", err)
	}
}
