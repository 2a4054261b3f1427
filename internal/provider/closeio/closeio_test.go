package closeio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

func serve(t *testing.T, cfg Config, h http.HandlerFunc) *Connector {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg.BaseURL, cfg.Token = srv.URL, "key"
	return New(cfg, srv.Client())
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
		t.Fatalf("want a close *provider.Error, got %T %v", err, err)
	}
	return pe
}

func TestValidate(t *testing.T) {
	c := New(Config{Token: "key"}, nil)
	cases := []struct {
		name string
		spec provider.Spec
		want string
	}{
		{"lead", provider.Spec{Resource: "lead", Filters: map[string]string{"lead_id": "x"}}, ""},
		{"window bounds", provider.Spec{Resource: "lead", Filters: map[string]string{"date_created__gte": "2024-01-01", "date_created__lt": "2024-02-01"}}, ""},
		{"offset date filter", provider.Spec{Resource: "lead", Strategy: "offset", Filters: map[string]string{"date_created__gt": "2024-01-01"}}, ""},
		{"search", provider.Spec{Resource: "search", Query: []byte(`{"type":"and","queries":[]}`)}, ""},
		{"unknown", provider.Spec{Resource: "leads"}, `"leads" is not a close resource; allowed: activity, contact, event, lead, opportunity, search`},
		{"page size", provider.Spec{Resource: "lead", PageSize: 101}, "maximum for lead is 100"},
		{"event page size", provider.Spec{Resource: "event", PageSize: 51}, "maximum for event is 50"},
		{"strategy", provider.Spec{Resource: "lead", Strategy: "cursor"}, "allowed: window, offset"},
		{"reserved", provider.Spec{Resource: "lead", Filters: map[string]string{"_skip": "5"}}, "_fields, _limit, _order_by, _skip"},
		{"window date filter", provider.Spec{Resource: "lead", Filters: map[string]string{"date_created__gt": "2024-01-01"}}, "window strategy bounds date_created"},
		{"since twice", provider.Spec{Resource: "lead", Since: time.Now(), Filters: map[string]string{"date_updated__gte": "2024-01-01"}}, "not both"},
		{"search needs query", provider.Spec{Resource: "search"}, "search needs query"},
		{"search query object", provider.Spec{Resource: "search", Query: []byte(`"x"`)}, "must be a JSON object"},
		{"search fields", provider.Spec{Resource: "search", Query: []byte(`{}`), Fields: []string{"lead."}}, "object_type.field"},
		{"event filter", provider.Spec{Resource: "event", Filters: map[string]string{"foo": "x"}}, "allowed: action, date_updated__gte"},
		{"list query", provider.Spec{Resource: "lead", Query: []byte(`{}`)}, "query"},
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
	p := plan(t, c, provider.Spec{Resource: "lead", Fields: []string{"display_name"}})
	if p.Strategy != provider.StrategyWindow || p.PageSize != 100 || p.MaxParallel != 8 || strings.Join(p.Fields, ",") != "id,date_created,display_name" {
		t.Fatalf("plan %+v", p)
	}
	if _, err := New(Config{}, nil).Validate(provider.Spec{Resource: "lead"}); err == nil || !strings.Contains(err.Error(), "CLOSE_API_KEY is not set") {
		t.Fatalf("got %v", err)
	}
}

func TestStartBoundsTheWindow(t *testing.T) {
	c := New(Config{Token: "key"}, nil)
	before := time.Now().UTC().Add(-time.Second)
	pos := c.Start(plan(t, c, provider.Spec{Resource: "lead"}))
	until, err := time.Parse(time.RFC3339Nano, pos.Until)
	if err != nil || pos.From != "" || until.Before(before) || !strings.HasSuffix(pos.Until, "+00:00") {
		t.Fatalf("start %+v (%v)", pos, err)
	}
	pos = c.Start(plan(t, c, provider.Spec{Resource: "lead", Filters: map[string]string{"date_created__gte": "2020-01-01", "date_created__lt": "2021-01-01"}}))
	if pos.From != "2020-01-01" || pos.Until != "2021-01-01" {
		t.Fatalf("start %+v", pos)
	}
}

func recs(dates ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(dates))
	for i, d := range dates {
		out[i] = json.RawMessage(fmt.Sprintf(`{"id":"r%d","date_created":%q}`, i, d))
	}
	return out
}

func TestNextWindow(t *testing.T) {
	const a, b, c = "2024-01-01T00:00:00.000000+00:00", "2024-01-02T00:00:00.000000+00:00", "2024-01-03T00:00:00.000000+00:00"
	cases := []struct {
		name string
		pos  provider.Position
		page []json.RawMessage
		want provider.Position
	}{
		{"restart at last", provider.Position{Until: "u"}, recs(a, b, c), provider.Position{From: c, Offset: 1, Until: "u"}},
		{"skip ties on this page", provider.Position{Until: "u"}, recs(a, b, b), provider.Position{From: b, Offset: 2, Until: "u"}},
		{"tied with from", provider.Position{From: b, Offset: 2, Until: "u"}, recs(b, b, b), provider.Position{From: b, Offset: 5, Until: "u"}},
		{"leave from", provider.Position{From: b, Offset: 2, Until: "u"}, recs(b, c, c), provider.Position{From: c, Offset: 2, Until: "u"}},
		{"other spelling of from", provider.Position{From: "2024-01-02T00:00:00Z", Offset: 1}, recs(b), provider.Position{From: "2024-01-02T00:00:00Z", Offset: 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := nextWindow("lead", tc.pos, tc.page)
			if err != nil || got != tc.want {
				t.Fatalf("got %+v %v, want %+v", got, err, tc.want)
			}
		})
	}
	if _, err := nextWindow("lead", provider.Position{}, []json.RawMessage{json.RawMessage(`{"id":"x"}`)}); err == nil {
		t.Fatal("a record without date_created was accepted")
	}
}

func TestWindowRequest(t *testing.T) {
	c := serve(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		q := r.URL.Query()
		if !ok || user != "key" || pass != "" || r.URL.Path != "/api/v1/lead/" {
			t.Errorf("auth %q %q %v path %s", user, pass, ok, r.URL.Path)
		}
		if q.Get("_order_by") != "date_created" || q.Get("_skip") != "3" || q.Get("date_created__gte") != "F" || q.Get("date_created__lt") != "U" ||
			q.Get("date_updated__gte") != "2024-01-01T00:00:00.000000+00:00" || q.Get("status_id") != "s" {
			t.Errorf("query %s", r.URL.RawQuery)
		}
		fmt.Fprint(w, `{"data":[{"id":"a","date_created":"F"},{"id":"b","date_created":"G"}],"has_more":true}`)
	})
	p := plan(t, c, provider.Spec{Resource: "lead", Since: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Filters: map[string]string{"status_id": "s"}})
	page, err := c.Fetch(context.Background(), provider.Request{Plan: p, Position: provider.Position{From: "F", Offset: 3, Until: "U"}})
	if err != nil || page.Done || page.Next != (provider.Position{From: "G", Offset: 1, Until: "U"}) {
		t.Fatalf("page %+v err %v", page, err)
	}
}

func TestMaxSkip(t *testing.T) {
	var calls atomic.Int32
	c := serve(t, Config{MaxSkip: 1000, MaxSkipByResource: map[string]int{"activity": 50}}, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(400)
		fmt.Fprint(w, `{"error":"The maximum _skip value is 1000 (max_skip)"}`)
	})
	ctx := context.Background()
	off := plan(t, c, provider.Spec{Resource: "lead", Strategy: "offset"})
	_, err := c.Fetch(ctx, provider.Request{Plan: off, Position: provider.Position{Offset: 1001}})
	if pe := asError(t, err); pe.Retryable || !strings.Contains(pe.Message, "use strategy window") {
		t.Fatalf("got %v", err)
	}
	win := plan(t, c, provider.Spec{Resource: "activity"})
	_, err = c.Fetch(ctx, provider.Request{Plan: win, Position: provider.Position{From: "2024-01-01T00:00:00+00:00", Offset: 51}})
	if pe := asError(t, err); pe.Retryable || !strings.Contains(pe.Message, "51 records share date_created 2024-01-01T00:00:00+00:00") {
		t.Fatalf("got %v", err)
	}
	if calls.Load() != 0 {
		t.Fatalf("%d requests past max skip", calls.Load())
	}
	_, err = c.Fetch(ctx, provider.Request{Plan: off, Position: provider.Position{Offset: 1000}})
	if pe := asError(t, err); pe.Retryable || pe.Status != 400 || !strings.Contains(pe.Message, "max_skip") || !strings.Contains(pe.Message, "strategy window") {
		t.Fatalf("got %v", err)
	}
}

func TestCursorResources(t *testing.T) {
	c := serve(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/event/":
			q := r.URL.Query()
			if q.Get("_cursor") == "" {
				if q.Get("object_type") != "lead" || q.Get("_limit") != "50" {
					t.Errorf("event query %s", r.URL.RawQuery)
				}
				fmt.Fprint(w, `{"data":[{"id":"ev1"}],"cursor_next":"n1"}`)
				return
			}
			fmt.Fprint(w, `{"data":[{"id":"ev2"}],"cursor_next":null}`)
		case "/api/v1/data/search/":
			var body map[string]json.RawMessage
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil || string(body["query"]) != `{"type":"and"}` || string(body["_limit"]) != "100" ||
				string(body["_fields"]) != `{"contact":["id","emails"],"lead":["id","display_name"]}` {
				t.Errorf("search body %v %v", body, err)
			}
			if string(body["cursor"]) == "null" {
				fmt.Fprint(w, `{"data":[{"id":"lead_1"}],"cursor":"abc"}`)
				return
			}
			fmt.Fprint(w, `{"data":[],"cursor":null}`)
		}
	})
	ctx := context.Background()
	ev := plan(t, c, provider.Spec{Resource: "event", Filters: map[string]string{"object_type": "lead"}})
	page, err := c.Fetch(ctx, provider.Request{Plan: ev, Position: c.Start(ev)})
	if err != nil || page.Done || page.Next.Cursor != "n1" {
		t.Fatalf("page %+v err %v", page, err)
	}
	if page, err = c.Fetch(ctx, provider.Request{Plan: ev, Position: page.Next}); err != nil || !page.Done {
		t.Fatalf("page %+v err %v", page, err)
	}
	s := plan(t, c, provider.Spec{Resource: "search", Query: []byte(` {"type":"and"} `), Fields: []string{"display_name", "contact.emails"}})
	page, err = c.Fetch(ctx, provider.Request{Plan: s, Position: c.Start(s)})
	if err != nil || page.Next.Cursor != "abc" {
		t.Fatalf("page %+v err %v", page, err)
	}
	if page, err = c.Fetch(ctx, provider.Request{Plan: s, Position: page.Next}); err != nil || !page.Done {
		t.Fatalf("page %+v err %v", page, err)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		header    [2]string
		body      string
		retryable bool
		delay     time.Duration
		text      string
	}{
		{"429 body", 429, [2]string{}, `{"error":{"rate_reset":1.5,"message":"API call count exceeded","rate_limit":20}}`, true, 1500 * time.Millisecond, "rate limited"},
		{"429 header", 429, [2]string{"RateLimit", "limit=20, remaining=0, reset=4"}, `{}`, true, 4 * time.Second, "rate limited"},
		{"401", 401, [2]string{}, `{"error":"The API key is invalid."}`, false, 0, "close lead: HTTP 401: The API key is invalid."},
		{"field errors", 400, [2]string{}, `{"errors":[],"field-errors":{"_limit":"too big"}}`, false, 0, "_limit: too big"},
		{"502", 502, [2]string{}, ``, true, 0, "Bad Gateway"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := serve(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
				if tc.header[0] != "" {
					w.Header().Set(tc.header[0], tc.header[1])
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			})
			_, err := c.Fetch(context.Background(), provider.Request{Plan: plan(t, c, provider.Spec{Resource: "lead"})})
			pe := asError(t, err)
			if pe.Retryable != tc.retryable || pe.RetryAfter != tc.delay || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("got %#v (%v)", pe, err)
			}
		})
	}
}
