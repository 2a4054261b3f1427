package closeio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
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
	f := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	since := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		spec provider.Spec
		want string
	}{
		{"lead window", provider.Spec{Resource: "lead", Since: since, Filters: f("date_created__gte", "2024-01-01", "date_created__lt", "2024-02-01")}, ""},
		{"contact by lead", provider.Spec{Resource: "contact", Strategy: "offset", Filters: f("lead_id", "lead_1")}, ""},
		{"opportunity filters", provider.Spec{Resource: "opportunity", Strategy: "offset", Filters: f("status_type", "won", "date_created__gt", "2024-01-01")}, ""},
		{"activity on a lead", provider.Spec{Resource: "activity", Filters: f("lead_id", "l", "_type", "Call")}, ""},
		{"event combination", provider.Spec{Resource: "event", Filters: f("object_type", "lead", "action", "created", "date_updated__lt", "2024-01-01")}, ""},
		{"search", provider.Spec{Resource: "search", Query: []byte(`{"type":"and","queries":[]}`)}, ""},
		{"unknown", provider.Spec{Resource: "leads"}, `"leads" is not a close resource; allowed: activity, activity_call, `},
		{"unknown names custom objects", provider.Spec{Resource: "leads"}, `, user, or custom_object.<custom object type id>`},
		{"custom object needs a type", provider.Spec{Resource: "custom_object"}, "not a close resource"},
		{"custom object type shape", provider.Spec{Resource: "custom_object.co/x"}, "not a close resource"},
		{"custom object", provider.Spec{Resource: "custom_object.cotype_1"}, ""},
		{"custom object since", provider.Spec{Resource: "custom_object.cotype_1", Since: since}, "documents no date filter"},
		{"custom object filters", provider.Spec{Resource: "custom_object.cotype_1", Filters: f("lead_id", "l")}, `"lead_id" is not a filter`},
		{"one page size", provider.Spec{Resource: "pipeline", PageSize: 10}, "pipeline comes in one page"},
		{"one page fields", provider.Spec{Resource: "pipeline", Fields: []string{"name"}}, "documents no _fields"},
		{"list without fields", provider.Spec{Resource: "activity_call", Fields: []string{"note"}}, "documents no _fields"},
		{"per-type dates", provider.Spec{Resource: "activity_email", Filters: f("date_created__gte", "2024-01-01")}, "documents no _order_by"},
		{"per-type lead only", provider.Spec{Resource: "activity_sms", Filters: f("user_id", "u")}, "only with lead_id"},
		{"custom activity type needs lead", provider.Spec{Resource: "activity_custom", Filters: f("custom_activity_type_id", "a")}, "only with lead_id"},
		{"task window", provider.Spec{Resource: "task", Since: since, Filters: f("is_complete", "false")}, ""},
		{"user since", provider.Spec{Resource: "user", Since: since}, "leave since unset"},
		{"user order", provider.Spec{Resource: "user", Filters: f("_order_by", "last_name,first_name")}, `"_order_by" is not a filter`},
		{"list page size", provider.Spec{Resource: "lead", Strategy: "offset", PageSize: 101}, "maximum for lead is 100"},
		{"window page size", provider.Spec{Resource: "contact", PageSize: 201}, "maximum for contact is 200"},
		{"event page size", provider.Spec{Resource: "event", PageSize: 51}, "maximum for event is 50"},
		{"strategy", provider.Spec{Resource: "lead", Strategy: "cursor"}, "allowed: window, offset"},
		{"lead list takes no filter", provider.Spec{Resource: "lead", Strategy: "offset", Filters: f("status_id", "s")}, `"status_id" is not a filter GET /api/v1/lead/ documents; allowed: none`},
		{"lead window bounds only", provider.Spec{Resource: "contact", Filters: f("lead_id", "x")}, "allowed: date_created__gte, date_created__lt"},
		{"lead window bound format", provider.Spec{Resource: "lead", Filters: f("date_created__gte", "yesterday")}, "not a date or RFC 3339 time"},
		{"owned", provider.Spec{Resource: "opportunity", Filters: f("_skip", "5")}, `"_skip" is not a filter`},
		{"group by", provider.Spec{Resource: "opportunity", Filters: f("_group_by", "user_id")}, `"_group_by" is not a filter`},
		{"window date filter", provider.Spec{Resource: "activity", Filters: f("date_created__gt", "2024-01-01")}, "window strategy bounds date_created"},
		{"activity_at", provider.Spec{Resource: "activity", Strategy: "offset", Filters: f("activity_at__gt", "2024-01-01")}, "_order_by=-activity_at"},
		{"activity type without lead", provider.Spec{Resource: "activity", Filters: f("_type", "Call")}, "only with lead_id"},
		{"since twice", provider.Spec{Resource: "opportunity", Since: since, Filters: f("date_updated__gte", "2024-01-01")}, "not both"},
		{"activity since twice", provider.Spec{Resource: "activity", Strategy: "offset", Since: since, Filters: f("date_created__gte", "2024-01-01")}, "not both"},
		{"lead list since", provider.Spec{Resource: "lead", Strategy: "offset", Since: since}, "documents no date filter"},
		{"search needs query", provider.Spec{Resource: "search"}, "search needs query"},
		{"search query object", provider.Spec{Resource: "search", Query: []byte(`"x"`)}, "must be a JSON object"},
		{"search fields", provider.Spec{Resource: "search", Query: []byte(`{}`), Fields: []string{"lead."}}, "object_type.field"},
		{"event filter", provider.Spec{Resource: "event", Filters: f("foo", "x")}, "allowed: object_type, object_id, lead_id"},
		{"event alone", provider.Spec{Resource: "event", Filters: f("object_type", "lead")}, "only these event filter combinations"},
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
	if _, err := New(Config{Token: "key", SearchCap: 100}, nil).Validate(provider.Spec{Resource: "lead", PageSize: 51}); err == nil || !strings.Contains(err.Error(), "over half of CLOSE_SEARCH_CAP") {
		t.Fatalf("got %v", err)
	}
	if _, err := New(Config{}, nil).Validate(provider.Spec{Resource: "lead"}); err == nil || !strings.Contains(err.Error(), "CLOSE_API_KEY is not set") {
		t.Fatalf("got %v", err)
	}
}

func TestValidateFields(t *testing.T) {
	c := New(Config{Token: "key"}, nil)
	cases := []struct {
		spec provider.Spec
		want string
	}{
		{provider.Spec{Resource: "lead"}, strings.Join(objectFields["lead"], ",")},
		{provider.Spec{Resource: "contact"}, strings.Join(objectFields["contact"], ",")},
		{provider.Spec{Resource: "lead", Fields: []string{"display_name"}}, "id,date_created,display_name"},
		{provider.Spec{Resource: "lead", Fields: []string{"name", "id"}, Since: time.Now()}, "date_created,date_updated,name,id"},
		{provider.Spec{Resource: "lead", Strategy: "offset"}, ""},
		{provider.Spec{Resource: "opportunity", Fields: []string{"value"}, Since: time.Now()}, "id,date_created,date_updated,value"},
		{provider.Spec{Resource: "activity", Fields: []string{"note"}, Since: time.Now()}, "id,date_created,note"},
	}
	for _, tc := range cases {
		p := plan(t, c, tc.spec)
		if got := strings.Join(p.Fields, ","); got != tc.want {
			t.Errorf("%+v: fields %q, want %q", tc.spec, got, tc.want)
		}
	}
	p := plan(t, c, provider.Spec{Resource: "lead"})
	if p.Strategy != provider.StrategyWindow || p.PageSize != 100 || p.MaxParallel != 8 {
		t.Fatalf("plan %+v", p)
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
	// Activities document no date_updated filter: since is a date_created bound.
	pos = c.Start(plan(t, c, provider.Spec{Resource: "activity", Since: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}))
	if pos.From != "2020-01-01T00:00:00.000000+00:00" {
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

// TestListRequests pins every query parameter each list request sends: all documented for
// its endpoint, none more.
func TestListRequests(t *testing.T) {
	since := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	const s = "2024-01-01T00%3A00%3A00.000000%2B00%3A00"
	cases := []struct {
		name string
		spec provider.Spec
		pos  provider.Position
		want string
	}{
		{"lead offset", provider.Spec{Resource: "lead", Strategy: "offset", Fields: []string{"display_name"}}, provider.Position{Offset: 200},
			"_fields=id%2Cdate_created%2Cdisplay_name&_limit=100&_skip=200"},
		{"contact offset", provider.Spec{Resource: "contact", Strategy: "offset", Filters: map[string]string{"lead_id": "lead_1"}}, provider.Position{},
			"_limit=100&_skip=0&lead_id=lead_1"},
		{"opportunity offset", provider.Spec{Resource: "opportunity", Strategy: "offset", Since: since, Filters: map[string]string{"status_type": "won"}}, provider.Position{},
			"_limit=100&_order_by=date_created&_skip=0&date_updated__gte=" + s + "&status_type=won"},
		{"activity offset", provider.Spec{Resource: "activity", Strategy: "offset", Since: since}, provider.Position{},
			"_limit=100&_order_by=date_created&_skip=0&date_created__gte=" + s},
		{"opportunity window", provider.Spec{Resource: "opportunity", Since: since}, provider.Position{From: "F", Offset: 3, Until: "U"},
			"_limit=100&_order_by=date_created&_skip=3&date_created__gte=F&date_created__lt=U&date_updated__gte=" + s},
		{"activity window", provider.Spec{Resource: "activity", Since: since, Filters: map[string]string{"lead_id": "l"}}, provider.Position{From: "F", Until: "U"},
			"_limit=100&_order_by=date_created&_skip=0&date_created__gte=F&date_created__lt=U&lead_id=l"},
		{"event", provider.Spec{Resource: "event", Since: since, Filters: map[string]string{"lead_id": "l", "object_type": "lead"}}, provider.Position{},
			"_limit=50&date_updated__gte=" + s + "&lead_id=l&object_type=lead"},
		{"event cursor", provider.Spec{Resource: "event", Filters: map[string]string{"lead_id": "l", "date_updated__lt": "2024-02-01"}}, provider.Position{Cursor: "n1"},
			"_cursor=n1&_limit=50&lead_id=l"},
		{"task window", provider.Spec{Resource: "task", Since: since}, provider.Position{From: "F", Until: "U"},
			"_limit=100&_order_by=date_created&_skip=0&_type=all&date_created__gte=F&date_created__lt=U&date_updated__gte=" + s},
		{"tasks of some types", provider.Spec{Resource: "task", Strategy: "offset", Filters: map[string]string{"_type__in": "voicemail,missed_call"}}, provider.Position{},
			"_limit=100&_order_by=date_created&_skip=0&_type__in=voicemail%2Cmissed_call"},
		{"smart views of every type", provider.Spec{Resource: "saved_search"}, provider.Position{Offset: 100},
			"_limit=100&_skip=100&type__in=lead%2Ccontact%2Copportunity%2Ccall%2Cemail%2Csms%2Cmeeting%2Cnote%2Cwhatsapp_message%2Ccustom_activity%2Cform_submission"},
		{"smart views of one type", provider.Spec{Resource: "saved_search", Filters: map[string]string{"type": "contact"}}, provider.Position{},
			"_limit=100&_skip=0&type=contact"},
		{"users", provider.Spec{Resource: "user", PageSize: 30}, provider.Position{Offset: 60}, "_limit=30&_skip=60"},
		{"calls on a lead", provider.Spec{Resource: "activity_call", Filters: map[string]string{"lead_id": "l", "user_id": "u"}}, provider.Position{},
			"_limit=100&_skip=0&lead_id=l&user_id=u"},
		{"meetings", provider.Spec{Resource: "activity_meeting", Fields: []string{"title"}}, provider.Position{}, "_fields=id%2Ctitle&_limit=100&_skip=0"},
		{"pipelines", provider.Spec{Resource: "pipeline"}, provider.Position{}, ""},
		{"opportunity statuses", provider.Spec{Resource: "status_opportunity", Fields: []string{"label"}}, provider.Position{}, "_fields=id%2Clabel"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := serve(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.RawQuery != tc.want {
					t.Errorf("query\n got %s\nwant %s", r.URL.RawQuery, tc.want)
				}
				for k := range r.URL.Query() {
					if !slices.Contains(rowFor(tc.spec.Resource).params, k) {
						t.Errorf("%s is not documented for %s", k, tc.spec.Resource)
					}
				}
				fmt.Fprint(w, `{"data":[],"has_more":false,"cursor_next":null}`)
			})
			c.now = func() time.Time { return since.Add(24 * time.Hour) } // within the 30 days of events
			p := plan(t, c, tc.spec)
			if _, err := c.Fetch(context.Background(), provider.Request{Plan: p, Position: tc.pos}); err != nil {
				t.Fatal(err)
			}
		})
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
				if q.Get("object_type") != "lead" || q.Get("lead_id") != "l" || q.Get("_limit") != "50" {
					t.Errorf("event query %s", r.URL.RawQuery)
				}
				fmt.Fprint(w, `{"data":[{"id":"ev1","date_updated":"2024-01-02T00:00:00.000000+00:00"}],"cursor_next":"n1"}`)
				return
			}
			fmt.Fprint(w, `{"data":[{"id":"ev2","date_updated":"2024-01-01T00:00:00.000000+00:00"}],"cursor_next":null}`)
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
	ev := plan(t, c, provider.Spec{Resource: "event", Filters: map[string]string{"object_type": "lead", "lead_id": "l"}})
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
		{"429 header semicolons", 429, [2]string{"RateLimit", "limit=160; remaining=0; reset=2.5"}, `{}`, true, 2500 * time.Millisecond, "rate limited"},
		{"429 retry-after", 429, [2]string{"Retry-After", "3"}, `{}`, true, 3 * time.Second, "rate limited"},
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
