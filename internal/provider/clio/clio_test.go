package clio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

func serve(t *testing.T, h http.HandlerFunc) (*Connector, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return New(Config{BaseURL: srv.URL, Token: "tok"}, srv.Client()), srv
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
	if !errors.As(err, &pe) {
		t.Fatalf("want *provider.Error, got %T %v", err, err)
	}
	if pe.Provider != Name {
		t.Errorf("error names provider %q", pe.Provider)
	}
	return pe
}

func TestValidate(t *testing.T) {
	c := New(Config{BaseURL: "https://app.clio.com", Token: "tok"}, nil)
	cases := []struct {
		name string
		spec provider.Spec
		want string // substring of the error; empty means valid
	}{
		{"defaults", provider.Spec{Resource: "contacts"}, ""},
		{"offset", provider.Spec{Resource: "matters", Strategy: "offset", Filters: map[string]string{"order": "display_number(asc)"}}, ""},
		{"unknown resource", provider.Spec{Resource: "widgets"}, `"widgets" is not a clio resource; allowed: activities,`},
		{"page size", provider.Spec{Resource: "contacts", PageSize: 201}, "maximum is 200"},
		{"strategy", provider.Spec{Resource: "contacts", Strategy: "window"}, "allowed: cursor, offset"},
		{"query", provider.Spec{Resource: "contacts", Query: []byte(`{}`)}, "query"},
		{"documented filter", provider.Spec{Resource: "tasks", Filters: map[string]string{"assignee_id": "1", "created_since": "2024-01-01T00:00:00Z"}}, ""},
		{"owned parameter", provider.Spec{Resource: "contacts", Filters: map[string]string{"page_token": "x"}}, `"page_token" is not a parameter GET /api/v4/contacts.json documents`},
		{"undocumented filter", provider.Spec{Resource: "users", Filters: map[string]string{"status": "x"}}, "allowed: created_since, enabled, ids"},
		{"order in cursor", provider.Spec{Resource: "contacts", Filters: map[string]string{"order": "name(asc)"}}, "strategy offset"},
		{"calendar entries have no order", provider.Spec{Resource: "calendar_entries", Strategy: "offset", Filters: map[string]string{"order": "id(desc)"}}, `"order" is not a parameter`},
		{"relationships have no order", provider.Spec{Resource: "relationships", Filters: map[string]string{"order": "id(asc)"}}, `"order" is not a parameter GET /api/v4/relationships.json documents`},
		{"ids as documented", provider.Spec{Resource: "bank_transactions", Filters: map[string]string{"ids[]": "5", "bank_account_id": "2"}}, ""},
		{"ids undocumented", provider.Spec{Resource: "bank_transactions", Filters: map[string]string{"ids": "5"}}, `"ids" is not a parameter`},
		{"note type is the resource's", provider.Spec{Resource: "matter_notes", Filters: map[string]string{"type": "Contact"}}, "type: resource matter_notes always sends type=Matter"},
		{"folder scope is fixed", provider.Spec{Resource: "folders", Filters: map[string]string{"scope": "children"}}, "always sends scope=descendants"},
		{"no trust requests index", provider.Spec{Resource: "trust_requests"}, `"trust_requests" is not a clio resource`},
		{"since twice", provider.Spec{Resource: "contacts", Since: time.Now(), Filters: map[string]string{"updated_since": "2024-01-01"}}, "not both"},
		{"bad field", provider.Spec{Resource: "contacts", Fields: []string{"name", ""}}, "fields"},
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
				t.Fatalf("got %v, want error containing %q", err, tc.want)
			}
			if pe := asError(t, err); pe.Retryable {
				t.Error("validation error is retryable")
			}
		})
	}
}

func TestValidateDefaults(t *testing.T) {
	c := New(Config{Token: "tok", BaseURL: "https://eu.app.clio.com"}, nil)
	p := plan(t, c, provider.Spec{Resource: "contacts"})
	if p.Strategy != provider.StrategyCursor || p.PageSize != 200 || p.MaxParallel != 1 || !slices.Contains(p.Fields, "id") || len(p.Fields) < 5 {
		t.Fatalf("plan %+v", p)
	}
	p = plan(t, c, provider.Spec{Resource: "matters", Strategy: "offset", Fields: []string{"display_number"}})
	if p.MaxParallel != 8 || strings.Join(p.Fields, ",") != "id,display_number" {
		t.Fatalf("plan %+v", p)
	}
	// The timestamps since and *_since bound are kept so records can be checked.
	p = plan(t, c, provider.Spec{Resource: "matters", Since: time.Now(), Fields: []string{"status"}, Filters: map[string]string{"created_since": "2024-01-01T00:00:00Z"}})
	if strings.Join(p.Fields, ",") != "id,status,created_at,updated_at" {
		t.Fatalf("fields %v", p.Fields)
	}
	// Without a documented order the default is still cursor paging: page_token is documented.
	p = plan(t, c, provider.Spec{Resource: "calendar_entries"})
	if p.Strategy != provider.StrategyCursor || p.MaxParallel != 1 {
		t.Fatalf("plan %+v", p)
	}
	// Every documented field by default: nested values with every field of their schema
	// (custom field values, a contact's addresses), nested references bare.
	p = plan(t, c, provider.Spec{Resource: "matters"})
	if !slices.Contains(p.Fields, "custom_field_values{created_at,etag,field_display_order,field_displayed,field_name,"+
		"field_required,field_type,id,soft_deleted,updated_at,value,contact,custom_field,matter,picklist_option}") ||
		!slices.Contains(p.Fields, "client") || !slices.Contains(p.Fields, "matter_stage_updated_at") || len(p.Fields) != 48 {
		t.Fatalf("matters fields %v", p.Fields)
	}
	p = plan(t, c, provider.Spec{Resource: "contacts"})
	for _, f := range []string{"addresses{city,country,created_at,etag,id,name,postal_code,primary,province,street,updated_at}",
		"email_addresses{address,created_at,etag,id,name,primary,updated_at}", "phone_numbers{created_at,etag,id,name,number,primary,updated_at}",
		"web_sites{address,created_at,default_web_site,etag,id,name,updated_at}", "instant_messengers{address,created_at,etag,id,name,updated_at}",
		"company", "related_contacts"} {
		if !slices.Contains(p.Fields, f) {
			t.Errorf("contacts fields lack %s", f)
		}
	}
	if p = plan(t, c, provider.Spec{Resource: "documents"}); slices.Contains(p.Fields, "document_versions") {
		t.Fatal("documents ask for document_versions, which API 4.0.6 removed")
	}
	_, err := New(Config{}, nil).Validate(provider.Spec{Resource: "contacts"})
	if err == nil || !strings.Contains(err.Error(), "CLIO_TOKEN is not set in the worker's environment") {
		t.Fatalf("got %v", err)
	}
}

// TestRequests pins the path and query of each first request: order only where the
// resource's reference lists it (not calendar_entries or relationships), and the
// parameter a row fixes (notes' type, folders' and documents' scope).
func TestRequests(t *testing.T) {
	since := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name string
		spec provider.Spec
		pos  provider.Position
		want string
	}{
		{"cursor", provider.Spec{Resource: "contacts", Fields: []string{"name"}, Since: since}, provider.Position{},
			"/contacts.json?fields=id%2Cname%2Cupdated_at&limit=200&order=id%28asc%29&updated_since=2024-01-02T03%3A04%3A05Z"},
		{"cursor without order", provider.Spec{Resource: "calendar_entries", Strategy: "cursor", Fields: []string{"summary"}, Filters: map[string]string{"matter_id": "7"}}, provider.Position{},
			"/calendar_entries.json?fields=id%2Csummary&limit=200&matter_id=7"},
		{"contact notes", provider.Spec{Resource: "contact_notes", Fields: []string{"subject"}, Filters: map[string]string{"contact_id": "9"}}, provider.Position{},
			"/notes.json?contact_id=9&fields=id%2Csubject&limit=200&order=id%28asc%29&type=Contact"},
		{"folders", provider.Spec{Resource: "folders", Strategy: "offset", Fields: []string{"name"}}, provider.Position{Offset: 200},
			"/folders.json?fields=id%2Cname&limit=200&offset=200&order=id%28asc%29&scope=descendants"},
		{"relationships by cursor", provider.Spec{Resource: "relationships", Fields: []string{"description"}}, provider.Position{},
			"/relationships.json?fields=id%2Cdescription&limit=200"},
		{"relationships by offset", provider.Spec{Resource: "relationships", Strategy: "offset", Fields: []string{"description"}}, provider.Position{},
			"/relationships.json?fields=id%2Cdescription&limit=200&offset=0"},
		{"documents still uploading", provider.Spec{Resource: "documents", Fields: []string{"name"}}, provider.Position{},
			"/documents.json?fields=id%2Cname&limit=200&order=id%28asc%29&scope=descendants&show_uncompleted=true"},
		{"empty bank accounts", provider.Spec{Resource: "bank_accounts", Fields: []string{"name"}}, provider.Position{},
			"/bank_accounts.json?fields=id%2Cname&limit=200&order=id%28asc%29&show_empty_accounts=true"},
		{"a user's own widening filter", provider.Spec{Resource: "bank_accounts", Fields: []string{"name"}, Filters: map[string]string{"show_empty_accounts": "false"}}, provider.Position{},
			"/bank_accounts.json?fields=id%2Cname&limit=200&order=id%28asc%29&show_empty_accounts=false"},
		{"offset", provider.Spec{Resource: "bills", Strategy: "offset", Fields: []string{"state"}, PageSize: 50}, provider.Position{Offset: 100},
			"/bills.json?fields=id%2Cstate&limit=50&offset=100&order=id%28asc%29"},
		{"offset own order", provider.Spec{Resource: "users", Strategy: "offset", Fields: []string{"name"}, Filters: map[string]string{"order": "name(asc)"}}, provider.Position{},
			"/users.json?fields=id%2Cname&include_co_counsel=true&limit=200&offset=0&order=name%28asc%29"},
		{"offset without order", provider.Spec{Resource: "calendar_entries", Strategy: "offset", Fields: []string{"summary"}}, provider.Position{},
			"/calendar_entries.json?fields=id%2Csummary&limit=200&offset=0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if got := strings.TrimPrefix(r.URL.Path, "/api/v4") + "?" + r.URL.RawQuery; got != tc.want {
					t.Errorf("request\n got %s\nwant %s", got, tc.want)
				}
				fmt.Fprint(w, `{"data":[],"meta":{"paging":{}}}`)
			})
			if _, err := c.Fetch(context.Background(), provider.Request{Plan: plan(t, c, tc.spec), Position: tc.pos}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCursorRequestsAndFollowsNext(t *testing.T) {
	var next string
	c, srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("auth header %q", r.Header.Get("Authorization"))
		}
		// Every request pins the API version, next links included.
		if v := r.Header.Get("X-API-VERSION"); v != "4.0.13" {
			t.Errorf("X-API-VERSION %q", v)
		}
		q := r.URL.Query()
		if r.URL.Path != "/api/v4/contacts.json" {
			t.Errorf("path %s", r.URL.Path)
		}
		if q.Get("page_token") == "" {
			if q.Get("order") != "id(asc)" || q.Has("offset") || q.Get("limit") != "2" || !strings.Contains(q.Get("fields"), ",id,") || q.Get("updated_since") != "2024-01-02T03:04:05Z" {
				t.Errorf("first request %s", r.URL.RawQuery)
			}
			fmt.Fprintf(w, `{"data":[{"id":1},{"id":2}],"meta":{"paging":{"next":%q},"records":3}}`, next)
			return
		}
		fmt.Fprint(w, `{"data":[{"id":3}],"meta":{"paging":{},"records":3}}`)
	})
	next = srv.URL + "/api/v4/contacts.json?page_token=abc&limit=2"
	p := plan(t, c, provider.Spec{Resource: "contacts", PageSize: 2, Since: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)})
	page, err := c.Fetch(context.Background(), provider.Request{Plan: p, Position: c.Start(p)})
	if err != nil || len(page.Records) != 2 || page.Done || page.Next.Cursor != next || page.Total != 3 {
		t.Fatalf("page %+v err %v", page, err)
	}
	page, err = c.Fetch(context.Background(), provider.Request{Plan: p, Position: page.Next})
	if err != nil || len(page.Records) != 1 || !page.Done {
		t.Fatalf("page %+v err %v", page, err)
	}
}

// TestContractChecks: ids out of order and records outside since are Contract errors.
func TestContractChecks(t *testing.T) {
	cases := []struct {
		name string
		spec provider.Spec
		pos  provider.Position
		body string
		want string
	}{
		{"cursor ids back", provider.Spec{Resource: "contacts"}, provider.Position{},
			`{"data":[{"id":5},{"id":4}],"meta":{"paging":{}}}`, "record 4 follows record 5"},
		{"cursor across pages", provider.Spec{Resource: "contacts"}, provider.Position{Cursor: "", Last: "9"},
			`{"data":[{"id":5}],"meta":{"paging":{}}}`, "record 5 follows record 9"},
		{"offset by id", provider.Spec{Resource: "matters", Strategy: "offset"}, provider.Position{Offset: 200, Last: "9"},
			`{"data":[{"id":9}],"meta":{"paging":{}}}`, "record 9 follows record 9"},
		{"updated_since ignored", provider.Spec{Resource: "contacts", Since: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, provider.Position{},
			`{"data":[{"id":1,"updated_at":"2023-12-31T23:59:59+00:00"}],"meta":{"paging":{}}}`, "before updated_since"},
		{"created_since ignored", provider.Spec{Resource: "contacts", Filters: map[string]string{"created_since": "2024-01-01T00:00:00Z"}}, provider.Position{},
			`{"data":[{"id":1,"created_at":"2023-12-31T23:59:59Z"}],"meta":{"paging":{}}}`, "before created_since"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tc.body) })
			req := provider.Request{Plan: plan(t, c, tc.spec), Position: tc.pos}
			_, err := c.Fetch(context.Background(), req)
			if pe := asError(t, err); !pe.Contract || pe.Retryable || !strings.Contains(pe.Message, tc.want) {
				t.Fatalf("got %v", err)
			}
			// Unchecked, the page comes back and its check finds the same.
			page, check, err := c.FetchUnchecked(context.Background(), req)
			if err != nil || len(page.Records) == 0 {
				t.Fatalf("unchecked: page %+v, err %v", page, err)
			}
			if err := check(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("unchecked page's check: %v, want %q", err, tc.want)
			}
		})
	}
	// A user's own order is not checked.
	c, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":[{"id":5},{"id":4}],"meta":{"paging":{}}}`)
	})
	p := plan(t, c, provider.Spec{Resource: "contacts", Strategy: "offset", Filters: map[string]string{"order": "name(asc)"}})
	if _, err := c.Fetch(context.Background(), provider.Request{Plan: p}); err != nil {
		t.Fatal(err)
	}
}

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		body  string
		total int
		ok    bool
	}{
		{`{"data":[{"id":1}],"meta":{"paging":{},"records":321}}`, 321, true},
		{`{"data":[{"id":1}],"meta":{"paging":{}}}`, 0, false},
	} {
		c, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.RawQuery != "fields=id&limit=1&status=open" || r.Header.Get("X-API-VERSION") != APIVersion {
				t.Errorf("query %s, X-API-VERSION %q", r.URL.RawQuery, r.Header.Get("X-API-VERSION"))
			}
			fmt.Fprint(w, tc.body)
		})
		n, ok, err := c.Count(context.Background(), plan(t, c, provider.Spec{Resource: "matters", Filters: map[string]string{"status": "open"}}))
		if err != nil || n != tc.total || ok != tc.ok {
			t.Fatalf("%s: got %d %v %v", tc.body, n, ok, err)
		}
	}
}

func TestSameOrigin(t *testing.T) {
	base, _ := url.Parse("https://app.clio.com")
	for raw, want := range map[string]bool{
		"https://app.clio.com/api/v4/x.json":     true,
		"https://APP.clio.com:443/api/v4/x.json": true,
		"http://app.clio.com/api/v4/x.json":      false,
		"https://app.clio.com:8443/x":            false,
		"https://eu.app.clio.com/x":              false,
		"https://app.clio.com.evil.example/x":    false,
	} {
		u, _ := url.Parse(raw)
		if got := provider.SameOrigin(u, base); got != want {
			t.Errorf("sameOrigin(%s) = %v", raw, got)
		}
	}
}

func TestRefusesForeignNext(t *testing.T) {
	var calls atomic.Int32
	c, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		fmt.Fprint(w, `{"data":[{"id":1}],"meta":{"paging":{"next":"https://evil.example/api/v4/contacts.json?page_token=x"},"records":2}}`)
	})
	p := plan(t, c, provider.Spec{Resource: "contacts"})
	_, err := c.Fetch(context.Background(), provider.Request{Plan: p})
	if pe := asError(t, err); pe.Retryable || !strings.Contains(pe.Message, "refusing") {
		t.Fatalf("got %v", err)
	}
	_, err = c.Fetch(context.Background(), provider.Request{Plan: p, Position: provider.Position{Cursor: "http://evil.example/x"}})
	if pe := asError(t, err); pe.Retryable || calls.Load() != 1 {
		t.Fatalf("got %v after %d calls", err, calls.Load())
	}
}

func TestOffsetStaysUnderCap(t *testing.T) {
	var seen []string
	c, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		seen = append(seen, q.Get("offset")+"/"+q.Get("limit"))
		fmt.Fprint(w, `{"data":[{"id":1}],"meta":{"paging":{},"records":10000}}`)
	})
	p := plan(t, c, provider.Spec{Resource: "contacts", Strategy: "offset", PageSize: 150})
	page, err := c.Fetch(context.Background(), provider.Request{Plan: p, Position: provider.Position{Offset: 9900}})
	if err != nil || !page.Done {
		t.Fatalf("page %+v err %v", page, err)
	}
	page, err = c.Fetch(context.Background(), provider.Request{Plan: p, Position: provider.Position{Offset: 10000}})
	if err != nil || !page.Done || len(page.Records) != 0 {
		t.Fatalf("page %+v err %v", page, err)
	}
	if strings.Join(seen, " ") != "9900/100" {
		t.Fatalf("requests %v", seen)
	}
}

func TestOffsetRefusesLargeResource(t *testing.T) {
	c, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":[{"id":1}],"meta":{"paging":{},"records":12345}}`)
	})
	p := plan(t, c, provider.Spec{Resource: "contacts", Strategy: "offset"})
	_, err := c.Fetch(context.Background(), provider.Request{Plan: p})
	if pe := asError(t, err); pe.Retryable || !strings.Contains(pe.Message, "12345 records") || !strings.Contains(pe.Message, "strategy cursor") {
		t.Fatalf("got %v", err)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		header    string
		body      string
		retryable bool
		after     time.Duration
		text      string
	}{
		{"429", 429, "7", `{"error":{"type":"RateLimited","message":"slow down"}}`, true, 7 * time.Second, "rate limited"},
		{"401", 401, "", `{"error":{"type":"Unauthorized","message":"The access token is invalid"}}`, false, 0, "clio contacts: HTTP 401: Unauthorized: The access token is invalid"},
		{"500", 500, "", `{"error":{"type":"InternalError","message":"boom"}}`, true, 0, "boom"},
		{"html", 200, "", `<!DOCTYPE html><html>login</html>`, false, 0, "HTML"},
		{"truncated", 200, "", `{"data":[{"id":1}`, true, 0, "unparseable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.header != "" {
					w.Header().Set("Retry-After", tc.header)
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			})
			p := plan(t, c, provider.Spec{Resource: "contacts"})
			_, err := c.Fetch(context.Background(), provider.Request{Plan: p})
			pe := asError(t, err)
			if pe.Retryable != tc.retryable || pe.RetryAfter != tc.after || pe.Resource != "contacts" || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("got %#v", pe)
			}
			if tc.status == 429 && !pe.RateLimited {
				t.Error("429 not marked rate limited")
			}
		})
	}
}
