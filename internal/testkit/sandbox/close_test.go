package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

type closePage struct {
	Data    []json.RawMessage `json:"data"`
	HasMore *bool             `json:"has_more"`
}

type closeRec struct {
	ID          string `json:"id"`
	DateCreated string `json:"date_created"`
}

func closeRecs(t *testing.T, raw []json.RawMessage) []closeRec {
	t.Helper()
	out := make([]closeRec, len(raw))
	for k, r := range raw {
		if err := json.Unmarshal(r, &out[k]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// walkSkip pages a Close list with _skip until has_more is false.
func walkSkip(t *testing.T, base string) []closeRec {
	t.Helper()
	return closeRecs(t, walkRaw(t, base))
}

// walkRaw is walkSkip's records as served.
func walkRaw(t *testing.T, base string) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	for skip := 0; ; skip += 100 {
		var p closePage
		get(t, base+"&_limit=100&_skip="+strconv.Itoa(skip), closeAuth).decode(t, 200, &p)
		if p.HasMore == nil {
			t.Fatal("has_more missing")
		}
		out = append(out, p.Data...)
		if !*p.HasMore {
			return out
		}
	}
}

func TestCloseMaxSkip(t *testing.T) {
	_, ts := start(t, Options{Records: 600, CloseMaxSkip: 500})
	get(t, ts.URL+"/api/v1/contact/?_skip=500", closeAuth).decode(t, 200, &closePage{})
	r := get(t, ts.URL+"/api/v1/contact/?_skip=501", closeAuth)
	r.contains(t, 400, "max_skip = 500")
	var e struct{ Error string }
	r.decode(t, 400, &e)
	if e.Error == "" {
		t.Errorf("max_skip error must be {\"error\": \"...\"}: %s", r.body)
	}
	var fe struct {
		Errors      []any             `json:"errors"`
		FieldErrors map[string]string `json:"field-errors"`
	}
	get(t, ts.URL+"/api/v1/contact/?_limit=101", closeAuth).decode(t, 400, &fe)
	if fe.FieldErrors["_limit"] == "" || fe.Errors == nil {
		t.Errorf("_limit 101: got %+v", fe)
	}
}

func TestCloseTiesAndStableSkipPaging(t *testing.T) {
	const tie = 120
	s, ts := start(t, Options{Records: 1000, CloseTieRun: tie})
	all := closeRecs(t, s.Dataset(Close, "lead"))
	runs := map[string]int{}
	longest := 0
	for _, r := range all {
		runs[r.DateCreated]++
		longest = max(longest, runs[r.DateCreated])
	}
	if longest < tie {
		t.Fatalf("longest run of one date_created is %d, want >= %d", longest, tie)
	}

	// Default order is -date_created with ties broken by id, so _skip paging is repeatable.
	first := walkSkip(t, ts.URL+"/api/v1/lead/?_fields=id,date_created")
	second := walkSkip(t, ts.URL+"/api/v1/lead/?_fields=id,date_created")
	if len(first) != len(all) {
		t.Fatalf("walk gave %d, want %d", len(first), len(all))
	}
	seen := map[string]bool{}
	for k := range first {
		if first[k] != second[k] || first[k] != all[k] {
			t.Fatalf("walks differ at %d: %v %v %v", k, first[k], second[k], all[k])
		}
		if k > 0 {
			p, c := first[k-1], first[k]
			if p.DateCreated < c.DateCreated || p.DateCreated == c.DateCreated && p.ID <= c.ID {
				t.Fatalf("not ordered by -date_created, -id at %d: %v then %v", k, p, c)
			}
		}
		seen[first[k].ID] = true
	}
	if len(seen) != len(all) {
		t.Fatalf("%d distinct ids, want %d", len(seen), len(all))
	}

	// A window boundary on a tied date_created neither drops nor duplicates: lt + gte = all.
	// Leads document no date filters, so the windows run on opportunities, which do.
	opps := closeRecs(t, s.Dataset(Close, "opportunity"))
	oppRuns := map[string]int{}
	var tied string // the latest full run, so both sides of the boundary hold records
	for _, r := range opps {
		if oppRuns[r.DateCreated]++; oppRuns[r.DateCreated] >= tie && r.DateCreated > tied {
			tied = r.DateCreated
		}
	}
	at := url.QueryEscape(tied)
	lower := walkSkip(t, ts.URL+"/api/v1/opportunity/?_order_by=date_created&date_created__lt="+at)
	upper := walkSkip(t, ts.URL+"/api/v1/opportunity/?_order_by=date_created&date_created__gte="+at)
	exact := walkSkip(t, ts.URL+"/api/v1/opportunity/?date_created__gte="+at+"&date_created__lte="+at)
	if len(lower)+len(upper) != len(opps) || len(exact) != oppRuns[tied] {
		t.Fatalf("lt %d + gte %d != %d, or exact %d != %d", len(lower), len(upper), len(opps), len(exact), oppRuns[tied])
	}
	if upper[0].DateCreated != tied || lower[len(lower)-1].DateCreated >= tied {
		t.Fatalf("window edges wrong: %v / %v", lower[len(lower)-1], upper[0])
	}
}

func TestCloseInsertIsOneBulkImport(t *testing.T) {
	s, ts := start(t, Options{Records: 10})
	ids := s.Insert(Close, "activity", 30)
	var p closePage
	get(t, ts.URL+"/api/v1/activity/?_limit=30", closeAuth).decode(t, 200, &p)
	recs := closeRecs(t, p.Data)
	for k, r := range recs {
		// Newest first: the batch comes first, in descending id order.
		if r.ID != ids[len(ids)-1-k] || r.DateCreated != recs[0].DateCreated {
			t.Fatalf("record %d = %v, want %s sharing %s", k, r, ids[len(ids)-1-k], recs[0].DateCreated)
		}
	}
}

func TestCloseEventsCursorWalksEverything(t *testing.T) {
	s, ts := start(t, Options{Sizes: map[string]int{"close/event": 230}})
	type evPage struct {
		Data           []json.RawMessage `json:"data"`
		CursorNext     *string           `json:"cursor_next"`
		CursorPrevious *string           `json:"cursor_previous"`
	}
	var ids []string
	var pages []evPage
	u := ts.URL + "/api/v1/event/?_limit=50"
	for {
		var p evPage
		get(t, u, closeAuth).decode(t, 200, &p)
		pages = append(pages, p)
		ids = append(ids, idsOf(s, Close, p.Data)...)
		if p.CursorNext == nil {
			break
		}
		u = ts.URL + "/api/v1/event/?_limit=50&_cursor=" + url.QueryEscape(*p.CursorNext)
	}
	if len(pages) != 5 || pages[0].CursorPrevious != nil {
		t.Fatalf("%d pages (want 5); first page previous %v", len(pages), pages[0].CursorPrevious)
	}
	sameStrings(t, ids, idsOf(s, Close, s.Dataset(Close, "event")))
	// cursor_previous of page 2 leads back to page 1.
	var back evPage
	get(t, ts.URL+"/api/v1/event/?_limit=50&_cursor="+url.QueryEscape(*pages[1].CursorPrevious), closeAuth).decode(t, 200, &back)
	sameStrings(t, idsOf(s, Close, back.Data), idsOf(s, Close, pages[0].Data))
	get(t, ts.URL+"/api/v1/event/?_cursor=garbage", closeAuth).contains(t, 400, "field-errors")
}

func TestCloseSearchCursorWalksEverything(t *testing.T) {
	s, ts := start(t, Options{Sizes: map[string]int{"close/lead": 450}})
	u := ts.URL + "/api/v1/data/search/"
	// An object_type query is required ("2. Add an object_type query"): an empty "and" is a 400.
	query := map[string]any{"type": "and", "queries": []any{map[string]any{"type": "object_type", "object_type": "lead"}}}
	var cursor any
	var ids []string
	for {
		var p struct {
			Data   []map[string]any `json:"data"`
			Cursor *string          `json:"cursor"`
		}
		body := map[string]any{"query": query, "_limit": 200, "cursor": cursor,
			"_fields": map[string][]string{"lead": {"id", "display_name"}}}
		call(t, "POST", u, closeAuth, body).decode(t, 200, &p)
		for _, d := range p.Data {
			if d["__object_type"] != "lead" || d["display_name"] == nil || len(d) != 3 {
				t.Fatalf("result %v", d)
			}
			ids = append(ids, d["id"].(string))
		}
		if p.Cursor == nil {
			break
		}
		cursor = *p.Cursor
	}
	want := idsOf(s, Close, s.Dataset(Close, "lead"))
	if len(ids) != len(want) {
		t.Fatalf("search walked %d, want %d", len(ids), len(want))
	}
	in := map[string]bool{}
	for _, id := range want {
		in[id] = true
	}
	for _, id := range ids {
		if !in[id] {
			t.Fatalf("unknown id %s", id)
		}
		delete(in, id)
	}
	call(t, "POST", u, closeAuth, map[string]any{"query": "everything"}).contains(t, 400, `"query"`)
	call(t, "POST", u, closeAuth, map[string]any{"query": map[string]any{"type": "and", "queries": []any{}}}).contains(t, 400, "object_type")
	call(t, "POST", u, closeAuth, map[string]any{"_limit": 10}).contains(t, 400, "field-errors")
	call(t, "POST", u, closeAuth, []int{1}).contains(t, 400, "error")
}

func TestCloseAuth429AndRoutes(t *testing.T) {
	s, ts := start(t, Options{Records: 3})
	get(t, ts.URL+"/api/v1/lead/", bearerAuth(DefaultToken(Close))).contains(t, 401, `"error"`)
	get(t, ts.URL+"/api/v1/lead/", func(r *http.Request) { r.SetBasicAuth(DefaultToken(Close), "x") }).contains(t, 401, `"error"`)
	get(t, ts.URL+"/api/v1/widget/", closeAuth).contains(t, 404, `"error"`)
	// Without the trailing slash Close redirects; net/http follows it.
	get(t, ts.URL+"/api/v1/lead?_limit=1", closeAuth).decode(t, 200, &closePage{})

	s.FailNext(Close, FaultRateLimit, 1)
	r := get(t, ts.URL+"/api/v1/lead/", closeAuth)
	var e struct {
		Error struct {
			RateReset     float64 `json:"rate_reset"`
			Message       string  `json:"message"`
			RateLimit     int     `json:"rate_limit"`
			RateWindow    float64 `json:"rate_window"`
			RateLimitType string  `json:"rate_limit_type"`
		} `json:"error"`
	}
	r.decode(t, 429, &e)
	if e.Error.RateReset != 0.5 || e.Error.Message != "API call count exceeded for this period" || e.Error.RateLimitType != "key" {
		t.Errorf("429 body %+v", e)
	}
	if h := r.header.Get("RateLimit"); !strings.HasPrefix(h, "limit=") || !strings.Contains(h, "remaining=0, reset=0.5") {
		t.Errorf("RateLimit header %q", h)
	}
}
