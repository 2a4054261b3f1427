package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCloseRateLimitSeparators(t *testing.T) {
	cases := []struct {
		semicolons  bool
		ok, limited string
	}{
		{false, "limit=2, remaining=1, reset=1", "limit=2, remaining=0, reset=1"},
		{true, "limit=2; remaining=1; reset=1", "limit=2; remaining=0; reset=1"},
	}
	for _, c := range cases {
		clk := newClock()
		_, ts := start(t, Options{Records: 1, Budget: 2, Now: clk.Now, CloseRateLimitSemicolons: c.semicolons})
		u := ts.URL + "/api/v1/lead/"
		if h := get(t, u, closeAuth).header.Get("RateLimit"); h != c.ok {
			t.Errorf("semicolons=%v: 200 RateLimit %q, want %q", c.semicolons, h, c.ok)
		}
		get(t, u, closeAuth)
		if r := get(t, u, closeAuth); r.status != 429 || r.header.Get("RateLimit") != c.limited {
			t.Errorf("semicolons=%v: %d RateLimit %q, want 429 %q", c.semicolons, r.status, r.header.Get("RateLimit"), c.limited)
		}
	}
}

// Records queries spend a complexity score over a sliding 10-second window per token.
func TestAttioScoreLimit(t *testing.T) {
	clk := newClock()
	s, ts := start(t, Options{Records: 20, AttioScoreBudget: 5, Now: clk.Now})
	u := ts.URL + "/v2/objects/deals/records/query"
	// Pages of up to 100 records: the page size adds nothing to these scores.
	sorted := map[string]any{"sorts": []map[string]string{{"attribute": "created_at", "direction": "asc"}}, "limit": 100} // score 2
	plain := map[string]any{"limit": 100}                                                                                 // score 1
	for range 2 {
		call(t, "POST", u, attioAuth, sorted).decode(t, 200, &struct{}{})
	}
	clk.Add(4 * time.Second)
	call(t, "POST", u, attioAuth, plain).decode(t, 200, &struct{}{}) // score 1: 5 in the window
	r := call(t, "POST", u, attioAuth, plain)
	var e attioErr
	r.decode(t, 429, &e)
	at, err := http.ParseTime(r.header.Get("Retry-After"))
	if err != nil || e.Type != "rate_limit_error" || !at.Equal(clk.Now().Add(6*time.Second)) {
		t.Fatalf("Retry-After %q (%v), body %+v; want an HTTP date 6s on", r.header.Get("Retry-After"), err, e)
	}
	get(t, ts.URL+"/v2/notes", attioAuth).decode(t, 200, &struct{}{}) // notes have no score
	clk.Add(6 * time.Second)                                          // the first query leaves the window
	call(t, "POST", u, attioAuth, plain).decode(t, 200, &struct{}{})

	// A query whose own score exceeds the budget never fits.
	filter := map[string]any{"filter": map[string]any{"created_at": map[string]string{"$gte": "2020-01-01T00:00:00Z"},
		"record_id": "x", "name": "y"}, "sorts": sorted["sorts"], "limit": 1} // 1+1+3 = 5: fits an empty window only
	clk.Add(time.Minute)
	call(t, "POST", u, attioAuth, filter).decode(t, 200, &struct{}{})
	clk.Add(time.Minute)
	filter["sorts"] = append(sorted["sorts"].([]map[string]string), map[string]string{"attribute": "created_at", "direction": "desc"})
	call(t, "POST", u, attioAuth, filter).contains(t, 429, "per-query limit")

	st := s.Stats().Providers[Attio]
	if st.OverScore != 2 || st.RateLimited != 2 || st.ByStatus[429] != 2 {
		t.Errorf("stats %+v", st)
	}
}

// A query over the per-query limit is refused whatever the window holds, as Attio's 429
// with a Retry-After date; the sandbox counts the page size in the score, so a smaller page
// of the same query passes.
func TestAttioPerQueryLimit(t *testing.T) {
	clk := newClock()
	s, ts := start(t, Options{Records: 20, AttioQueryScoreLimit: 2, Now: clk.Now})
	u := ts.URL + "/v2/lists/sales_pipeline/entries/query"
	sorts := []map[string]string{{"attribute": "created_at", "direction": "asc"}}
	r := call(t, "POST", u, attioAuth, map[string]any{"sorts": sorts, "limit": 101}) // 2 * 2
	r.contains(t, 429, "exceeds the per-query limit of 2")
	var e attioErr
	r.decode(t, 429, &e)
	if _, err := http.ParseTime(r.header.Get("Retry-After")); err != nil || e.Type != "rate_limit_error" || e.Code != "rate_limit_exceeded" {
		t.Fatalf("Retry-After %q (%v), body %+v", r.header.Get("Retry-After"), err, e)
	}
	for range 5 { // no window: only the query's own score counts
		call(t, "POST", u, attioAuth, map[string]any{"sorts": sorts, "limit": 100}).decode(t, 200, &struct{}{})
	}
	if st := s.Stats().Providers[Attio]; st.OverScore != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestCleverV31UsersAndRoles(t *testing.T) {
	s, ts := start(t, Options{Records: 300})
	var v30, v31 cleverPage
	get(t, ts.URL+"/v3.0/users?limit=300", cleverAuth).decode(t, 200, &v30)
	get(t, ts.URL+"/v3.1/users?limit=300", cleverAuth).decode(t, 200, &v31)
	if len(v31.Data) != 300 || len(v30.Data) != 300 {
		t.Fatalf("v3.0 %d, v3.1 %d users", len(v30.Data), len(v31.Data))
	}
	multi, teachers := 0, 0
	for k, it := range v31.Data {
		id := s.IDOf(Clever, it.Data)
		if it.URI != "/v3.1/users/"+id || string(it.Data) != string(v30.Data[k].Data) {
			t.Fatalf("v3.1 item %d: uri %q or data differ from v3.0", k, it.URI)
		}
		var u struct{ Roles map[string]json.RawMessage }
		json.Unmarshal(it.Data, &u)
		if len(u.Roles) > 1 {
			multi++
		}
		if u.Roles["teacher"] != nil {
			teachers++
		}
	}
	if multi == 0 {
		t.Error("no multi-role user among 300")
	}
	// role is documented on users: the filter and the next link keep it.
	var p cleverPage
	get(t, ts.URL+"/v3.1/users?role=teacher&limit=5", cleverAuth).decode(t, 200, &p)
	if len(p.Data) != min(5, teachers) || !strings.HasPrefix(p.link("next"), "/v3.1/users?limit=5&role=teacher&starting_after=") {
		t.Fatalf("role=teacher: %d users, next %q", len(p.Data), p.link("next"))
	}
	get(t, ts.URL+"/v3.1/users?role=janitor", cleverAuth).contains(t, 400, "role")
	get(t, ts.URL+"/v3.1/sections?role=teacher&limit=1", cleverAuth).decode(t, 200, &p)
	if s.Stats().Undocumented["clever GET /v3.1/sections role"] != 1 {
		t.Errorf("role on sections is undocumented: %v", s.Stats().Undocumented)
	}
}

// /districts documents only count: one page, no paging links, even if limit is sent.
func TestCleverDistrictsAreOnePage(t *testing.T) {
	_, ts := start(t, Options{Sizes: map[string]int{"clever/districts": 3}})
	var p cleverPage
	get(t, ts.URL+"/v3.0/districts?limit=1", cleverAuth).decode(t, 200, &p)
	if len(p.Data) != 3 || len(p.Links) != 1 || p.link("self") == "" {
		t.Fatalf("districts: %d records, links %+v", len(p.Data), p.Links)
	}
}

func TestClioOmitTotal(t *testing.T) {
	for _, omit := range []bool{false, true} {
		_, ts := start(t, Options{Records: 5, ClioOmitTotal: omit})
		var p struct {
			Meta map[string]json.RawMessage `json:"meta"`
		}
		get(t, ts.URL+"/api/v4/contacts.json?order=id(asc)", clioAuth).decode(t, 200, &p)
		if _, has := p.Meta["records"]; has == omit || p.Meta["paging"] == nil {
			t.Errorf("ClioOmitTotal=%v: meta %v", omit, p.Meta)
		}
	}
}

func TestAttioNotesAndMeetingsFilters(t *testing.T) {
	s, ts := start(t, Options{Records: 40})
	all := s.Dataset(Attio, "notes")
	var note struct {
		ParentRecordID string `json:"parent_record_id"`
	}
	json.Unmarshal(all[7], &note)
	var p struct {
		Data       []json.RawMessage
		Pagination *struct {
			NextCursor *string `json:"next_cursor"`
		}
	}
	get(t, ts.URL+"/v2/notes?limit=50&parent_object=people&parent_record_id="+note.ParentRecordID, attioAuth).decode(t, 200, &p)
	if len(p.Data) != 1 || s.IDOf(Attio, p.Data[0]) != s.IDOf(Attio, all[7]) {
		t.Fatalf("parent_record_id: %d notes", len(p.Data))
	}
	get(t, ts.URL+"/v2/meetings?linked_object=people&linked_record_id="+note.ParentRecordID, attioAuth).decode(t, 200, &p)
	if len(p.Data) != 0 || p.Pagination == nil || p.Pagination.NextCursor != nil {
		t.Fatalf("linked filter: %d meetings", len(p.Data))
	}
	get(t, ts.URL+"/v2/meetings?linked_object=people", attioAuth).contains(t, 400, "linked_record_id")
}
