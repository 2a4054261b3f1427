package sandbox

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/apispec"
)

// The Close lead list documents only _limit, _skip and _fields: _order_by and date filters
// are dropped unread, so the answer is the default order, and each drop is counted.
func TestUndocumentedParametersAreIgnoredAndCounted(t *testing.T) {
	s, ts := start(t, Options{Records: 300})
	all := closeRecs(t, s.Dataset(Close, "lead"))
	mid := url.QueryEscape(all[150].DateCreated)
	cases := []struct {
		name, query string
		keys        []string
	}{
		{"order_by", "?_order_by=date_created&_limit=5", []string{"_order_by"}},
		{"date window", "?date_created__gte=" + mid + "&date_created__lt=" + mid + "&_limit=5",
			[]string{"date_created__gte", "date_created__lt"}},
		{"query", "?query=name:acme&_limit=5", []string{"query"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := s.Stats().Undocumented
			var p closePage
			get(t, ts.URL+"/api/v1/lead/"+c.query, closeAuth).decode(t, 200, &p)
			got := closeRecs(t, p.Data)
			for k := range got {
				if got[k].ID != all[k].ID {
					t.Fatalf("record %d = %s, want the default order's %s", k, got[k].ID, all[k].ID)
				}
			}
			after := s.Stats().Undocumented
			for _, p := range c.keys {
				key := "close GET /api/v1/lead/ " + p
				if after[key] != before[key]+1 {
					t.Errorf("Undocumented[%q] = %d, want %d", key, after[key], before[key]+1)
				}
			}
		})
	}
	// Documented parameters still work: _fields and _skip on leads.
	var p closePage
	get(t, ts.URL+"/api/v1/lead/?_skip=10&_limit=1&_fields=id", closeAuth).decode(t, 200, &p)
	if got := closeRecs(t, p.Data); len(got) != 1 || got[0].ID != all[10].ID || got[0].DateCreated != "" {
		t.Fatalf("_skip/_fields: %+v", got)
	}
	if n := len(s.Stats().Undocumented); n != 4 {
		t.Errorf("Undocumented has %d keys, want 4: %v", n, s.Stats().Undocumented)
	}
}

func TestUndocumentedBodyFieldsAreDropped(t *testing.T) {
	s, ts := start(t, Options{Records: 20})
	var p struct{ Data []map[string]any }
	// An undocumented "page_size" must not change Attio's limit.
	call(t, "POST", ts.URL+"/v2/objects/people/records/query", attioAuth, map[string]any{"limit": 3, "page_size": 1}).decode(t, 200, &p)
	if len(p.Data) != 3 {
		t.Fatalf("got %d records, want 3", len(p.Data))
	}
	lead := map[string]any{"type": "object_type", "object_type": "lead"}
	call(t, "POST", ts.URL+"/api/v1/data/search/", closeAuth, map[string]any{"query": lead, "_limit": 2, "limit": 1}).decode(t, 200, &p)
	st := s.Stats().Undocumented
	if len(p.Data) != 2 || st["attio POST /v2/objects/{object}/records/query body.page_size"] != 1 ||
		st["close POST /api/v1/data/search/ body.limit"] != 1 {
		t.Fatalf("got %d results, stats %v", len(p.Data), st)
	}
}

// Documented parameters the sandbox does not implement are refused in the provider's shape,
// never silently ignored.
func TestUnimplementedDocumentedParametersAre400(t *testing.T) {
	_, ts := start(t, Options{Records: 5})
	cases := []struct {
		url  string
		a    auth
		want string
	}{
		{"/api/v4/contacts.json?ids%5B%5D=1", clioAuth, "ArgumentError"},
		{"/api/v1/opportunity/?date_won__gte=2024-01-01", closeAuth, "field-errors"},
		{"/api/v1/activity/?activity_at__gt=2024-01-01", closeAuth, "field-errors"},
		{"/v2/meetings?sort=start_asc", attioAuth, "validation_type"},
	}
	for _, c := range cases {
		get(t, ts.URL+c.url, c.a).contains(t, 400, c.want)
	}
}

func TestCloseListsHonourTheirDocumentedFilters(t *testing.T) {
	s, ts := start(t, Options{Records: 400})
	opps := closeRecs(t, s.Dataset(Close, "opportunity"))
	at := url.QueryEscape(opps[100].DateCreated)
	var p struct {
		closePage
		Total *int `json:"total_results"`
	}
	get(t, ts.URL+"/api/v1/opportunity/?_limit=100&date_created__gt="+at, closeAuth).decode(t, 200, &p)
	want := 0
	for _, o := range opps {
		if o.DateCreated > opps[100].DateCreated {
			want++
		}
	}
	if p.Total == nil || *p.Total != want || len(p.Data) != 100 {
		t.Fatalf("total_results %v, %d records; want %d", p.Total, len(p.Data), want)
	}

	// Contacts filter by lead_id; the contact's own lead_id is the one asked for.
	type contact struct {
		LeadID string `json:"lead_id"`
	}
	var c struct{ Data []contact }
	get(t, ts.URL+"/api/v1/contact/?_limit=1", closeAuth).decode(t, 200, &c)
	lead := c.Data[0].LeadID
	get(t, ts.URL+"/api/v1/contact/?_limit=100&lead_id="+lead, closeAuth).decode(t, 200, &c)
	if len(c.Data) == 0 || slices.ContainsFunc(c.Data, func(d contact) bool { return d.LeadID != lead }) {
		t.Fatalf("lead_id filter gave %+v", c.Data)
	}
}

// Activity date filters apply only with an explicit _order_by on date_created, and _type
// only with lead_id; otherwise the docs make them no-ops, which Stats.Ignored counts.
func TestCloseActivityFilterRules(t *testing.T) {
	s, ts := start(t, Options{Records: 300})
	acts := closeRecs(t, s.Dataset(Close, "activity"))
	at := url.QueryEscape(acts[100].DateCreated) // default order is newest first
	var p closePage
	get(t, ts.URL+"/api/v1/activity/?_limit=100&date_created__gte="+at+"&_type=Call", closeAuth).decode(t, 200, &p)
	if got := closeRecs(t, p.Data); got[0].ID != acts[0].ID || len(got) != 100 {
		t.Fatalf("without _order_by the date filter must do nothing: first %s", got[0].ID)
	}
	ign := s.Stats().Ignored
	if ign["close GET /api/v1/activity/ date_created__gte"] != 1 || ign["close GET /api/v1/activity/ _type"] != 1 {
		t.Fatalf("Ignored = %v", ign)
	}
	want := 0
	for _, a := range acts {
		if a.DateCreated >= acts[100].DateCreated {
			want++
		}
	}
	if got := walkSkip(t, ts.URL+"/api/v1/activity/?_order_by=-date_created&date_created__gte="+at); len(got) != want {
		t.Fatalf("with _order_by the filter applies: %d records, want %d", len(got), want)
	}
}

func TestEndpointsListTheTables(t *testing.T) {
	s := New(Options{Records: 1})
	rows := map[string]Endpoint{}
	for _, e := range s.Endpoints() {
		rows[e.Provider+" "+e.Method+" "+e.Path] = e
		if e.Ref == "" || e.Query == nil {
			t.Errorf("%+v: every row needs a reference and a query list", e)
		}
	}
	lead := rows["close GET /api/v1/lead/"]
	if !slices.Equal(slices.Sorted(slices.Values(lead.Query)), []string{"_fields", "_limit", "_skip"}) {
		t.Errorf("lead row %v", lead.Query)
	}
	if slices.Contains(rows["clio GET /api/v4/calendar_entries.json"].Query, "order") ||
		!slices.Contains(rows["clio GET /api/v4/matters.json"].Query, "order") {
		t.Error("order is documented for matters, not for calendar_entries")
	}
	if slices.Contains(rows["close GET /api/v1/event/"].Query, "_skip") {
		t.Error("events do not support _skip")
	}
	for _, p := range []string{Clio, Close, Clever} {
		for _, r := range s.Resources(p) {
			path := map[string]string{Close: closePath(r), Clever: "/v3.1/" + r}[p]
			if p == Clio {
				path = "/api/v4/" + s.apis[Clio].(*clio).actions[r].path + ".json"
			}
			if _, ok := rows[p+" GET "+path]; !ok {
				t.Errorf("no row for %s %s", p, path)
			}
		}
	}
}

// Clio does not document order for calendar entries: it is dropped, so order=id(desc)
// changes nothing: the entries come by id, paged by page_token as they are without it.
func TestClioCalendarEntriesIgnoreOrder(t *testing.T) {
	s, ts := start(t, Options{Records: 30})
	var p clioPage
	get(t, ts.URL+"/api/v4/calendar_entries.json?order=id(desc)&limit=5&fields=id,summary,start_at", clioAuth).decode(t, 200, &p)
	all := idsOf(s, Clio, s.Dataset(Clio, "calendar_entries"))
	sameStrings(t, idsOf(s, Clio, p.Data), all[:5])
	if !strings.Contains(p.Meta.Paging.Next, "page_token=") {
		t.Errorf("next %q, want cursor paging", p.Meta.Paging.Next)
	}
	if s.Stats().Undocumented["clio GET /api/v4/calendar_entries.json order"] != 1 {
		t.Errorf("order not counted: %v", s.Stats().Undocumented)
	}
}

// Every endpoint the sandbox serves takes its documented lists from the spec facts (or a
// reading where the spec has no path), never from a list written beside the sandbox alone;
// a parameter the facts list that the sandbox does not implement is refused, not ignored.
func TestDocumentedListsAreTheSpecs(t *testing.T) {
	s, ts := start(t, Options{Records: 5})
	for _, e := range s.Endpoints() {
		f, ok := apispec.Lookup(e.Provider, e.Method, e.Path)
		if !ok || e.Spec == "" {
			t.Errorf("%s %s %s: no spec or reading covers it", e.Provider, e.Method, e.Path)
			continue
		}
		if !slices.Equal(e.Query, apispec.Names(f.Query)) || len(f.Body) > 0 && !slices.Equal(e.Body, apispec.Names(f.Body)) {
			t.Errorf("%s %s %s: query %v body %v, the spec's %v %v", e.Provider, e.Method, e.Path,
				e.Query, e.Body, apispec.Names(f.Query), apispec.Names(f.Body))
		}
	}
	// bill_number is in the spec's list for bills and nowhere in the hand table.
	get(t, ts.URL+"/api/v4/bills.json?bill_number=7", clioAuth).contains(t, 400, "bill_number")
}

// A request the facts refuse beyond an unlisted name is counted in OffSpec, keyed by the
// endpoint's pattern.
func TestOffSpecRequestsAreCounted(t *testing.T) {
	s, ts := start(t, Options{Records: 5})
	get(t, ts.URL+"/api/v4/contacts.json?fields=id,nickname&limit=5", clioAuth)
	get(t, ts.URL+"/v3.1/users?role=principal&limit=2", cleverAuth)
	get(t, ts.URL+"/api/v1/not_an_endpoint/", closeAuth)
	call(t, "POST", ts.URL+"/api/v1/data/search/", closeAuth, map[string]any{"_limit": 2})
	want := []string{
		`clio GET /api/v4/contacts.json fields: "nickname" is not a field of the record`,
		`clever GET /v3.1/users role: "principal" is not one of contact, district_admin, staff, student, teacher`,
		"close GET /api/v1/not_an_endpoint/ (no spec or reading has the endpoint)",
		"close POST /api/v1/data/search/ body.query: required, not sent",
	}
	got := s.Stats().OffSpec
	for _, k := range want {
		if got[k] != 1 {
			t.Errorf("OffSpec[%q] = %d; all: %v", k, got[k], got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("OffSpec has %d keys, want %d: %v", len(got), len(want), got)
	}
}

// A field selection that leaves out fields the spec's record has is counted in Narrowed:
// named fields, no fields at all where the API then answers a bare record, and Advanced
// Filtering's per-type _fields.
func TestNarrowedSelectionsAreCounted(t *testing.T) {
	s, ts := start(t, Options{Records: 5})
	get(t, ts.URL+"/api/v4/practice_areas.json?fields=id,name", clioAuth)
	get(t, ts.URL+"/api/v4/practice_areas.json", clioAuth)
	lead := map[string]any{"type": "object_type", "object_type": "lead"}
	call(t, "POST", ts.URL+"/api/v1/data/search/", closeAuth, map[string]any{"query": lead, "_limit": 2})
	call(t, "POST", ts.URL+"/api/v1/data/search/", closeAuth,
		map[string]any{"query": lead, "_limit": 2, "_fields": map[string][]string{"lead": {"id", "name"}}})
	got := s.Stats().Narrowed
	for _, prefix := range []string{
		"clio GET /api/v4/practice_areas.json fields leaves out ",
		"clio GET /api/v4/practice_areas.json fields not sent",
		"close POST /api/v1/data/search/ body._fields not sent",
		"close POST /api/v1/data/search/ body._fields.lead leaves out ",
	} {
		n := 0
		for k, v := range got {
			if strings.HasPrefix(k, prefix) {
				n += v
			}
		}
		if n != 1 {
			t.Errorf("%d requests counted as %q; all: %v", n, prefix, got)
		}
	}
	for k := range got {
		if _, list, ok := strings.Cut(k, "lead leaves out "); ok {
			left := strings.Split(list, ",")
			if !slices.Contains(left, "custom") || !slices.Contains(left, "url") || slices.Contains(left, "name") || slices.Contains(left, "id") {
				t.Errorf("%s: want custom and every documented field but id and name", k)
			}
		}
	}
}
