package sandbox

import (
	"encoding/json"
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
	all := walkSkip(t, ts.URL+"/api/v1/task/?_order_by=date_created")
	want := idsOf(s, Close, s.Dataset(Close, "task"))
	slices.Reverse(want)
	got := make([]string, len(all))
	for k, r := range all {
		got[k] = r.ID
	}
	sameStrings(t, got, want)
	get(t, ts.URL+"/api/v1/task/?view=inbox", closeAuth).contains(t, 400, "does not implement")
}
