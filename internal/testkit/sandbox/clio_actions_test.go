package sandbox

import (
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// walkClio follows a cursor walk from first and returns every record served.
func walkClio(t *testing.T, first string) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	for next := first; next != ""; {
		var p clioPage
		get(t, next, clioAuth).decode(t, 200, &p)
		out = append(out, p.Data...)
		next = p.Meta.Paging.Next
	}
	return out
}

// allFields asks for every field the action documents: nested values with every field of
// their schema, nested references bare.
func allFields(a *clioAction) string {
	var names []string
	for _, f := range a.schema {
		if !f.nested() || f.reference() {
			names = append(names, f.name)
			continue
		}
		var sub []string
		for _, g := range f.sub {
			sub = append(sub, g.name)
		}
		names = append(names, f.name+"{"+strings.Join(sub, ",")+"}")
	}
	return strings.Join(names, ",")
}

// TestClioEveryFieldIsTheDataset: asking for every documented field serves exactly the
// Dataset's records, byte for byte, for every table.
func TestClioEveryFieldIsTheDataset(t *testing.T) {
	s, ts := start(t, Options{Records: 45})
	c := s.apis[Clio].(*clio)
	for _, name := range s.Resources(Clio) {
		a := c.actions[name]
		q := url.Values{"fields": {allFields(a)}, "limit": {"20"}, "order": {"id(asc)"}}
		for _, sel := range a.tables {
			if sel.table == name {
				q.Set(a.by, sel.value)
			}
		}
		if a.scoped {
			q.Set("scope", "descendants")
		}
		if a.hides != nil {
			q.Set(a.hides.param, "true")
		}
		got := walkClio(t, ts.URL+"/api/v4/"+a.path+".json?"+q.Encode())
		want := s.Dataset(Clio, name)
		if len(got) != 45 || len(want) != 45 {
			t.Fatalf("%s: served %d, dataset %d", name, len(got), len(want))
		}
		for k := range got {
			if string(got[k]) != string(want[k]) {
				t.Fatalf("%s record %d:\n got %s\nwant %s", name, k, got[k], want[k])
			}
		}
	}
}

func TestClioNotesNeedTheirType(t *testing.T) {
	s, ts := start(t, Options{Records: 30})
	get(t, ts.URL+"/api/v4/notes.json", clioAuth).contains(t, 400, "type is required: one of Matter, Contact")
	get(t, ts.URL+"/api/v4/notes.json?type=Task", clioAuth).contains(t, 400, "ArgumentError")
	seen := map[string]bool{}
	for typ, table := range map[string]string{"Matter": "matter_notes", "Contact": "contact_notes"} {
		got := idsOf(s, Clio, walkClio(t, ts.URL+"/api/v4/notes.json?order=id(asc)&limit=7&type="+typ))
		sameStrings(t, got, idsOf(s, Clio, s.Dataset(Clio, table)))
		for _, id := range got {
			if seen[id] {
				t.Fatalf("note %s is both a matter and a contact note", id)
			}
			seen[id] = true
		}
	}
}

// Folders and documents default to the root folder's children; scope=descendants is all.
func TestClioScope(t *testing.T) {
	s, ts := start(t, Options{Records: 80})
	for _, path := range []string{"folders", "documents"} {
		base := ts.URL + "/api/v4/" + path + ".json?order=id(asc)&limit=9"
		if path == "documents" {
			base += "&show_uncompleted=true"
		}
		all := idsOf(s, Clio, s.Dataset(Clio, path))
		sameStrings(t, idsOf(s, Clio, walkClio(t, base+"&scope=descendants")), all)
		children := idsOf(s, Clio, walkClio(t, base))
		if len(children) == 0 || len(children) >= len(all) {
			t.Fatalf("%s: %d root children of %d records", path, len(children), len(all))
		}
		var p clioPage
		get(t, base+"&offset=0", clioAuth).decode(t, 200, &p)
		if p.Meta.Records != len(children) {
			t.Errorf("%s: meta.records %d for %d children", path, p.Meta.Records, len(children))
		}
		get(t, base+"&scope=everything", clioAuth).contains(t, 400, "scope must be")
		get(t, base+"&parent_id=7", clioAuth).contains(t, 400, "parent_id is documented, but the sandbox does not implement it")
	}
}

func TestClioNestedFields(t *testing.T) {
	_, ts := start(t, Options{Records: 12})
	base := ts.URL + "/api/v4/matters.json?fields="
	var p clioPage
	get(t, base+url.QueryEscape("id,client,custom_field_values{value,field_name}"), clioAuth).decode(t, 200, &p)
	sawValue := false
	for _, r := range p.Data {
		var rec struct {
			ID     int64
			Client *map[string]any
			CFV    []map[string]any `json:"custom_field_values"`
		}
		json.Unmarshal(r, &rec)
		if rec.Client != nil && (len(*rec.Client) != 2 || (*rec.Client)["etag"] == nil) {
			t.Fatalf("client holds %v, want its default fields id and etag", *rec.Client)
		}
		for _, v := range rec.CFV {
			keys := slices.Sorted(func(yield func(string) bool) {
				for k := range v {
					yield(k)
				}
			})
			if !slices.Equal(keys, []string{"field_name", "value"}) {
				t.Fatalf("custom_field_values{value,field_name} gave %v", v)
			}
			sawValue = true
		}
	}
	if !sawValue {
		t.Fatal("no custom field value in 12 matters")
	}
	// Asked for bare, custom_field_values carry their default fields only.
	get(t, base+"custom_field_values", clioAuth).decode(t, 200, &p)
	for _, r := range p.Data {
		var rec struct {
			CFV []map[string]any `json:"custom_field_values"`
		}
		json.Unmarshal(r, &rec)
		for _, v := range rec.CFV {
			if len(v) != 2 || v["id"] == nil || v["etag"] == nil {
				t.Fatalf("bare custom_field_values gave %v", v)
			}
		}
	}
	for fields, want := range map[string]string{
		"id,client{name}":                 "",
		"id,custom_field_values{shoe}":    `invalid field \"shoe\" for custom_field_values`,
		"id,client{id,company{id}}":       "one level of fields",
		"id,status{id}":                   "status is not a nested resource",
		"id,,status":                      "empty name",
		"id,description,matter_stage{id}": "", // documented and modelled
	} {
		r := get(t, base+url.QueryEscape(fields), clioAuth)
		if want == "" {
			r.decode(t, 200, &p)
			continue
		}
		r.contains(t, 400, want)
	}
}

func TestClioActionDetails(t *testing.T) {
	s, ts := start(t, Options{Records: 5})
	var p clioPage
	get(t, ts.URL+"/api/v4/users.json?limit=2000", clioAuth).decode(t, 200, &p)
	get(t, ts.URL+"/api/v4/users.json?limit=2001", clioAuth).contains(t, 400, "between 1 and 2000")
	get(t, ts.URL+"/api/v4/tasks.json?limit=201", clioAuth).contains(t, 400, "between 1 and 200")
	// Calendar entry ids are strings in the reference's schema.
	get(t, ts.URL+"/api/v4/calendar_entries.json", clioAuth).decode(t, 200, &p)
	var rec struct{ ID any }
	json.Unmarshal(p.Data[0], &rec)
	if _, ok := rec.ID.(string); !ok || s.IDOf(Clio, p.Data[0]) == "" {
		t.Fatalf("calendar entry id %#v, want a string", rec.ID)
	}
	// Every table's action has a documented row, and order only where the reference lists it.
	rows := map[string]Endpoint{}
	for _, e := range s.Endpoints() {
		rows[e.Path] = e
	}
	for _, a := range clioActions {
		row, ok := rows["/api/v4/"+a.path+".json"]
		ordered := !slices.Contains([]string{"calendar_entries", "relationships"}, a.path)
		if !ok || slices.Contains(row.Query, "order") != ordered || !strings.Contains(row.Ref, "#tag/") {
			t.Errorf("%s: row %+v", a.path, row)
		}
	}
}

// TestClioNestedValues: a contact's addresses named bare hold their default fields only;
// named with {…} they hold exactly the fields named; a whole record holds every field of
// each address, and custom_field_values on the records that have them.
func TestClioNestedValues(t *testing.T) {
	s, ts := start(t, Options{Records: 40})
	base := ts.URL + "/api/v4/contacts.json?limit=40&fields="
	keysOf := func(fields string) [][]string {
		var p clioPage
		get(t, base+url.QueryEscape(fields), clioAuth).decode(t, 200, &p)
		var out [][]string
		for _, r := range p.Data {
			var rec struct {
				Addresses []map[string]any `json:"addresses"`
			}
			if err := json.Unmarshal(r, &rec); err != nil {
				t.Fatal(err)
			}
			for _, a := range rec.Addresses {
				out = append(out, slices.Sorted(maps.Keys(a)))
			}
		}
		if len(out) == 0 {
			t.Fatalf("%s: no address in 40 contacts", fields)
		}
		return out
	}
	for fields, want := range map[string][]string{
		"id,addresses":                      {"etag", "id"},
		"id,addresses{street,city,primary}": {"city", "primary", "street"},
	} {
		for _, got := range keysOf(fields) {
			if !slices.Equal(got, want) {
				t.Fatalf("%s: an address holds %v, want %v", fields, got, want)
			}
		}
	}
	every := []string{"city", "country", "created_at", "etag", "id", "name", "postal_code", "primary", "province", "street", "updated_at"}
	withValues := 0
	for _, r := range s.Dataset(Clio, "contacts") {
		var rec struct {
			Addresses []map[string]any `json:"addresses"`
			Company   map[string]any   `json:"company"`
			CFV       []map[string]any `json:"custom_field_values"`
		}
		if err := json.Unmarshal(r, &rec); err != nil {
			t.Fatal(err)
		}
		for _, a := range rec.Addresses {
			if got := slices.Sorted(maps.Keys(a)); !slices.Equal(got, every) {
				t.Fatalf("a whole contact's address holds %v", got)
			}
		}
		if rec.Company != nil && len(rec.Company) != 2 {
			t.Fatalf("a whole contact's company (a reference) holds %v, want id and etag", rec.Company)
		}
		for _, v := range rec.CFV {
			if v["field_name"] == nil || v["value"] == nil || len(v) != 15 {
				t.Fatalf("a whole contact's custom field value holds %v", v)
			}
			withValues++
		}
	}
	if withValues == 0 {
		t.Fatal("no custom field value on 40 contacts")
	}
}

// TestClioRefusedFields: a field the account does not have is a 400 naming it, asked for
// bare or with its fields, and whole records leave it out.
func TestClioRefusedFields(t *testing.T) {
	s, ts := start(t, Options{Records: 5, ClioRefusedFields: []string{"legal_aid_uk_contact"}})
	base := ts.URL + "/api/v4/contacts.json?fields="
	for _, fields := range []string{"id,name,legal_aid_uk_contact", "id,legal_aid_uk_contact{id,gender}"} {
		get(t, base+url.QueryEscape(fields), clioAuth).contains(t, 400, `invalid field \"legal_aid_uk_contact\" for contacts`)
	}
	var p clioPage
	get(t, base+url.QueryEscape("id,name,legal_aid_uk_matter"), clioAuth).contains(t, 400, "legal_aid_uk_matter")
	get(t, ts.URL+"/api/v4/matters.json?fields="+url.QueryEscape("id,legal_aid_uk_matter{id}"), clioAuth).decode(t, 200, &p)
	for _, r := range s.Dataset(Clio, "contacts") {
		if strings.Contains(string(r), "legal_aid_uk_contact") || !strings.Contains(string(r), `"name"`) {
			t.Fatalf("whole record %s", r)
		}
	}
}

// TestClioHiddenByDefault: documents still uploading, empty bank accounts and co-counsel
// users are left out unless their parameter is true; the Dataset (the whole account) and
// meta.records with it hold them.
func TestClioHiddenByDefault(t *testing.T) {
	s, ts := start(t, Options{Records: 60})
	for _, a := range clioActions {
		if a.hides == nil {
			continue
		}
		base := ts.URL + "/api/v4/" + a.path + ".json?order=id(asc)&limit=25&scope=descendants&fields=id,etag"
		all := idsOf(s, Clio, s.Dataset(Clio, a.path))
		sameStrings(t, idsOf(s, Clio, walkClio(t, base+"&"+a.hides.param+"=true")), all)
		shown := idsOf(s, Clio, walkClio(t, base))
		if len(shown) == 0 || len(shown) >= len(all) {
			t.Fatalf("%s: %d of %d shown without %s", a.path, len(shown), len(all), a.hides.param)
		}
		var p clioPage
		get(t, base+"&offset=0&"+a.hides.param+"=false", clioAuth).decode(t, 200, &p)
		if p.Meta.Records != len(shown) {
			t.Errorf("%s: meta.records %d for %d shown", a.path, p.Meta.Records, len(shown))
		}
		get(t, base+"&"+a.hides.param+"=yes", clioAuth).contains(t, 400, "must be true or false")
	}
	// The accounts left out are the empty ones.
	shown := idsOf(s, Clio, walkClio(t, ts.URL+"/api/v4/bank_accounts.json?order=id(asc)&fields=id"))
	for _, r := range s.Dataset(Clio, "bank_accounts") {
		var rec struct{ Balance float64 }
		if err := json.Unmarshal(r, &rec); err != nil {
			t.Fatal(err)
		}
		if empty := rec.Balance == 0; empty == slices.Contains(shown, s.IDOf(Clio, r)) {
			t.Fatalf("bank account %s with balance %v: shown %v", s.IDOf(Clio, r), rec.Balance, !empty)
		}
	}
}
