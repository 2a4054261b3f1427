package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

type clioPage struct {
	Data []json.RawMessage `json:"data"`
	Meta struct {
		Paging struct {
			Next     string `json:"next"`
			Previous string `json:"previous"`
		} `json:"paging"`
		Records int `json:"records"`
	} `json:"meta"`
}

type clioErr struct {
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

func TestClioCursorNextIsAbsoluteAndWalksPastTheOffsetCap(t *testing.T) {
	const n = 10_450
	s, ts := start(t, Options{Sizes: map[string]int{"clio/contacts": n}})
	next := ts.URL + "/api/v4/contacts.json?order=id(asc)&limit=200&fields=id,name"
	var ids []string
	pages := 0
	for next != "" {
		var p clioPage
		get(t, next, clioAuth).decode(t, 200, &p)
		pages++
		if p.Meta.Records != n {
			t.Fatalf("meta.records = %d, want %d", p.Meta.Records, n)
		}
		ids = append(ids, idsOf(s, Clio, p.Data)...)
		next = p.Meta.Paging.Next
		if next == "" {
			break
		}
		u, err := url.Parse(next)
		if err != nil || !u.IsAbs() || !strings.HasPrefix(next, ts.URL+"/api/v4/contacts.json?") {
			t.Fatalf("next %q is not an absolute URL on this host and path", next)
		}
		q := u.Query()
		if q.Get("page_token") == "" || q.Get("fields") != "id,name" || q.Get("order") != "id(asc)" || q.Get("limit") != "200" {
			t.Fatalf("next %q must keep the query and add page_token", next)
		}
	}
	if pages != (n+199)/200 {
		t.Errorf("pages = %d, want %d", pages, (n+199)/200)
	}
	sameStrings(t, ids, idsOf(s, Clio, s.Dataset(Clio, "contacts")))
	for k := 1; k < len(ids); k++ {
		a, _ := strconv.ParseInt(ids[k-1], 10, 64)
		b, _ := strconv.ParseInt(ids[k], 10, 64)
		if a >= b {
			t.Fatalf("ids not strictly increasing at %d: %d, %d", k, a, b)
		}
	}
}

func TestClioOffsetCap(t *testing.T) {
	s, ts := start(t, Options{Sizes: map[string]int{"clio/matters": 12_000}})
	base := ts.URL + "/api/v4/matters.json"

	var e clioErr
	get(t, base+"?offset=10000", clioAuth).decode(t, 422, &e)
	if e.Error.Type != "ArgumentError" || e.Error.Message == "" {
		t.Fatalf("offset 10000: got %+v, want ArgumentError", e)
	}

	// Records past 10,000 are unreachable: the page at 9,900 holds records 9,901-10,000 only.
	var p clioPage
	get(t, base+"?offset=9900&limit=200", clioAuth).decode(t, 200, &p)
	want := idsOf(s, Clio, s.Dataset(Clio, "matters")[9900:10000])
	sameStrings(t, idsOf(s, Clio, p.Data), want)
	if p.Meta.Paging.Next != "" || p.Meta.Records != 12_000 {
		t.Fatalf("at the cap: next %q records %d; want no next and 12000", p.Meta.Paging.Next, p.Meta.Records)
	}
	if !strings.Contains(p.Meta.Paging.Previous, "offset=9700") {
		t.Errorf("previous = %q, want offset=9700", p.Meta.Paging.Previous)
	}

	// Offset mode accepts custom orders.
	get(t, base+"?offset=0&limit=3&order=id(desc)", clioAuth).decode(t, 200, &p)
	all := idsOf(s, Clio, s.Dataset(Clio, "matters"))
	if got := s.IDOf(Clio, p.Data[0]); got != all[len(all)-1] {
		t.Errorf("id(desc) first = %s, want %s", got, all[len(all)-1])
	}
	get(t, base+"?offset=0&limit=200&order=updated_at(asc)&fields=id,updated_at", clioAuth).decode(t, 200, &p)
	prev := ""
	for _, r := range p.Data {
		var rec struct {
			UpdatedAt string `json:"updated_at"`
		}
		json.Unmarshal(r, &rec)
		if rec.UpdatedAt < prev {
			t.Fatalf("updated_at(asc) out of order: %s after %s", rec.UpdatedAt, prev)
		}
		prev = rec.UpdatedAt
	}
}

func TestClioFieldsLimitAndErrors(t *testing.T) {
	_, ts := start(t, Options{Records: 5})
	var p clioPage
	get(t, ts.URL+"/api/v4/activities.json", clioAuth).decode(t, 200, &p)
	if len(p.Data) != 5 {
		t.Fatalf("got %d records, want 5", len(p.Data))
	}
	for _, r := range p.Data {
		var m map[string]any
		json.Unmarshal(r, &m)
		if _, ok := m["etag"].(string); len(m) != 2 || m["id"] == nil || !ok {
			t.Fatalf("default record %s, want only id and etag", r)
		}
	}
	get(t, ts.URL+"/api/v4/activities.json?fields=id,total,note", clioAuth).decode(t, 200, &p)
	var rec map[string]any
	json.Unmarshal(p.Data[0], &rec)
	if len(rec) != 3 || rec["total"] == nil {
		t.Fatalf("fields=id,total,note gave %v", rec)
	}

	cases := []struct {
		query, typ string
		status     int
	}{
		{"?fields=id,shoe_size", "InvalidFields", 400},
		{"?limit=201", "ArgumentError", 400},
		{"?limit=zero", "ArgumentError", 400},
		{"?order=name(asc)&offset=0", "ArgumentError", 400},
		{"?updated_since=yesterday", "ArgumentError", 400},
	}
	for _, c := range cases {
		var e clioErr
		get(t, ts.URL+"/api/v4/activities.json"+c.query, clioAuth).decode(t, c.status, &e)
		if e.Error.Type != c.typ || e.Error.Message == "" {
			t.Errorf("%s: got %+v, want %s", c.query, e, c.typ)
		}
	}
	var e clioErr
	get(t, ts.URL+"/api/v4/webhooks.json", clioAuth).decode(t, 404, &e)
	get(t, ts.URL+"/api/v4/contacts.json", bearerAuth("wrong")).decode(t, 401, &e)
	if e.Error.Type == "" {
		t.Error("401 must use Clio's error shape")
	}
}

func TestClioUpdatedSinceSeesTouchedRecords(t *testing.T) {
	clk := newClock()
	s, ts := start(t, Options{Records: 300, Now: clk.Now})
	before := s.Dataset(Clio, "contacts")
	touched := s.Touch(Clio, "contacts", 3)
	since := url.QueryEscape(clk.Now().Format(time.RFC3339))
	var p clioPage
	get(t, ts.URL+"/api/v4/contacts.json?order=id(asc)&updated_since="+since, clioAuth).decode(t, 200, &p)
	sameStrings(t, idsOf(s, Clio, p.Data), touched)
	if p.Meta.Records != 3 {
		t.Errorf("meta.records = %d, want 3", p.Meta.Records)
	}
	after := s.Dataset(Clio, "contacts")
	changed := 0
	for k := range before {
		if string(before[k]) != string(after[k]) {
			changed++
		}
	}
	if changed != 3 {
		t.Errorf("%d records changed, want 3", changed)
	}
	ins := s.Insert(Clio, "contacts", 2)
	last, _ := strconv.ParseInt(s.IDOf(Clio, after[len(after)-1]), 10, 64)
	if first, _ := strconv.ParseInt(ins[0], 10, 64); first <= last {
		t.Errorf("inserted id %d is not after %d", first, last)
	}
	get(t, ts.URL+"/api/v4/contacts.json?order=id(asc)&updated_since="+since, clioAuth).decode(t, 200, &p)
	if p.Meta.Records != 5 {
		t.Errorf("after insert meta.records = %d, want 5", p.Meta.Records)
	}
	if fmt.Sprint(idsOf(s, Clio, p.Data)[3:]) != fmt.Sprint(ins) {
		t.Errorf("inserted records missing from %v", idsOf(s, Clio, p.Data))
	}
}

// TestClioUnorderedPagesByCursor: calendar entries document page_token but no order; a
// request without offset is paged by cursor past record 10,000, ids ascending. With
// ClioUnorderedOffset its next links are offset links, capped at 10,000.
func TestClioUnorderedPagesByCursor(t *testing.T) {
	const n = 10_050
	opts := Options{Sizes: map[string]int{"clio/calendar_entries": n}}
	s, ts := start(t, opts)
	first := ts.URL + "/api/v4/calendar_entries.json?limit=200&fields=id"
	var p clioPage
	get(t, first, clioAuth).decode(t, 200, &p)
	if u, _ := url.Parse(p.Meta.Paging.Next); u == nil || u.Query().Get("page_token") == "" || u.Query().Has("offset") {
		t.Fatalf("next %q is not a page_token link", p.Meta.Paging.Next)
	}
	sameStrings(t, idsOf(s, Clio, walkClio(t, first)), idsOf(s, Clio, s.Dataset(Clio, "calendar_entries")))

	opts.ClioUnorderedOffset = true
	_, ts = start(t, opts)
	get(t, ts.URL+"/api/v4/calendar_entries.json?limit=200&fields=id", clioAuth).decode(t, 200, &p)
	if u, _ := url.Parse(p.Meta.Paging.Next); u == nil || u.Query().Get("offset") != "200" {
		t.Fatalf("next %q is not an offset link", p.Meta.Paging.Next)
	}
}

// TestClioVersionHeader: a version the reference lists is used and named in the answer,
// none is the default (4.0.13), and any other is 410 Gone.
func TestClioVersionHeader(t *testing.T) {
	_, ts := start(t, Options{Records: 3})
	url := ts.URL + "/api/v4/contacts.json"
	for sent, want := range map[string]string{"": "4.0.13", "4.0.9": "4.0.9", "4.0.13": "4.0.13"} {
		r := get(t, url, func(r *http.Request) { clioAuth(r); r.Header.Set("X-API-VERSION", sent) })
		if r.status != 200 || r.header.Get("X-API-VERSION") != want {
			t.Fatalf("X-API-VERSION %q: status %d, answered %q", sent, r.status, r.header.Get("X-API-VERSION"))
		}
	}
	for _, bad := range []string{"4.0.11", "4.0.3", "5", "latest"} {
		get(t, url, func(r *http.Request) { clioAuth(r); r.Header.Set("X-API-VERSION", bad) }).contains(t, 410, "no longer supported")
	}
}
