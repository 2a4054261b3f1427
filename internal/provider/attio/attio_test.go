package attio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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
		t.Fatalf("want an attio *provider.Error, got %T %v", err, err)
	}
	return pe
}

// drain fetches every page from Start and returns them.
func drain(t *testing.T, c *Connector, p provider.Plan) [][]json.RawMessage {
	t.Helper()
	var pages [][]json.RawMessage
	pos := c.Start(p)
	for range 100 {
		page, err := c.Fetch(context.Background(), provider.Request{Plan: p, Position: pos})
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, page.Records)
		if page.Done {
			return pages
		}
		pos = page.Next
	}
	t.Fatal("export did not end")
	return nil
}

func TestValidate(t *testing.T) {
	c := New(Config{Token: "tok", Objects: []string{"Legacy-Invoices"}}, nil)
	linked := map[string]string{"linked_object": "people", "linked_record_id": "r"}
	cases := []struct {
		name string
		spec provider.Spec
		want string
	}{
		{"notes", provider.Spec{Resource: "notes", Filters: map[string]string{"parent_object": "people"}}, ""},
		{"custom object", provider.Spec{Resource: "invoices", Query: []byte(`{"status":"paid"}`)}, ""},
		{"ATTIO_OBJECTS name", provider.Spec{Resource: "Legacy-Invoices"}, ""},
		{"object id", provider.Spec{Resource: "97052eb9-e65e-443f-a297-f2d9a4a7f795"}, ""},
		{"list entries", provider.Spec{Resource: "list.sales", Query: []byte(`{"stage":"Won"}`), Since: time.Now()}, ""},
		{"list by id", provider.Spec{Resource: "list.33ebdbe9-e529-47c9-b894-0ba25e9c15c0"}, ""},
		{"unknown", provider.Spec{Resource: "Tasks"}, `"Tasks" is not an attio resource; allowed: meetings, notes, tasks, workspace_members, an object's api_slug or id`},
		{"list shape", provider.Spec{Resource: "list.Sales"}, `"list.Sales" is not an attio resource`},
		{"empty list", provider.Spec{Resource: "list."}, "not an attio resource"},
		{"notes page", provider.Spec{Resource: "notes", PageSize: 51}, "maximum for notes is 50"},
		{"records page", provider.Spec{Resource: "people", PageSize: 501}, "maximum for people is 500"},
		{"tasks page", provider.Spec{Resource: "tasks", PageSize: 501}, "maximum for tasks is 500"},
		{"entries page", provider.Spec{Resource: "list.sales", PageSize: 501}, "maximum for list.sales is 500"},
		{"members page", provider.Spec{Resource: "workspace_members", PageSize: 10}, "documents no paging parameter"},
		{"members plan", provider.Spec{Resource: "workspace_members", PageSize: 1}, ""},
		{"members filter", provider.Spec{Resource: "workspace_members", Filters: map[string]string{"limit": "5"}}, "allowed: none"},
		{"strategy", provider.Spec{Resource: "meetings", Strategy: "offset"}, "allowed: cursor"},
		{"query array", provider.Spec{Resource: "people", Query: []byte(`[1]`)}, "must be a JSON object"},
		{"query broken", provider.Spec{Resource: "people", Query: []byte(`{"a":`)}, "must be a JSON object"},
		{"query on notes", provider.Spec{Resource: "notes", Query: []byte(`{}`)}, "query"},
		{"query on tasks", provider.Spec{Resource: "tasks", Query: []byte(`{}`)}, "takes no filter body"},
		{"filter", provider.Spec{Resource: "meetings", Filters: map[string]string{"foo": "1"}}, "allowed: linked_object, linked_record_id"},
		{"third-party filter", provider.Spec{Resource: "meetings", Filters: map[string]string{"sort": "start_asc"}}, "allowed: linked_object, linked_record_id"},
		{"linked pair", provider.Spec{Resource: "meetings", Filters: map[string]string{"linked_object": "people"}}, "go together"},
		{"meetings linked", provider.Spec{Resource: "meetings", Filters: linked}, ""},
		{"tasks linked", provider.Spec{Resource: "tasks", Filters: linked}, ""},
		{"tasks linked pair", provider.Spec{Resource: "tasks", Filters: map[string]string{"linked_record_id": "r"}}, "go together"},
		{"tasks filters", provider.Spec{Resource: "tasks", Filters: map[string]string{"assignee": "null", "is_completed": "false"}}, ""},
		{"tasks is_completed", provider.Spec{Resource: "tasks", Filters: map[string]string{"is_completed": "yes"}}, "allowed: true, false"},
		{"tasks sort", provider.Spec{Resource: "tasks", Filters: map[string]string{"sort": "created_at:desc"}}, "allowed: linked_object, linked_record_id, assignee, is_completed"},
		{"record filter", provider.Spec{Resource: "people", Filters: map[string]string{"name": "x"}}, "put the filter in query"},
		{"since on notes", provider.Spec{Resource: "notes", Since: time.Now()}, "since"},
		{"since on tasks", provider.Spec{Resource: "tasks", Since: time.Now()}, "since"},
		{"fields", provider.Spec{Resource: "people", Fields: []string{"name"}}, "fields"},
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
	for res, size := range map[string]int{"notes": 50, "people": 500, "meetings": 200, "tasks": 500, "list.sales": 500, "workspace_members": 1} {
		if p := plan(t, c, provider.Spec{Resource: res}); p.PageSize != size {
			t.Errorf("%s page size %d", res, p.PageSize)
		}
	}
	if _, err := New(Config{}, nil).Validate(provider.Spec{Resource: "people"}); err == nil || !strings.Contains(err.Error(), "ATTIO_TOKEN is not set") {
		t.Errorf("got %v", err)
	}
}

// TestRecordsQueryBody pages a POST query: limit, filter and sorts stay identical, offset grows.
func TestRecordsQueryBody(t *testing.T) {
	var (
		mu     sync.Mutex
		bodies []queryRequest
	)
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v2/objects/people/records/query" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		var q queryRequest
		if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
			t.Error(err)
		}
		mu.Lock()
		bodies = append(bodies, q)
		mu.Unlock()
		n := max(0, min(q.Limit, 7-q.Offset))
		recs := make([]string, n)
		for i := range recs {
			recs[i] = fmt.Sprintf(`{"id":{"record_id":"r%d"},"created_at":"2024-05-01T00:00:%02d.000000000Z"}`, q.Offset+i, q.Offset+i)
		}
		fmt.Fprintf(w, `{"data":[%s]}`, strings.Join(recs, ","))
	})
	since := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	p := plan(t, c, provider.Spec{Resource: "people", PageSize: 3, Query: []byte(`{"name":"Ada"}`), Since: since})
	pages := drain(t, c, p)
	if len(pages) != 3 || len(pages[2]) != 1 {
		t.Fatalf("pages %v", pages)
	}
	wantFilter := `{"created_at":{"$gte":"2024-05-01T00:00:00Z"},"name":"Ada"}`
	for i, b := range bodies {
		if b.Limit != 3 || b.Offset != 3*i || string(b.Filter) != wantFilter || len(b.Sorts) == 0 || b.Sorts[0].Attribute != "created_at" {
			t.Errorf("body %d: %+v filter %s", i, b, b.Filter)
		}
	}
}

// TestRecordsContract: records out of created_at order, across pages or before since, are
// Contract errors.
func TestRecordsContract(t *testing.T) {
	at := func(s int) string {
		return fmt.Sprintf(`{"id":{"record_id":"r%d"},"created_at":"2024-05-01T00:00:%02d.000000000Z"}`, s, s)
	}
	cases := []struct {
		name string
		spec provider.Spec
		pos  provider.Position
		data string
		want string
	}{
		{"within a page", provider.Spec{Resource: "people"}, provider.Position{}, at(5) + "," + at(4), "record r4 has created_at"},
		{"across pages", provider.Spec{Resource: "deals"}, provider.Position{Offset: 3, Last: "2024-05-01T00:00:09.000000000Z"}, at(4), "before the previous"},
		{"since", provider.Spec{Resource: "people", Since: time.Date(2024, 5, 1, 0, 0, 10, 0, time.UTC)}, provider.Position{}, at(4), "before since"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, `{"data":[%s]}`, tc.data) })
			_, err := c.Fetch(context.Background(), provider.Request{Plan: plan(t, c, tc.spec), Position: tc.pos})
			if pe := asError(t, err); !pe.Contract || pe.Retryable || !strings.Contains(pe.Message, tc.want) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

// TestMeetingsQuery sends only the documented parameters.
func TestMeetingsQuery(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if want := "cursor=c1&limit=200&linked_object=people&linked_record_id=r1"; r.URL.RawQuery != want {
			t.Errorf("query %s, want %s", r.URL.RawQuery, want)
		}
		fmt.Fprint(w, `{"data":[],"pagination":{"next_cursor":null}}`)
	})
	p := plan(t, c, provider.Spec{Resource: "meetings", Filters: map[string]string{"linked_object": "people", "linked_record_id": "r1"}})
	if _, err := c.Fetch(context.Background(), provider.Request{Plan: p, Position: provider.Position{Cursor: "c1"}}); err != nil {
		t.Fatal(err)
	}
}

// TestNotesExactMultiple ends on the empty page after a full last page: there is no has-more flag.
func TestNotesExactMultiple(t *testing.T) {
	var offsets []string
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		offsets = append(offsets, q.Get("offset"))
		if q.Get("limit") != "2" || q.Get("parent_object") != "people" {
			t.Errorf("query %s", r.URL.RawQuery)
		}
		if q.Get("offset") == "4" {
			fmt.Fprint(w, `{"data":[]}`)
			return
		}
		fmt.Fprint(w, `{"data":[{"id":1},{"id":2}]}`)
	})
	p := plan(t, c, provider.Spec{Resource: "notes", PageSize: 2, Filters: map[string]string{"parent_object": "people"}})
	drain(t, c, p)
	if strings.Join(offsets, ",") != "0,2,4" {
		t.Fatalf("offsets %v", offsets)
	}
	// A partition bound trims the page instead of changing the limit.
	page, err := c.Fetch(context.Background(), provider.Request{Plan: p, Position: provider.Position{Offset: 0, End: 1}})
	if err != nil || len(page.Records) != 1 || !page.Done || page.Next.Offset != 1 {
		t.Fatalf("page %+v err %v", page, err)
	}
}

func TestRecordFilter(t *testing.T) {
	since := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct{ query, want string }{
		{``, `{"created_at":{"$gte":"2024-05-01T00:00:00Z"}}`},
		{`{"created_at":{"$lt":"2025-01-01T00:00:00Z"}}`, `{"$and":[{"created_at":{"$lt":"2025-01-01T00:00:00Z"}},{"created_at":{"$gte":"2024-05-01T00:00:00Z"}}]}`},
		{`{"$or":[{"name":"a"},{"name":"b"}]}`, `{"$and":[{"$or":[{"name":"a"},{"name":"b"}]},{"created_at":{"$gte":"2024-05-01T00:00:00Z"}}]}`},
	}
	for _, tc := range cases {
		if got := string(recordFilter(provider.Plan{Spec: provider.Spec{Query: []byte(tc.query), Since: since}})); got != tc.want {
			t.Errorf("query %s: got %s, want %s", tc.query, got, tc.want)
		}
	}
	if got := recordFilter(provider.Plan{Spec: provider.Spec{Query: []byte(` {"name":"x"} `)}}); string(got) != `{"name":"x"}` {
		t.Errorf("query without since became %s", got)
	}
}

func TestMeetingsCursor(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("cursor") {
		case "":
			fmt.Fprint(w, `{"data":[{"id":1}],"pagination":{"next_cursor":"c1"}}`)
		case "c1":
			fmt.Fprint(w, `{"data":[{"id":2}],"pagination":{"next_cursor":null}}`)
		default:
			t.Errorf("cursor %s", r.URL.RawQuery)
		}
	})
	if pages := drain(t, c, plan(t, c, provider.Spec{Resource: "meetings"})); len(pages) != 2 {
		t.Fatalf("pages %v", pages)
	}
}

func TestErrors(t *testing.T) {
	future := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	cases := []struct {
		name       string
		status     int
		retryAfter string
		body       string
		retryable  bool
		minDelay   time.Duration
		maxDelay   time.Duration
		text       string
	}{
		{"429 date", 429, future, `{"status_code":429,"type":"rate_limit_error","code":"rate_limit","message":"Rate limit exceeded"}`, true, 20 * time.Second, 30 * time.Second, "rate limited"},
		{"429 past", 429, past, `{}`, true, 0, 0, "rate limited"},
		{"401", 401, "", `{"status_code":401,"type":"auth_error","code":"unauthorized","message":"Invalid token"}`, false, 0, 0, "attio people: HTTP 401: unauthorized: Invalid token"},
		{"503", 503, "", `{"message":"down"}`, true, 0, 0, "down"},
		{"html", 200, "", `<html>sign in</html>`, false, 0, 0, "HTML"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			})
			_, err := c.Fetch(context.Background(), provider.Request{Plan: plan(t, c, provider.Spec{Resource: "people"})})
			pe := asError(t, err)
			if pe.Retryable != tc.retryable || pe.RetryAfter < tc.minDelay || pe.RetryAfter > tc.maxDelay || pe.Resource != "people" || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("got %#v (%v)", pe, err)
			}
		})
	}
}
