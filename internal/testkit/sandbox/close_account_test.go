package sandbox

import (
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestCloseOnePageLists: lists whose reference has no paging parameter answer everything at
// once; a _limit sent anyway is dropped and counted.
func TestCloseOnePageLists(t *testing.T) {
	s, ts := start(t, Options{Records: 500, Sizes: map[string]int{"close/pipeline": 130}})
	var p closePage
	get(t, ts.URL+"/api/v1/pipeline/?_limit=5", closeAuth).decode(t, 200, &p)
	if p.HasMore == nil || *p.HasMore {
		t.Fatalf("has_more %v", p.HasMore)
	}
	sameStrings(t, idsOf(s, Close, p.Data), idsOf(s, Close, s.Dataset(Close, "pipeline")))
	if len(p.Data) != 130 || s.Stats().Undocumented["close GET /api/v1/pipeline/ _limit"] != 1 {
		t.Fatalf("%d records, undocumented %v", len(p.Data), s.Stats().Undocumented)
	}
	if n := len(s.Dataset(Close, "status_lead")); n != 6 {
		t.Fatalf("a typical account has 6 lead statuses here, got %d", n)
	}
}

// TestCloseCustomObjects: custom objects are listed lead by lead (lead_id is required), one
// table per custom object type, and every record is on exactly one lead.
func TestCloseCustomObjects(t *testing.T) {
	s, ts := start(t, Options{Seed: 3, Sizes: map[string]int{"close/lead": 40, "close/custom_object_type": 3}, Records: 97})
	var types []string
	for _, r := range s.Resources(Close) {
		if id, ok := strings.CutPrefix(r, closeObjectPrefix); ok {
			types = append(types, id)
		}
	}
	want := idsOf(s, Close, s.Dataset(Close, "custom_object_type"))
	slices.Sort(want)
	sameStrings(t, types, want)
	get(t, ts.URL+"/api/v1/custom_object/", closeAuth).contains(t, 400, "lead_id")

	got := map[string][]string{}
	for _, lead := range idsOf(s, Close, s.Dataset(Close, "lead")) {
		var p closePage
		get(t, ts.URL+"/api/v1/custom_object/?lead_id="+lead, closeAuth).decode(t, 200, &p)
		for _, raw := range p.Data {
			var rec struct {
				ID     string `json:"id"`
				LeadID string `json:"lead_id"`
				TypeID string `json:"custom_object_type_id"`
			}
			if err := json.Unmarshal(raw, &rec); err != nil || rec.LeadID != lead {
				t.Fatalf("record %s of lead %s served for lead %s (%v)", rec.ID, rec.LeadID, lead, err)
			}
			got[rec.TypeID] = append(got[rec.TypeID], rec.ID)
		}
	}
	for _, typ := range types {
		all := idsOf(s, Close, s.Dataset(Close, closeObjectPrefix+typ))
		slices.Sort(all)
		slices.Sort(got[typ])
		if len(all) != 97 {
			t.Fatalf("%s: %d records", typ, len(all))
		}
		sameStrings(t, got[typ], all)
	}
	lead := idsOf(s, Close, s.Dataset(Close, "lead"))[0]
	var one closePage
	get(t, ts.URL+"/api/v1/custom_object/?lead_id="+lead+"&custom_object_type_id="+types[1], closeAuth).decode(t, 200, &one)
	if len(one.Data) == 0 || strings.Contains(string(one.Data[0]), types[0]) {
		t.Fatalf("type filter: %d records", len(one.Data))
	}
}

func TestCloseCustomObjectTypeByID(t *testing.T) {
	s, ts := start(t, Options{Records: 5})
	id := idsOf(s, Close, s.Dataset(Close, "custom_object_type"))[1]
	var rec map[string]any
	get(t, ts.URL+"/api/v1/custom_object_type/"+id+"/", closeAuth).decode(t, 200, &rec)
	if rec["id"] != id || rec["name"] == "" {
		t.Fatalf("got %v", rec)
	}
	get(t, ts.URL+"/api/v1/custom_object_type/cotype_nope/", closeAuth).contains(t, 404, "Not found")
	if New(Options{Seed: 99, Records: 5}).Resources(Close)[len(s.Resources(Close))-1] != s.Resources(Close)[len(s.Resources(Close))-1] {
		t.Fatal("custom object type ids depend on the seed")
	}
}

// TestCloseSmartViewTypes: smart views list lead ones unless type or type__in says otherwise.
func TestCloseSmartViewTypes(t *testing.T) {
	s, ts := start(t, Options{Sizes: map[string]int{"close/saved_search": 90}})
	types := func(query string) map[string]int {
		out := map[string]int{}
		var p closePage
		get(t, ts.URL+"/api/v1/saved_search/?_limit=100"+query, closeAuth).decode(t, 200, &p)
		for _, raw := range p.Data {
			var r struct{ Type string }
			json.Unmarshal(raw, &r)
			out[r.Type]++
		}
		return out
	}
	if got := types(""); len(got) != 1 || got["lead"] == 0 {
		t.Fatalf("default: %v", got)
	}
	if got := types("&type=contact"); len(got) != 1 || got["contact"] == 0 {
		t.Fatalf("type=contact: %v", got)
	}
	n := 0
	for _, c := range types("&type__in=" + url.QueryEscape(strings.Join(closeSavedSearchTypes, ","))) {
		n += c
	}
	if n != len(s.Dataset(Close, "saved_search")) {
		t.Fatalf("every type: %d of %d", n, len(s.Dataset(Close, "saved_search")))
	}
}

// TestCloseTaskOrder: tasks sort by date_created when asked; undone filters are refused.
func TestCloseTaskOrder(t *testing.T) {
	s, ts := start(t, Options{Sizes: map[string]int{"close/task": 150}, CloseTieRun: 4})
	all := walkSkip(t, ts.URL+"/api/v1/task/?_type=all&_order_by=date_created")
	want := idsOf(s, Close, s.Dataset(Close, "task"))
	slices.Reverse(want)
	got := make([]string, len(all))
	for k, r := range all {
		got[k] = r.ID
	}
	sameStrings(t, got, want)
	get(t, ts.URL+"/api/v1/task/?view=inbox", closeAuth).contains(t, 400, "does not implement")
}

// TestCloseTaskTypes: without _type only lead tasks come back, _type=all returns every
// type, _type and _type__in choose (https://developer.close.com/api/resources/tasks).
func TestCloseTaskTypes(t *testing.T) {
	s, ts := start(t, Options{Sizes: map[string]int{"close/task": 300}})
	types := func(query string) map[string]int {
		t.Helper()
		out := map[string]int{}
		for _, raw := range walkRaw(t, ts.URL+"/api/v1/task/?_fields=_type"+query) {
			var r struct {
				Type string `json:"_type"`
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatal(err)
			}
			out[r.Type]++
		}
		return out
	}
	all := map[string]int{}
	for _, raw := range s.Dataset(Close, "task") {
		var r struct {
			Type string `json:"_type"`
		}
		json.Unmarshal(raw, &r)
		all[r.Type]++
	}
	if len(all) != 1+len(closeTaskTypes) || all["lead"] < 100 || all["lead"] > 200 {
		t.Fatalf("dataset types %v: want every type, about half lead tasks", all)
	}
	if got := types(""); len(got) != 1 || got["lead"] != all["lead"] {
		t.Fatalf("default: %v, want the %d lead tasks only", got, all["lead"])
	}
	if got := types("&_type=all"); !maps.Equal(got, all) {
		t.Fatalf("_type=all: %v, want %v", got, all)
	}
	if got := types("&_type=voicemail"); len(got) != 1 || got["voicemail"] != all["voicemail"] {
		t.Fatalf("_type=voicemail: %v", got)
	}
	if got := types("&_type__in=missed_call,voicemail"); len(got) != 2 || got["missed_call"] != all["missed_call"] {
		t.Fatalf("_type__in: %v", got)
	}
}

// TestCloseCustomFieldValues: leads, contacts and opportunities carry custom.<id> values
// of their kind's custom fields, with no _fields or when _fields names custom or the key;
// Advanced Filtering reads _fields the same way.
func TestCloseCustomFieldValues(t *testing.T) {
	s, ts := start(t, Options{Records: 60})
	for _, kind := range []string{"lead", "contact", "opportunity"} {
		t.Run(kind, func(t *testing.T) {
			fields := map[string]bool{}
			for _, id := range idsOf(s, Close, s.Dataset(Close, "custom_field_"+kind)) {
				fields["custom."+id] = true
			}
			if len(fields) == 0 {
				t.Fatal("no custom fields")
			}
			keys := func(query string) map[string]int {
				t.Helper()
				out := map[string]int{}
				for _, raw := range walkRaw(t, ts.URL+"/api/v1/"+kind+"/?"+query) {
					var rec map[string]any
					if err := json.Unmarshal(raw, &rec); err != nil {
						t.Fatal(err)
					}
					for k := range rec {
						if strings.HasPrefix(k, "custom") && !fields[k] {
							t.Fatalf("%s is not a custom field of %s", k, kind)
						}
						out[k]++
					}
				}
				return out
			}
			whole := keys("")
			var one string
			n := 0
			for k := range fields {
				n += whole[k]
				one = k
			}
			if n == 0 || whole["custom"] != 0 {
				t.Fatalf("no custom values without _fields, or the deprecated dict: %v", whole)
			}
			for k := range keys("_fields=id,name") {
				if strings.HasPrefix(k, "custom") {
					t.Fatalf("_fields without custom served %s", k)
				}
			}
			got := keys("_fields=id,custom")
			for k, c := range whole {
				if fields[k] && got[k] != c {
					t.Fatalf("_fields=custom: %s on %d records, want %d", k, got[k], c)
				}
			}
			if got := keys("_fields=id," + url.QueryEscape(one)); len(got) != 2 || got[one] != whole[one] {
				t.Fatalf("_fields=%s: %v", one, got)
			}
			if kind == "opportunity" {
				return
			}
			query := map[string]any{"type": "object_type", "object_type": kind}
			var p struct{ Data []map[string]any }
			call(t, "POST", ts.URL+"/api/v1/data/search/", closeAuth, map[string]any{"query": query, "_limit": 200,
				"_fields": map[string][]string{kind: {"id", "custom"}}}).decode(t, 200, &p)
			m := 0
			for _, d := range p.Data {
				for k := range d {
					if fields[k] {
						m++
					}
				}
			}
			if m != n {
				t.Fatalf("search with custom in _fields: %d values, want %d", m, n)
			}
		})
	}
}

// TestCloseActivityListsEveryType: GET /activity/ lists activities of every type a typed
// list serves ("List or filter all activity types"), each with its type's fields.
func TestCloseActivityListsEveryType(t *testing.T) {
	s := New(Options{Records: 500})
	fields := map[string]map[string]bool{}
	for _, raw := range s.Dataset(Close, "activity") {
		var rec map[string]any
		if err := json.Unmarshal(raw, &rec); err != nil {
			t.Fatal(err)
		}
		typ, _ := rec["_type"].(string)
		if fields[typ] == nil {
			fields[typ] = map[string]bool{}
		}
		for k := range rec {
			fields[typ][k] = true
		}
	}
	for _, l := range closeLists {
		if l.typ == "" {
			continue
		}
		var one map[string]any
		if err := json.Unmarshal(s.Dataset(Close, closeTableName(l.path))[0], &one); err != nil {
			t.Fatal(err)
		}
		for k := range one {
			if !fields[l.typ][k] {
				t.Errorf("no %s activity in /activity/ has %s, which /api/v1/%s/ serves", l.typ, k, l.path)
			}
		}
	}
}
