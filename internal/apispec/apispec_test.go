package apispec

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func lookup(t *testing.T, provider, method, path string) Endpoint {
	t.Helper()
	e, ok := Lookup(provider, method, path)
	if !ok {
		t.Fatalf("no facts for %s %s %s", provider, method, path)
	}
	return e
}

func param(t *testing.T, e Endpoint, name string) Field {
	t.Helper()
	f, ok := e.Param(name)
	if !ok {
		t.Fatalf("%s %s lists no %s; it lists %v", e.Method, e.Path, name, Names(e.Query))
	}
	return f
}

// A few facts each spec states, read through Lookup as the checks read them.
func TestFactsOfEachSpec(t *testing.T) {
	lead := lookup(t, "close", "GET", "/api/v1/lead/")
	if got := Names(lead.Query); !slices.Equal(got, []string{"_fields", "_limit", "_skip"}) {
		t.Errorf("Close leads list %v", got)
	}
	if !lead.List || lead.Doc() == nil || !strings.HasPrefix(lead.Doc().File, "close/") {
		t.Errorf("Close leads: list %v, doc %v", lead.List, lead.Doc())
	}
	if f, ok := fieldNamed(lead.RecordFields(), "status_label"); !ok || f.Type != "string" {
		t.Errorf("a Close lead's status_label: %+v", f)
	}
	contacts := lookup(t, "clio", "GET", "/api/v4/contacts.json")
	if f := param(t, contacts, "limit"); f.Max == nil || *f.Max != 200 || f.MaxFrom != "description" {
		t.Errorf("Clio contacts limit: %+v", f)
	}
	if f := param(t, contacts, "order"); !slices.Contains(f.Enum, "id(asc)") {
		t.Errorf("Clio contacts order enum: %v", f.Enum)
	}
	addresses, ok := fieldNamed(contacts.RecordFields(), "addresses")
	if !ok || addresses.Type != "array" {
		t.Fatalf("a Clio contact's addresses: %+v", addresses)
	}
	if _, ok := fieldNamed(contacts.Nested(addresses), "street"); !ok {
		t.Errorf("a Clio address has no street: %v", Names(contacts.Nested(addresses)))
	}
	notes := lookup(t, "attio", "GET", "/v2/notes")
	if f := param(t, notes, "limit"); f.Max == nil || *f.Max != 50 {
		t.Errorf("Attio notes limit: %+v", f)
	}
	query := lookup(t, "attio", "POST", "/v2/objects/people/records/query")
	if query.Path != "/v2/objects/{object}/records/query" || !slices.Contains(Names(query.Body), "offset") {
		t.Errorf("Attio records query: %s, body %v", query.Path, Names(query.Body))
	}
	users := lookup(t, "clever", "GET", "/v3.1/users")
	if f := param(t, users, "role"); !slices.Contains(f.Enum, "teacher") {
		t.Errorf("Clever users role: %+v", f)
	}
}

// Readings add what a spec leaves out, and each is marked with the page it was read on.
func TestReadingsApply(t *testing.T) {
	event := lookup(t, "close", "GET", "/api/v1/event/")
	if _, ok := event.Param("_skip"); ok {
		t.Error("Close events still list _skip, which the description says is not supported")
	}
	if f := param(t, event, "_cursor"); f.Reading == "" {
		t.Errorf("_cursor is not marked as a reading: %+v", f)
	}
	if f := param(t, event, "_limit"); f.Max == nil || *f.Max != 50 {
		t.Errorf("event _limit: %+v", f)
	}
	search := lookup(t, "close", "POST", "/api/v1/data/search/")
	if search.Reading == "" || search.Doc() != nil {
		t.Errorf("Advanced Filtering should come from a reading alone: %+v", search)
	}
	if f := param(t, lookup(t, "clio", "GET", "/api/v4/matters.json"), "offset"); f.Reading == "" {
		t.Errorf("Clio offset: %+v", f)
	}
	if _, ok := lookup(t, "clio", "GET", "/api/v4/matters/{id}.json").Param("offset"); ok {
		t.Error("offset is added to a single matter, which has no paging")
	}
	if _, ok := fieldNamed(lookup(t, "close", "GET", "/api/v1/lead/").RecordFields(), "custom.cf_abc"); !ok {
		t.Error("custom.cf_<id> is not a lead field")
	}
}

// Every reading still reaches an endpoint: a spec that gains or renames it shows here.
func TestEveryReadingReachesAnEndpoint(t *testing.T) {
	for _, r := range Readings() {
		if r.Endpoint != nil {
			if _, ok := Lookup(r.Provider, r.Endpoint.Method, r.Endpoint.Path); !ok {
				t.Errorf("reading %s reaches nothing", r.Ref)
			}
			for _, d := range Documents() {
				for _, e := range d.Endpoints {
					if d.Provider == r.Provider && e.Method == r.Endpoint.Method && e.Path == r.Endpoint.Path {
						t.Errorf("%s %s is in %s now: the reading should go", e.Method, e.Path, d.File)
					}
				}
			}
			continue
		}
		n := 0
		for _, d := range Documents() {
			for _, e := range d.Endpoints {
				if r.applies(d.Provider, e) {
					n++
				}
			}
		}
		if n == 0 {
			t.Errorf("reading %s %s %s (%s) reaches no endpoint", r.Provider, r.Method, r.Path, r.Ref)
		}
	}
}

func TestCheck(t *testing.T) {
	contacts := lookup(t, "clio", "GET", "/api/v4/contacts.json")
	tasks := lookup(t, "attio", "GET", "/v2/tasks")
	query := lookup(t, "attio", "POST", "/v2/objects/{object}/records/query")
	search := lookup(t, "close", "POST", "/api/v1/data/search/")
	cases := []struct {
		name  string
		e     Endpoint
		query string
		body  string
		want  []string
	}{
		{"documented", contacts, "limit=200&order=id(asc)&fields=id,name,addresses{street,city}&ids[]=4&custom_field_values[12]=%3D3", "", nil},
		{"unlisted", contacts, "page_size=5", "", []string{"page_size: not listed"}},
		{"over the maximum", contacts, "limit=201", "", []string{"limit: 201 is over the maximum 200"}},
		{"not an integer", contacts, "limit=ten", "", []string{`limit: "ten" is not an integer`}},
		{"outside the enum", contacts, "order=updated_at(asc)", "", []string{`order: "updated_at(asc)" is not one of`}},
		{"unknown field", contacts, "fields=id,nickname", "", []string{`fields: "nickname" is not a field of the record`}},
		{"unknown nested field", contacts, "fields=addresses{street,planet}", "", []string{`fields: "planet" is not a field of addresses`}},
		{"boolean", tasks, "is_completed=yes", "", []string{`is_completed: "yes" is not a boolean`}},
		{"body", query, "", `{"limit":500,"offset":0,"sorts":[],"filter":{}}`, nil},
		{"body unlisted", query, "", `{"limit":5,"page":2}`, []string{"body.page: not listed"}},
		{"body type", query, "", `{"limit":"5"}`, []string{"body.limit: a JSON string, not number"}},
		{"body required", search, "", `{"_limit":10}`, []string{"body.query: required, not sent"}},
		{"body maximum", search, "", `{"query":{},"_limit":201}`, []string{"body._limit: 201 is over the maximum 200"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			var body map[string]json.RawMessage
			if c.body != "" {
				if err := json.Unmarshal([]byte(c.body), &body); err != nil {
					t.Fatal(err)
				}
			}
			got := c.e.Check(q, body)
			if len(got) != len(c.want) {
				t.Fatalf("problems %v, want %v", got, c.want)
			}
			for k, p := range got {
				if !strings.HasPrefix(p.String(), c.want[k]) {
					t.Errorf("problem %q, want %q", p, c.want[k])
				}
			}
		})
	}
}

func TestRequiredQueryParameter(t *testing.T) {
	for _, d := range Documents() {
		for _, e := range d.Endpoints {
			for _, f := range e.Query {
				if !f.Required {
					continue
				}
				if got := e.Check(url.Values{}, nil); !slices.ContainsFunc(got, func(p Problem) bool {
					return p.Param == f.Name && p.What == "required, not sent"
				}) {
					t.Fatalf("%s %s: %s is required, yet an empty query gives %v", e.Method, e.Path, f.Name, got)
				}
				return
			}
		}
	}
	t.Fatal("no spec has a required query parameter: the generator drops required")
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, path string
		ok            bool
	}{
		{"/api/v4/contacts/{id}.json", "/api/v4/contacts/12.json", true},
		{"/api/v4/contacts/{id}.json", "/api/v4/contacts/.json", false},
		{"/api/v4/contacts/{id}.json", "/api/v4/contacts/12", false},
		{"/v2/objects/{object}/records/query", "/v2/objects/people/records/query", true},
		{"/v2/objects/{object}/records/query", "/v2/objects/{object}/records/query", true},
		{"/api/v1/lead/", "/api/v1/lead", false},
	} {
		if _, ok := match(c.pattern, c.path); ok != c.ok {
			t.Errorf("match(%q, %q) = %v", c.pattern, c.path, ok)
		}
	}
	// The most literal pattern wins: /v2/objects/{object} over /v2/{target}/{identifier}.
	if e := lookup(t, "attio", "GET", "/v2/objects/people/attributes"); e.Path != "/v2/{target}/{identifier}/attributes" {
		t.Errorf("attributes: %s", e.Path)
	}
	if e := lookup(t, "attio", "GET", "/v2/objects/people"); e.Path != "/v2/objects/{object}" {
		t.Errorf("object: %s", e.Path)
	}
}

func TestUnasked(t *testing.T) {
	lead := lookup(t, "close", "GET", "/api/v1/lead/")
	all := strings.Join(Names(lead.RecordFields()), ",")
	if left := lead.Unasked(all); len(left) != 0 {
		t.Errorf("every field named, yet %v left out", left)
	}
	left := lead.Unasked("id,name")
	if !slices.Contains(left, "custom") || !slices.Contains(left, "status_label") || slices.Contains(left, "name") ||
		slices.ContainsFunc(left, func(s string) bool { return strings.HasSuffix(s, "*") }) {
		t.Errorf("id,name leaves out %v", left)
	}
	contacts := lookup(t, "clio", "GET", "/api/v4/contacts.json")
	if left := contacts.Unasked("id,addresses{street}"); slices.Contains(left, "addresses") || !slices.Contains(left, "name") {
		t.Errorf("Clio nested selection: %v", left)
	}
}
