package sandbox

import (
	"encoding/json"
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

// allFields asks for every field the action documents, custom_field_values whole.
func allFields(a *clioAction) string {
	var names []string
	for _, f := range a.schema {
		if !f.known {
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
		"id,client{name}":                 "client{name} is documented, but the sandbox does not implement it",
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
