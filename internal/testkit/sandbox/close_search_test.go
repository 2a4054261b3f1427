package sandbox

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

type searchPage struct {
	Data   []map[string]any `json:"data"`
	Cursor *string          `json:"cursor"`
	Count  *struct {
		Total int `json:"total"`
	} `json:"count"`
}

func objectType(typ string) map[string]any {
	return map[string]any{"type": "object_type", "object_type": typ}
}

// moment is a field_condition with a moment_range; empty bounds are left null.
func moment(typ, field string, bounds map[string]string) map[string]any {
	cond := map[string]any{"type": "moment_range"}
	for k, v := range bounds {
		cond[k] = map[string]any{"type": "fixed_utc", "value": v}
	}
	return map[string]any{"type": "field_condition", "condition": cond,
		"field": map[string]any{"type": "regular_field", "object_type": typ, "field_name": field}}
}

func sortBy(typ, field, dir string) []any {
	return []any{map[string]any{"direction": dir, "field": map[string]any{"type": "regular_field", "object_type": typ, "field_name": field}}}
}

func and(queries ...any) map[string]any { return map[string]any{"type": "and", "queries": queries} }

// searchAll walks a search with the body's query to its end; it fails after 1000 pages.
func searchAll(t *testing.T, url string, body map[string]any) (ids []string, pages []searchPage) {
	t.Helper()
	body["cursor"] = nil
	for range 1000 {
		var p searchPage
		call(t, "POST", url, closeAuth, body).decode(t, 200, &p)
		pages = append(pages, p)
		for _, d := range p.Data {
			ids = append(ids, d["id"].(string))
		}
		if p.Cursor == nil {
			return ids, pages
		}
		body["cursor"] = *p.Cursor
	}
	t.Fatal("search walk did not end")
	return nil, nil
}

type dated struct {
	ID          string `json:"id"`
	DateCreated string `json:"date_created"`
	DateUpdated string `json:"date_updated"`
}

func datedRecs(t *testing.T, raw []json.RawMessage) []dated {
	out := make([]dated, len(raw))
	for k, r := range raw {
		if err := json.Unmarshal(r, &out[k]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestCloseSearchConditionsAndSort(t *testing.T) {
	s, ts := start(t, Options{Records: 700, CloseTieRun: 20})
	u := ts.URL + "/api/v1/data/search/"
	for _, typ := range []string{"lead", "contact"} {
		all := datedRecs(t, s.Dataset(Close, typ)) // newest first
		lo, hi := all[500].DateCreated, all[100].DateCreated
		upd := all[300].DateUpdated
		var want, wantUpd []string
		for k := len(all) - 1; k >= 0; k-- { // ascending (date_created, id): the default order
			r := all[k]
			if r.DateCreated >= lo && r.DateCreated < hi {
				want = append(want, r.ID)
				if r.DateUpdated < upd {
					wantUpd = append(wantUpd, r.ID)
				}
			}
		}
		window := moment(typ, "date_created", map[string]string{"on_or_after": lo, "before": hi})
		got, _ := searchAll(t, u, map[string]any{"query": and(objectType(typ), window), "_limit": 37})
		sameStrings(t, got, want)

		// Conditions are and-ed, and date_updated works too.
		got, _ = searchAll(t, u, map[string]any{"_limit": 50,
			"query": and(objectType(typ), window, moment(typ, "date_updated", map[string]string{"before": upd}))})
		sameStrings(t, got, wantUpd)

		// sort desc by date_created is the reverse, ties included.
		got, _ = searchAll(t, u, map[string]any{"query": and(objectType(typ), window), "sort": sortBy(typ, "date_created", "desc")})
		slices.Reverse(want)
		sameStrings(t, got, want)

		// sort by date_updated with a date_updated window: ascending date_updated.
		body := map[string]any{"query": and(objectType(typ), moment(typ, "date_updated", map[string]string{"on_or_after": upd})),
			"sort": sortBy(typ, "date_updated", "asc"), "_limit": 60, "_fields": map[string][]string{typ: {"date_updated"}}}
		_, pages := searchAll(t, u, body)
		prev, n := upd, 0
		for _, p := range pages {
			for _, d := range p.Data {
				if d["__object_type"] != typ || d["date_updated"].(string) < prev {
					t.Fatalf("%s: %v after %s", typ, d, prev)
				}
				prev = d["date_updated"].(string)
				n++
			}
		}
		if n == 0 {
			t.Fatalf("%s: no results on or after %s", typ, upd)
		}
	}
}

func TestCloseSearchCapAndCounts(t *testing.T) {
	_, ts := start(t, Options{Records: 600, CloseSearchCap: 250})
	u := ts.URL + "/api/v1/data/search/"
	body := map[string]any{"query": objectType("lead"), "_limit": 100, "include_counts": true}
	ids, pages := searchAll(t, u, body)
	if len(ids) != 250 || len(pages) != 3 || len(pages[2].Data) != 50 {
		t.Fatalf("cap 250: %d results over %d pages", len(ids), len(pages))
	}
	for _, p := range pages {
		if p.Count == nil || p.Count.Total != 600 {
			t.Fatalf("count.total = %+v, want 600 (the cap does not change it)", p.Count)
		}
	}
	// results_limit lowers the cap; without include_counts there is no count.
	ids, pages = searchAll(t, u, map[string]any{"query": objectType("lead"), "_limit": 100, "results_limit": 120})
	if len(ids) != 120 || pages[0].Count != nil {
		t.Fatalf("results_limit 120: %d results, count %+v", len(ids), pages[0].Count)
	}
}

func TestCloseSearchCursorRules(t *testing.T) {
	clk := newClock()
	_, ts := start(t, Options{Records: 300, Now: clk.Now})
	u := ts.URL + "/api/v1/data/search/"
	body := func(cursor any, limit int) map[string]any {
		return map[string]any{"query": objectType("lead"), "_limit": limit, "cursor": cursor}
	}
	var p searchPage
	call(t, "POST", u, closeAuth, body(nil, 100)).decode(t, 200, &p)
	cur := *p.Cursor

	call(t, "POST", u, closeAuth, body(cur, 50)).contains(t, 400, `"cursor"`)
	other := map[string]any{"query": objectType("contact"), "_limit": 100, "cursor": cur}
	call(t, "POST", u, closeAuth, other).contains(t, 400, `"cursor"`)
	call(t, "POST", u, closeAuth, body("garbage", 100)).contains(t, 400, `"cursor"`)

	clk.Add(30 * time.Second) // exactly the TTL: still alive
	call(t, "POST", u, closeAuth, body(cur, 100)).decode(t, 200, &p)
	clk.Add(30*time.Second + time.Millisecond)
	r := call(t, "POST", u, closeAuth, body(*p.Cursor, 100))
	if r.status != 400 || string(r.body) != `{"error":"Cursor has expired. Start a new search."}` {
		t.Fatalf("expired cursor: %d %s", r.status, r.body)
	}
}

func TestCloseSearchRefusesWhatItCannotRead(t *testing.T) {
	_, ts := start(t, Options{Records: 5})
	u := ts.URL + "/api/v1/data/search/"
	text := map[string]any{"type": "field_condition", "condition": map[string]any{"type": "text", "value": "CEO"},
		"field": map[string]any{"type": "regular_field", "object_type": "lead", "field_name": "title"}}
	local := moment("lead", "date_created", nil)
	local["condition"].(map[string]any)["before"] = map[string]any{"type": "fixed_local_date", "value": "2023-01-01", "which": "end"}
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"or", map[string]any{"query": and(objectType("lead"), map[string]any{"type": "or", "queries": []any{}})}, `"query"`},
		{"text", map[string]any{"query": and(objectType("lead"), text)}, `"query"`},
		{"local date", map[string]any{"query": and(objectType("lead"), local)}, `"query"`},
		{"opportunity", map[string]any{"query": objectType("opportunity")}, `"query"`},
		{"field of another type", map[string]any{"query": and(objectType("lead"), moment("contact", "date_created", nil))}, `"query"`},
		{"two sorts", map[string]any{"query": objectType("lead"), "sort": append(sortBy("lead", "date_created", "asc"), sortBy("lead", "date_updated", "asc")...)}, `"sort"`},
		{"limit", map[string]any{"query": objectType("lead"), "_limit": 201}, `"_limit"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			call(t, "POST", u, closeAuth, c.body).contains(t, 400, c.field)
		})
	}
}

func TestCloseSearchContactFields(t *testing.T) {
	s, ts := start(t, Options{Records: 30})
	var p searchPage
	call(t, "POST", ts.URL+"/api/v1/data/search/", closeAuth, map[string]any{"query": objectType("contact"),
		"_fields": map[string][]string{"contact": {"id", "name"}, "lead": {"display_name"}}}).decode(t, 200, &p)
	if len(p.Data) != 30 || p.Cursor != nil {
		t.Fatalf("%d results, cursor %v", len(p.Data), p.Cursor)
	}
	ids := idsOf(s, Close, s.Dataset(Close, "contact"))
	for _, d := range p.Data {
		if d["__object_type"] != "contact" || d["name"] == nil || len(d) != 3 || !slices.Contains(ids, d["id"].(string)) {
			t.Fatalf("result %v", d)
		}
	}
}
