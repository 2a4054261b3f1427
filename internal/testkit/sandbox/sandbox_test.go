package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"
)

var providers = []string{Clio, Attio, Close, Clever}

func TestDataIsDeterministicFromSeed(t *testing.T) {
	a, b, c := New(Options{Seed: 7, Records: 40}), New(Options{Seed: 7, Records: 40}), New(Options{Seed: 8, Records: 40})
	for _, p := range providers {
		for _, r := range a.Resources(p) {
			x, y := a.Dataset(p, r), b.Dataset(p, r)
			want := 40
			if p == Clever && r == "districts" {
				want = 1 // one district per token, as Clever's reference says, unless Sizes asks
			}
			if l, ok := closeListAt(strings.TrimSuffix(strings.TrimPrefix(closePath(r), "/api/v1/"), "/")); p == Close && ok && l.typical > 0 {
				want = l.typical // configuration lists hold a typical account's few records
			}
			if len(x) != want || len(y) != want {
				t.Fatalf("%s/%s: %d and %d records, want %d", p, r, len(x), len(y), want)
			}
			for k := range x {
				if !bytes.Equal(x[k], y[k]) {
					t.Fatalf("%s/%s record %d differs between equal seeds", p, r, k)
				}
			}
			if bytes.Equal(x[0], c.Dataset(p, r)[0]) {
				t.Errorf("%s/%s: seed 8 gives the same first record as seed 7", p, r)
			}
		}
	}
}

// Invariants the exporter relies on: past, non-decreasing timestamps; Clio and Clever ids
// strictly increasing; Close ordered by (date_created, id); every id unique.
func TestGeneratedDataInvariants(t *testing.T) {
	s := New(Options{Records: 3000, CloseTieRun: 70})
	now := time.Now()
	for _, p := range providers {
		for _, r := range s.Resources(p) {
			tb := s.table(p, r)
			seen := map[string]bool{}
			var prev meta
			for i := range tb.count() {
				m := tb.meta(i)
				if !m.created.Before(now) || m.updated.Before(m.created) || !m.updated.Before(now) {
					t.Fatalf("%s/%s #%d: created %v updated %v", p, r, i, m.created, m.updated)
				}
				if seen[m.id] {
					t.Fatalf("%s/%s: duplicate id %s", p, r, m.id)
				}
				seen[m.id] = true
				if i > 0 {
					if m.created.Before(prev.created) {
						t.Fatalf("%s/%s #%d: created goes back", p, r, i)
					}
					switch p {
					case Clio:
						if len(m.id) < len(prev.id) || len(m.id) == len(prev.id) && m.id <= prev.id {
							t.Fatalf("clio ids not increasing: %s then %s", prev.id, m.id)
						}
					case Clever:
						if m.id <= prev.id {
							t.Fatalf("clever ids not increasing: %s then %s", prev.id, m.id)
						}
					case Close:
						if m.created.Equal(prev.created) && m.id <= prev.id {
							t.Fatalf("close: tie not ordered by id: %s then %s", prev.id, m.id)
						}
					}
				}
				prev = m
			}
		}
	}
}

func TestMillionRecordsAreCheap(t *testing.T) {
	const n = 1_000_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, ts := start(t, Options{Sizes: map[string]int{"clio/contacts": n, "close/lead": n, "clever/users": n}})

	tb := s.table(Clio, "contacts")
	tok := base64.RawURLEncoding.EncodeToString([]byte("after:" + tb.meta(n-101).id))
	var cp clioPage
	get(t, ts.URL+"/api/v4/contacts.json?order=id(asc)&page_token="+tok, clioAuth).decode(t, 200, &cp)
	if len(cp.Data) != 100 || cp.Meta.Paging.Next != "" || cp.Meta.Records != n {
		t.Fatalf("clio tail page: %d records, next %q, total %d", len(cp.Data), cp.Meta.Paging.Next, cp.Meta.Records)
	}
	var lp closePage
	get(t, ts.URL+"/api/v1/lead/?_skip=250000&_limit=100", closeAuth).decode(t, 200, &lp)
	if len(lp.Data) != 100 || !*lp.HasMore {
		t.Fatalf("close deep skip: %d records", len(lp.Data))
	}
	var vp cleverPage
	get(t, ts.URL+"/v3.0/users?limit=10000&starting_after="+s.table(Clever, "users").meta(n-10).id, cleverAuth).decode(t, 200, &vp)
	if len(vp.Data) != 9 {
		t.Fatalf("clever tail: %d records, want 9", len(vp.Data))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 64<<20 {
		t.Errorf("heap grew by %d MB for three million-record resources", grown>>20)
	}
}

func TestUnauthorizedInEachProvidersShape(t *testing.T) {
	_, ts := start(t, Options{Records: 1})
	paths := map[string]string{Clio: "/api/v4/contacts.json", Attio: "/v2/notes", Close: "/api/v1/lead/", Clever: "/v3.0/users"}
	for p, path := range paths {
		for _, a := range []auth{nil, bearerAuth("sandbox-nobody"), basicAuth("sandbox-nobody")} {
			r := get(t, ts.URL+path, a)
			if r.status != 401 || !json.Valid(r.body) {
				t.Errorf("%s: %d %s", p, r.status, r.body)
			}
		}
	}
}

func TestIDOf(t *testing.T) {
	s := New(Options{})
	cases := []struct{ provider, rec, want string }{
		{Clio, `{"id":10000042}`, "10000042"},
		{Attio, `{"id":{"workspace_id":"w","object_id":"o","record_id":"r1"}}`, "r1"},
		{Attio, `{"id":{"workspace_id":"w","note_id":"n1"},"title":"x"}`, "n1"},
		{Attio, `{"id":{"workspace_id":"w","meeting_id":"m1"}}`, "m1"},
		{Attio, `{"id":{"workspace_id":"w","task_id":"t1"}}`, "t1"},
		{Attio, `{"id":{"workspace_id":"w","list_id":"l","entry_id":"e1"}}`, "e1"},
		{Attio, `{"id":{"workspace_id":"w","workspace_member_id":"wm1"}}`, "wm1"},
		{Close, `{"id":"lead_abc","name":"x"}`, "lead_abc"},
		{Clever, `{"data":{"id":"5e686accf0b2500000000000"},"uri":"/v3.0/users/5e686accf0b2500000000000"}`, "5e686accf0b2500000000000"},
		{Clever, `{"id":"5e686accf0b2500000000001"}`, "5e686accf0b2500000000001"},
	}
	for _, c := range cases {
		if got := s.IDOf(c.provider, json.RawMessage(c.rec)); got != c.want {
			t.Errorf("IDOf(%s, %s) = %q, want %q", c.provider, c.rec, got, c.want)
		}
	}
}

func TestAdminEndpoints(t *testing.T) {
	s, ts := start(t, Options{Records: 20})
	ids := strings.Fields(string(get(t, ts.URL+"/_sandbox/ids?provider=clever&resource=schools", nil).body))
	sameStrings(t, ids, idsOf(s, Clever, s.Dataset(Clever, "schools")))

	var ins struct{ IDs []string }
	call(t, "POST", ts.URL+"/_sandbox/insert?provider=close&resource=opportunity&n=3", nil, nil).decode(t, 200, &ins)
	all := idsOf(s, Close, s.Dataset(Close, "opportunity"))
	if len(ins.IDs) != 3 || len(all) != 23 || all[0] != ins.IDs[2] {
		t.Fatalf("insert gave %v; dataset now %d starting %s", ins.IDs, len(all), all[0])
	}
	var touched struct{ IDs []string }
	call(t, "POST", ts.URL+"/_sandbox/touch?provider=attio&resource=people&n=2", nil, nil).decode(t, 200, &touched)
	if len(touched.IDs) != 2 {
		t.Fatalf("touch gave %v", touched.IDs)
	}

	call(t, "POST", ts.URL+"/_sandbox/fail?provider=attio&fault=5xx&n=1", nil, nil).decode(t, 200, &struct{}{})
	if r := get(t, ts.URL+"/v2/notes", attioAuth); r.status < 500 {
		t.Fatalf("after /fail: status %d", r.status)
	}
	var st Stats
	get(t, ts.URL+"/_sandbox/stats", nil).decode(t, 200, &st)
	if st.Providers[Attio].Faults[FaultServer] != 1 || st.Providers[Attio].Requests != 1 {
		t.Errorf("stats %+v", st.Providers[Attio])
	}
	call(t, "POST", ts.URL+"/_sandbox/fail?provider=attio&fault=meteor", nil, nil).contains(t, 400, "fault")
	call(t, "POST", ts.URL+"/_sandbox/insert?provider=clio&resource=webhooks", nil, nil).contains(t, 400, "unknown")
	get(t, ts.URL+"/_sandbox/insert?provider=clio&resource=matters", nil).contains(t, 405, "POST")
}

func TestCrowdPutsRecordsInTheMiddleOfTheRange(t *testing.T) {
	s := New(Options{Records: 1_000, Crowd: 0.1})
	whole := s.end.Sub(s.start)
	lo, hi := s.start.Add(whole*45/100), s.start.Add(whole*55/100)
	for _, name := range []string{"close/lead", "clio/contacts"} {
		tb := s.tables[name]
		first, last := tb.createdOf(0), tb.createdOf(tb.count()-1)
		if first.Before(lo) || last.After(hi) || last.Sub(first) < whole/20 {
			t.Errorf("%s created from %v to %v, want spread within [%v, %v]", name, first, last, lo, hi)
		}
	}
}
