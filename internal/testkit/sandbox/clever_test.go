package sandbox

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

type cleverPage struct {
	Data []struct {
		Data json.RawMessage `json:"data"`
		URI  string          `json:"uri"`
	} `json:"data"`
	Links []struct {
		Rel string `json:"rel"`
		URI string `json:"uri"`
	} `json:"links"`
}

func (p cleverPage) link(rel string) string {
	for _, l := range p.Links {
		if l.Rel == rel {
			return l.URI
		}
	}
	return ""
}

func TestCleverTrailingNextEndsOnAnEmptyPage(t *testing.T) {
	s, ts := start(t, Options{Sizes: map[string]int{"clever/users": 250}})
	next := "/v3.0/users?limit=100"
	var sizes []int
	var ids []string
	for next != "" {
		var p cleverPage
		get(t, ts.URL+next, cleverAuth).decode(t, 200, &p)
		sizes = append(sizes, len(p.Data))
		if p.link("self") != next {
			t.Errorf("self = %q, want %q", p.link("self"), next)
		}
		for _, it := range p.Data {
			id := s.IDOf(Clever, it.Data)
			if it.URI != "/v3.0/users/"+id {
				t.Fatalf("uri %q for id %s", it.URI, id)
			}
			ids = append(ids, id)
		}
		next = p.link("next")
		if len(p.Data) > 0 && next == "" {
			t.Fatalf("non-empty page %d has no next link", len(sizes))
		}
		if len(p.Data) == 0 && len(p.Links) != 1 {
			t.Fatalf("empty page links %+v, want only self", p.Links)
		}
		if next != "" && !strings.HasPrefix(next, "/v3.0/users?limit=100&starting_after=") {
			t.Fatalf("next %q is not a relative starting_after link", next)
		}
	}
	if len(sizes) != 4 || sizes[2] != 50 || sizes[3] != 0 {
		t.Fatalf("page sizes %v, want [100 100 50 0]", sizes)
	}
	sameStrings(t, ids, idsOf(s, Clever, s.Dataset(Clever, "users")))
	for k := 1; k < len(ids); k++ {
		if len(ids[k]) != 24 || ids[k-1] >= ids[k] {
			t.Fatalf("ids not ascending 24-hex at %d: %s %s", k, ids[k-1], ids[k])
		}
	}
	// ending_before gives the records just before an id, still ascending.
	var p cleverPage
	get(t, ts.URL+"/v3.0/users?limit=3&ending_before="+ids[10], cleverAuth).decode(t, 200, &p)
	if len(p.Data) != 3 || s.IDOf(Clever, p.Data[2].Data) != ids[9] {
		t.Errorf("ending_before gave %d records", len(p.Data))
	}
}

func TestCleverLimits(t *testing.T) {
	_, ts := start(t, Options{Records: 3})
	get(t, ts.URL+"/v3.0/sections?limit=10000", cleverAuth).decode(t, 200, &cleverPage{})
	get(t, ts.URL+"/v3.0/sections?limit=10001", cleverAuth).contains(t, 413, "10000")
	get(t, ts.URL+"/v3.0/sections?starting_after=nope", cleverAuth).contains(t, 400, "message")
	get(t, ts.URL+"/v3.0/gradebooks", cleverAuth).contains(t, 404, "message")
	get(t, ts.URL+"/v3.0/schools", nil).contains(t, 401, "message")
}

func TestClever429HasAnEmptyBody(t *testing.T) {
	s, ts := start(t, Options{Records: 3})
	s.FailNext(Clever, FaultRateLimit, 1)
	before := time.Now()
	r := get(t, ts.URL+"/v3.0/schools", cleverAuth)
	if r.status != 429 || len(r.body) != 0 {
		t.Fatalf("got %d with %d body bytes, want 429 and empty", r.status, len(r.body))
	}
	reset, err := strconv.ParseInt(r.header.Get("X-RateLimit-Reset"), 10, 64)
	if err != nil || reset < before.Add(time.Second).Unix() {
		t.Errorf("X-RateLimit-Reset %q, want Unix seconds >= now+1s", r.header.Get("X-RateLimit-Reset"))
	}
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Bucket"} {
		if r.header.Get(h) == "" {
			t.Errorf("%s missing", h)
		}
	}
}

func TestCleverUserTokenGetsHTML(t *testing.T) {
	_, ts := start(t, Options{Records: 3})
	r := get(t, ts.URL+"/v3.0/users", bearerAuth(CleverUserToken))
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || json.Valid(r.body) {
		t.Fatalf("user token: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
}
