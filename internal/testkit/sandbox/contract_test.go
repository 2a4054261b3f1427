package sandbox

import (
	"cmp"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"testing"
)

// walkResult is what following a provider's "next" produced within a page budget.
type walkResult struct {
	ids   []string
	pages int
	ended bool // the walk ended by itself
}

// A walker follows one endpoint's documented paging for at most max pages.
type walker func(t *testing.T, s *Server, base string, max int) walkResult

func walkClioCursor(t *testing.T, s *Server, base string, max int) walkResult {
	var w walkResult
	next := base + "/api/v4/contacts.json?order=id(asc)&limit=40"
	for ; w.pages < max && next != ""; w.pages++ {
		var p clioPage
		get(t, next, clioAuth).decode(t, 200, &p)
		w.ids, next = append(w.ids, idsOf(s, Clio, p.Data)...), p.Meta.Paging.Next
	}
	w.ended = next == ""
	return w
}

func walkClioOffset(t *testing.T, s *Server, base string, max int) walkResult {
	var w walkResult
	next := base + "/api/v4/matters.json?offset=0&limit=40"
	for ; w.pages < max && next != ""; w.pages++ {
		var p clioPage
		get(t, next, clioAuth).decode(t, 200, &p)
		w.ids, next = append(w.ids, idsOf(s, Clio, p.Data)...), p.Meta.Paging.Next
	}
	w.ended = next == ""
	return w
}

func walkCloseOpportunities(t *testing.T, s *Server, base string, max int) walkResult {
	return walkCloseList(t, s, base+"/api/v1/opportunity/?_order_by=date_created&_limit=40", max)
}

func walkCloseLeads(t *testing.T, s *Server, base string, max int) walkResult {
	return walkCloseList(t, s, base+"/api/v1/lead/?_limit=40", max)
}

// walkCloseList pages a Close list 40 at a time with _skip until has_more is false.
func walkCloseList(t *testing.T, s *Server, list string, max int) walkResult {
	var w walkResult
	for more := true; more; w.pages++ {
		if w.pages == max {
			return w
		}
		var p closePage
		get(t, list+"&_skip="+strconv.Itoa(40*w.pages), closeAuth).decode(t, 200, &p)
		w.ids, more = append(w.ids, idsOf(s, Close, p.Data)...), *p.HasMore
	}
	w.ended = true
	return w
}

func walkCloseEvents(t *testing.T, s *Server, base string, max int) walkResult {
	var w walkResult
	u := base + "/api/v1/event/?_limit=40"
	for ; w.pages < max && u != ""; w.pages++ {
		var p struct {
			Data       []json.RawMessage `json:"data"`
			CursorNext *string           `json:"cursor_next"`
		}
		get(t, u, closeAuth).decode(t, 200, &p)
		w.ids, u = append(w.ids, idsOf(s, Close, p.Data)...), ""
		if p.CursorNext != nil {
			u = base + "/api/v1/event/?_limit=40&_cursor=" + url.QueryEscape(*p.CursorNext)
		}
	}
	w.ended = u == ""
	return w
}

func walkCloseSearch(sorted bool) walker {
	return func(t *testing.T, s *Server, base string, max int) walkResult {
		var w walkResult
		body := map[string]any{"query": objectType("lead"), "_limit": 40, "cursor": nil}
		if sorted {
			body["sort"] = sortBy("lead", "date_created", "desc")
		}
		for ; w.pages < max; w.pages++ {
			var p searchPage
			call(t, "POST", base+"/api/v1/data/search/", closeAuth, body).decode(t, 200, &p)
			for _, d := range p.Data {
				w.ids = append(w.ids, d["id"].(string))
			}
			if p.Cursor == nil {
				w.ended = true
				w.pages++
				return w
			}
			body["cursor"] = *p.Cursor
		}
		return w
	}
}

func walkAttioMeetings(t *testing.T, s *Server, base string, max int) walkResult {
	var w walkResult
	u := base + "/v2/meetings?limit=40"
	for ; w.pages < max && u != ""; w.pages++ {
		var p struct {
			Data       []json.RawMessage
			Pagination struct {
				NextCursor *string `json:"next_cursor"`
			}
		}
		get(t, u, attioAuth).decode(t, 200, &p)
		w.ids, u = append(w.ids, idsOf(s, Attio, p.Data)...), ""
		if c := p.Pagination.NextCursor; c != nil {
			u = base + "/v2/meetings?limit=40&cursor=" + *c
		}
	}
	w.ended = u == ""
	return w
}

// walkAttioQuery stops on a short page, the only end Attio documents.
func walkAttioQuery(path string) walker {
	return func(t *testing.T, s *Server, base string, max int) walkResult {
		var w walkResult
		for ; w.pages < max; w.pages++ {
			var p struct{ Data []json.RawMessage }
			body := map[string]any{"limit": 40, "offset": 40 * w.pages, "sorts": []map[string]string{{"attribute": "created_at", "direction": "asc"}}}
			call(t, "POST", base+path, attioAuth, body).decode(t, 200, &p)
			w.ids = append(w.ids, idsOf(s, Attio, p.Data)...)
			if len(p.Data) < 40 {
				w.ended = true
				w.pages++
				return w
			}
		}
		return w
	}
}

func walkAttioTasks(t *testing.T, s *Server, base string, max int) walkResult {
	var w walkResult
	for ; w.pages < max; w.pages++ {
		var p struct{ Data []json.RawMessage }
		get(t, base+"/v2/tasks?limit=40&offset="+strconv.Itoa(40*w.pages), attioAuth).decode(t, 200, &p)
		w.ids = append(w.ids, idsOf(s, Attio, p.Data)...)
		if len(p.Data) < 40 {
			w.ended = true
			w.pages++
			return w
		}
	}
	return w
}

func walkClever(t *testing.T, s *Server, base string, max int) walkResult {
	var w walkResult
	next := "/v3.1/users?limit=40"
	for ; w.pages < max && next != ""; w.pages++ {
		var p cleverPage
		get(t, base+next, cleverAuth).decode(t, 200, &p)
		for _, it := range p.Data {
			w.ids = append(w.ids, s.IDOf(Clever, it.Data))
		}
		next = p.link("next")
	}
	w.ended = next == ""
	return w
}

// Each broken contract, per endpoint: with the contract kept the walk ends with every record
// once in the documented order; broken, it cycles, never ends, or comes out of order.
func TestBrokenContracts(t *testing.T) {
	cases := []struct {
		name     string
		provider string
		resource string
		walk     walker
		modes    []Contract
		reverse  bool // the walk's order is the reverse of Dataset's
	}{
		{"clio cursor", Clio, "contacts", walkClioCursor, []Contract{ContractRepeatCursor, ContractHasMoreForever, ContractUnsorted}, false},
		{"clio offset", Clio, "matters", walkClioOffset, []Contract{ContractRepeatCursor, ContractHasMoreForever}, false},
		{"close opportunities", Close, "opportunity", walkCloseOpportunities, []Contract{ContractHasMoreForever, ContractUnsorted}, true},
		{"close leads", Close, "lead", walkCloseLeads, []Contract{ContractHasMoreForever}, false},
		{"close events", Close, "event", walkCloseEvents, []Contract{ContractRepeatCursor, ContractHasMoreForever}, false},
		{"close search", Close, "lead", walkCloseSearch(false), []Contract{ContractRepeatCursor, ContractHasMoreForever}, true},
		{"close search sorted", Close, "lead", walkCloseSearch(true), []Contract{ContractUnsorted}, false},
		{"attio meetings", Attio, "meetings", walkAttioMeetings, []Contract{ContractRepeatCursor, ContractEndless, ContractGrowingCursor}, false},
		{"attio query", Attio, "people", walkAttioQuery("/v2/objects/people/records/query"), []Contract{ContractHasMoreForever, ContractUnsorted}, false},
		{"attio entries", Attio, "list.recruiting", walkAttioQuery("/v2/lists/recruiting/entries/query"), []Contract{ContractHasMoreForever, ContractUnsorted}, false},
		{"attio tasks", Attio, "tasks", walkAttioTasks, []Contract{ContractHasMoreForever, ContractUnsorted}, false},
		{"clever users", Clever, "users", walkClever, []Contract{ContractRepeatCursor, ContractHasMoreForever, ContractUnsorted}, false},
	}
	const n, budget = 150, 12 // 4 pages of 40 at most, 5 for a trailing empty page
	for _, c := range cases {
		for _, mode := range append([]Contract{""}, c.modes...) {
			t.Run(c.name+"/"+cmp.Or(string(mode), "documented"), func(t *testing.T) {
				var broken []Contract
				if mode != "" {
					broken = []Contract{mode}
				}
				s, ts := start(t, Options{Records: n, Broken: broken})
				want := idsOf(s, c.provider, s.Dataset(c.provider, c.resource))
				if c.reverse {
					slices.Reverse(want)
				}
				w := c.walk(t, s, ts.URL, budget)
				switch mode {
				case "":
					if !w.ended {
						t.Fatalf("documented walk did not end in %d pages", w.pages)
					}
					sameStrings(t, w.ids, want)
				case ContractUnsorted:
					checkShuffled(t, w, want)
				default:
					if w.ended {
						t.Fatalf("%s: the walk ended after %d pages", mode, w.pages)
					}
				}
			})
		}
	}
}

// checkShuffled: the walk ends with every record once, but not in the order asked for.
func checkShuffled(t *testing.T, w walkResult, want []string) {
	t.Helper()
	if !w.ended || len(w.ids) != len(want) {
		t.Fatalf("ended %v with %d ids, want %d", w.ended, len(w.ids), len(want))
	}
	if slices.Equal(w.ids, want) {
		t.Fatal("pages came out in the order asked for")
	}
	got := slices.Clone(w.ids)
	slices.Sort(got)
	sorted := slices.Clone(want)
	slices.Sort(sorted)
	if !slices.Equal(got, sorted) {
		t.Fatal("pages do not partition the records")
	}
}

// ContractIgnoreWindow serves the whole table whatever the date filters say.
func TestIgnoreWindow(t *testing.T) {
	s, ts := start(t, Options{Records: 200, Broken: []Contract{ContractIgnoreWindow}})
	opps := closeRecs(t, s.Dataset(Close, "opportunity"))
	at := url.QueryEscape(opps[10].DateCreated)
	if got := walkSkip(t, ts.URL+"/api/v1/opportunity/?_order_by=date_created&date_created__gte="+at); len(got) != 200 {
		t.Errorf("close opportunity window: %d records, want all 200", len(got))
	}
	window := moment("lead", "date_created", map[string]string{"on_or_after": opps[10].DateCreated})
	if ids, _ := searchAll(t, ts.URL+"/api/v1/data/search/", map[string]any{"query": and(objectType("lead"), window)}); len(ids) != 200 {
		t.Errorf("close search window: %d results, want all 200", len(ids))
	}
	var p clioPage
	get(t, ts.URL+"/api/v4/matters.json?updated_since=2100-01-01T00:00:00Z&created_since=2100-01-01T00:00:00Z", clioAuth).decode(t, 200, &p)
	if p.Meta.Records != 200 {
		t.Errorf("clio since filters: %d records, want all 200", p.Meta.Records)
	}
}

// Break changes contracts at run time, per provider; the admin endpoint does the same.
func TestBreakAtRunTime(t *testing.T) {
	s, ts := start(t, Options{Records: 50})
	s.Break(Close, ContractHasMoreForever)
	var p closePage
	get(t, ts.URL+"/api/v1/lead/?_skip=100", closeAuth).decode(t, 200, &p)
	if len(p.Data) != 0 || !*p.HasMore {
		t.Fatalf("past the end: %d records, has_more %v", len(p.Data), *p.HasMore)
	}
	if !walkClever(t, s, ts.URL, 5).ended {
		t.Fatal("Break(close) must not touch clever")
	}
	call(t, "POST", ts.URL+"/_sandbox/break?provider=close&contract=", nil, nil).decode(t, 200, &struct{}{})
	get(t, ts.URL+"/api/v1/lead/?_skip=100", closeAuth).decode(t, 200, &p)
	if *p.HasMore {
		t.Fatal("an empty contract list must restore the documented behaviour")
	}
	call(t, "POST", ts.URL+"/_sandbox/break?contract=repeat-cursor,unsorted", nil, nil).decode(t, 200, &struct{}{})
	if walkClever(t, s, ts.URL, 5).ended {
		t.Fatal("break without provider must apply to every provider")
	}
	call(t, "POST", ts.URL+"/_sandbox/break?contract=lie", nil, nil).contains(t, 400, "unknown contract")
	call(t, "POST", ts.URL+"/_sandbox/break?provider=moon&contract=unsorted", nil, nil).contains(t, 400, "unknown provider")
}

// An endless API hands out fresh ids and fresh cursors on every page, past the records it
// has; a growing one's cursors double too.
func TestEndlessAndGrowingCursors(t *testing.T) {
	for _, mode := range []Contract{ContractEndless, ContractGrowingCursor} {
		t.Run(string(mode), func(t *testing.T) {
			s, ts := start(t, Options{Records: 30, Broken: []Contract{mode}})
			seen, cursors := map[string]bool{}, map[string]bool{}
			u, last := ts.URL+"/v2/meetings?limit=20", 0
			for page := range 8 {
				var p struct {
					Data       []json.RawMessage
					Pagination struct {
						NextCursor *string `json:"next_cursor"`
					}
				}
				get(t, u, attioAuth).decode(t, 200, &p)
				for _, id := range idsOf(s, Attio, p.Data) {
					if seen[id] {
						t.Fatalf("page %d repeats %s", page, id)
					}
					seen[id] = true
				}
				c := p.Pagination.NextCursor
				if len(p.Data) != 20 || c == nil || cursors[*c] {
					t.Fatalf("page %d: %d records, cursor %v", page, len(p.Data), c)
				}
				if mode == ContractGrowingCursor && page > 0 && len(*c) < 2*last-8 {
					t.Fatalf("page %d: cursor of %d bytes after %d", page, len(*c), last)
				}
				cursors[*c], last, u = true, len(*c), ts.URL+"/v2/meetings?limit=20&cursor="+*c
			}
		})
	}
}
