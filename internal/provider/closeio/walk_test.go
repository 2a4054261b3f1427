package closeio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

const (
	tA = "2024-01-01T00:00:00.000000+00:00"
	tB = "2024-01-02T00:00:00.000000+00:00"
	tC = "2024-01-03T00:00:00.000000+00:00"
	tU = "2025-01-01T00:00:00.000000+00:00"
)

func TestWalkBody(t *testing.T) {
	c := New(Config{Token: "key"}, nil)
	p := plan(t, c, provider.Spec{Resource: "contact", PageSize: 50, Fields: []string{"name"}, Since: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)})
	raw, _ := json.Marshal(walkBody(p, provider.Position{Anchor: "2024-01-01T00:00:00Z", Until: tU, Cursor: "cur"}))
	want := `{"query":{"type":"and","queries":[` +
		`{"type":"object_type","object_type":"contact"},` +
		`{"type":"field_condition","field":{"type":"regular_field","object_type":"contact","field_name":"date_created"},` +
		`"condition":{"type":"moment_range","on_or_after":{"type":"fixed_utc","value":"` + tA + `"},"before":{"type":"fixed_utc","value":"` + tU + `"}}},` +
		`{"type":"field_condition","field":{"type":"regular_field","object_type":"contact","field_name":"date_updated"},` +
		`"condition":{"type":"moment_range","on_or_after":{"type":"fixed_utc","value":"2024-03-01T00:00:00.000000+00:00"},"before":null}}]},` +
		`"sort":[{"direction":"asc","field":{"type":"regular_field","object_type":"contact","field_name":"date_created"}}],` +
		`"_limit":50,"cursor":"cur","_fields":{"contact":["id","date_created","date_updated","name"]}}`
	if string(raw) != want {
		t.Fatalf("body\n got %s\nwant %s", raw, want)
	}
	raw, _ = json.Marshal(walkBody(p, provider.Position{Until: tU}))
	if !strings.Contains(string(raw), `"on_or_after":null`) || !strings.Contains(string(raw), `"cursor":null`) {
		t.Fatalf("open lower bound or first page: %s", raw)
	}
}

func walkResp(cursor string, dates ...string) searchResponse {
	r := searchResponse{Data: recs(dates...)}
	if cursor != "" {
		r.Cursor = &cursor
	}
	return r
}

// TestWalkPage: ties at the anchor already exported are skipped by count, and From and
// Offset follow the last date_created seen.
func TestWalkPage(t *testing.T) {
	cases := []struct {
		name string
		pos  provider.Position
		resp searchResponse
		keep string // indices kept, as in recs: r0 r1 …
		next provider.Position
	}{
		{"first walk", provider.Position{Until: tU}, walkResp("c1", tA, tA, tB),
			"r0 r1 r2", provider.Position{From: tB, Offset: 1, Until: tU, Cursor: "c1", Walked: 3}},
		{"run goes on", provider.Position{From: tB, Offset: 1, Until: tU, Cursor: "c1", Walked: 3}, walkResp("c2", tB, tB, tC),
			"r0 r1 r2", provider.Position{From: tC, Offset: 1, Until: tU, Cursor: "c2", Walked: 6}},
		{"run across pages", provider.Position{From: tB, Offset: 1, Until: tU, Cursor: "c1", Walked: 3}, walkResp("c2", tB, tB),
			"r0 r1", provider.Position{From: tB, Offset: 3, Until: tU, Cursor: "c2", Walked: 5}},
		{"re-anchored skips exported ties", provider.Position{From: tA, Offset: 2, Anchor: tA, Until: tU}, walkResp("c1", tA, tA, tA, tB),
			"r2 r3", provider.Position{From: tB, Offset: 1, Anchor: tA, Until: tU, Cursor: "c1", Walked: 4}},
		{"skip spans pages", provider.Position{From: tA, Offset: 3, Anchor: tA, Until: tU}, walkResp("c1", tA, tA),
			"", provider.Position{From: tA, Offset: 3, Anchor: tA, Until: tU, Cursor: "c1", Walked: 2}},
		{"second page of the skip", provider.Position{From: tA, Offset: 3, Anchor: tA, Until: tU, Cursor: "c1", Walked: 2}, walkResp("c2", tA, tA),
			"r1", provider.Position{From: tA, Offset: 4, Anchor: tA, Until: tU, Cursor: "c2", Walked: 4}},
		// A walk that ends having moved on may have hit the undocumented cap: a fresh walk
		// from the last record seen decides.
		{"fewer ties than exported", provider.Position{From: tA, Offset: 3, Anchor: tA, Until: tU}, walkResp("", tA, tB),
			"r1", provider.Position{From: tB, Offset: 1, Anchor: tB, Until: tU}},
		{"last page of a walk", provider.Position{From: tB, Offset: 1, Anchor: tB, Until: tU}, walkResp("", tB, tC),
			"r1", provider.Position{From: tC, Offset: 1, Anchor: tC, Until: tU}},
		{"a fresh walk finds nothing new", provider.Position{From: tC, Offset: 1, Anchor: tC, Until: tU}, walkResp("", tC),
			"", provider.Position{From: tC, Offset: 1, Anchor: tC, Until: tU, Walked: 1}},
		// Counted by its first page, a walk that returned every match is the end.
		{"a counted walk ends", provider.Position{From: tB, Offset: 1, Anchor: tB, Until: tU, Cursor: "c1", Walked: 2, Matches: 4}, walkResp("", tB, tC),
			"r0 r1", provider.Position{From: tC, Offset: 1, Anchor: tB, Until: tU, Walked: 4, Matches: 4}},
		{"a counted walk cut short", provider.Position{From: tB, Offset: 1, Anchor: tB, Until: tU, Cursor: "c1", Walked: 2, Matches: 9}, walkResp("", tB, tC),
			"r0 r1", provider.Position{From: tC, Offset: 1, Anchor: tC, Until: tU}},
	}
	c := New(Config{Token: "key"}, nil)
	c.now = func() time.Time { return time.UnixMilli(0) }
	p := plan(t, c, provider.Spec{Resource: "lead"})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := c.walkPage(p, tc.pos, tc.resp)
			if err != nil {
				t.Fatal(err)
			}
			var kept []string
			for _, r := range page.Records {
				kept = append(kept, idOf(r))
			}
			done := tc.next.Cursor == "" && tc.next.Walked > 0
			if got := strings.Join(kept, " "); got != tc.keep || page.Next != tc.next || page.Done != done {
				t.Fatalf("kept %q next %+v done %v\nwant %q next %+v", got, page.Next, page.Done, tc.keep, tc.next)
			}
		})
	}
}

func TestRenew(t *testing.T) {
	now := time.UnixMilli(1_000_000)
	fresh, stale := now.UnixMilli()-1000, now.UnixMilli()-21_000
	cases := []struct {
		name string
		pos  provider.Position
		want provider.Position // zero: an error
	}{
		{"new walk", provider.Position{From: tA, Anchor: tA}, provider.Position{From: tA, Anchor: tA}},
		{"fresh cursor", provider.Position{From: tB, Anchor: tA, Cursor: "c", Walked: 40, Issued: fresh},
			provider.Position{From: tB, Anchor: tA, Cursor: "c", Walked: 40, Issued: fresh}},
		{"half the cap", provider.Position{From: tB, Offset: 2, Anchor: tA, Cursor: "c", Walked: 50, Issued: fresh, Until: tU},
			provider.Position{From: tB, Offset: 2, Anchor: tB, Until: tU}},
		{"old cursor", provider.Position{From: tB, Offset: 2, Anchor: tA, Cursor: "c", Walked: 10, Issued: stale},
			provider.Position{From: tB, Offset: 2, Anchor: tB}},
		{"old cursor in the anchor's run", provider.Position{From: tA, Offset: 12, Anchor: tA, Cursor: "c", Walked: 10, Issued: stale},
			provider.Position{From: tA, Offset: 12, Anchor: tA, Cursor: "c", Walked: 10, Issued: stale}},
		{"no anchor yet", provider.Position{From: tA, Offset: 60, Cursor: "c", Walked: 60, Issued: fresh},
			provider.Position{From: tA, Offset: 60, Anchor: tA}},
		{"a run longer than a walk", provider.Position{From: tA, Offset: 90, Anchor: tA, Cursor: "c", Walked: 90, Issued: fresh}, provider.Position{}},
	}
	c := New(Config{Token: "key", SearchCap: 100}, nil)
	c.now = func() time.Time { return now }
	p := plan(t, c, provider.Spec{Resource: "lead", PageSize: 10})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.renew(p, tc.pos)
			if tc.want == (provider.Position{}) {
				if pe := asError(t, err); pe.Retryable || pe.Contract || !strings.Contains(pe.Message, "at least 90 records share date_created "+tA) {
					t.Fatalf("got %v", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v %v\nwant %+v", got, err, tc.want)
			}
		})
	}
}

// TestWalkFetch: a refused cursor starts a new walk once, and pages of ties exported before
// are fetched through within one Fetch.
func TestWalkFetch(t *testing.T) {
	var calls atomic.Int32
	c := serve(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
		var body walkRequest
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Error(err)
		}
		n := calls.Add(1)
		switch {
		case n == 1 && body.Cursor != nil && *body.Cursor == "old":
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":"Cursor has expired."}`)
		case n == 2 && body.Cursor == nil:
			fmt.Fprintf(w, `{"data":[{"id":"a0","date_created":%q},{"id":"a1","date_created":%q}],"cursor":"k1"}`, tA, tA)
		case n == 3 && *body.Cursor == "k1":
			fmt.Fprintf(w, `{"data":[{"id":"a2","date_created":%q},{"id":"b0","date_created":%q}],"cursor":null}`, tA, tB)
		default:
			t.Errorf("request %d cursor %v", n, body.Cursor)
			w.WriteHeader(500)
		}
	})
	p := plan(t, c, provider.Spec{Resource: "lead", PageSize: 2})
	at := provider.Position{From: tA, Offset: 3, Anchor: tA, Until: tU, Cursor: "old", Walked: 8, Issued: time.Now().UnixMilli()}
	page, err := c.Fetch(context.Background(), provider.Request{Plan: p, Position: at})
	want := provider.Position{From: tB, Offset: 1, Anchor: tB, Until: tU} // re-anchored: the walk ended
	if err != nil || page.Done || page.Next != want || len(page.Records) != 1 || idOf(page.Records[0]) != "b0" || calls.Load() != 3 {
		t.Fatalf("page %+v err %v after %d calls", page, err, calls.Load())
	}
}

// TestContractChecks: answers outside the window, out of order or out of since are
// Contract errors naming the position.
func TestContractChecks(t *testing.T) {
	since := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		spec provider.Spec
		pos  provider.Position
		body string
		want string
	}{
		{"walk before its anchor", provider.Spec{Resource: "lead"}, provider.Position{From: tB, Until: tU},
			`{"data":[{"id":"x","date_created":"` + tA + `"}],"cursor":null}`, "outside the range asked for"},
		{"walk past until", provider.Spec{Resource: "contact"}, provider.Position{Until: tB},
			`{"data":[{"id":"x","date_created":"` + tC + `"}],"cursor":null}`, "outside the range asked for"},
		{"walk unsorted", provider.Spec{Resource: "lead"}, provider.Position{Until: tU},
			`{"data":[{"id":"x","date_created":"` + tB + `"},{"id":"y","date_created":"` + tA + `"}],"cursor":null}`, "not in ascending order"},
		{"walk cursor repeated", provider.Spec{Resource: "lead"}, provider.Position{Until: tU, Cursor: "c", Issued: time.Now().UnixMilli()},
			`{"data":[{"id":"x","date_created":"` + tA + `"}],"cursor":"c"}`, "answered with the cursor it was sent"},
		{"walk since", provider.Spec{Resource: "lead", Since: since}, provider.Position{Until: tU},
			`{"data":[{"id":"x","date_created":"` + tA + `","date_updated":"` + tA + `"}],"cursor":null}`, "date_updated " + tA},
		{"list window", provider.Spec{Resource: "activity"}, provider.Position{From: tB, Until: tU},
			`{"data":[{"id":"x","date_created":"` + tA + `"}],"has_more":false}`, "outside the range asked for"},
		{"list offset unsorted", provider.Spec{Resource: "opportunity", Strategy: "offset"}, provider.Position{Offset: 5, Last: tC},
			`{"data":[{"id":"x","date_created":"` + tB + `","date_updated":"` + tC + `"}],"has_more":true}`, "before the previous " + tC},
		{"opportunity since", provider.Spec{Resource: "opportunity", Strategy: "offset", Since: since}, provider.Position{},
			`{"data":[{"id":"x","date_created":"` + tB + `","date_updated":"` + tA + `"}],"has_more":true}`, "date_updated " + tA},
		{"window has_more empty", provider.Spec{Resource: "opportunity"}, provider.Position{From: tA, Until: tU},
			`{"data":[],"has_more":true}`, "has_more with an empty page"},
		{"events oldest first", provider.Spec{Resource: "event"}, provider.Position{Cursor: "c", Last: tA},
			`{"data":[{"id":"x","date_updated":"` + tB + `"}],"cursor_next":null}`, "not newest first"},
		{"events before since", provider.Spec{Resource: "event", Since: since}, provider.Position{},
			`{"data":[{"id":"x","date_updated":"` + tA + `"}],"cursor_next":null}`, "outside the range asked for"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := serve(t, Config{}, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tc.body) })
			c.now = func() time.Time { return since.Add(24 * time.Hour) } // within the 30 days of events
			_, err := c.Fetch(context.Background(), provider.Request{Plan: plan(t, c, tc.spec), Position: tc.pos})
			pe := asError(t, err)
			if !pe.Contract || pe.Retryable || !strings.Contains(pe.Message, tc.want) || !strings.Contains(err.Error(), "close "+tc.spec.Resource+": broken paging contract at ") {
				t.Fatalf("got %#v (%v)", pe, err)
			}
		})
	}
}

func TestCount(t *testing.T) {
	cases := []struct {
		spec  provider.Spec
		path  string
		body  string
		total int
		ok    bool
	}{
		{provider.Spec{Resource: "opportunity", Filters: map[string]string{"status_type": "won"}}, "/api/v1/opportunity/?_fields=id&_limit=1&status_type=won",
			`{"data":[],"has_more":true,"total_results":42}`, 42, true},
		{provider.Spec{Resource: "lead"}, "/api/v1/data/search/", `{"data":[],"cursor":"x","count":{"total":7}}`, 7, true},
		{provider.Spec{Resource: "contact", Strategy: "offset", Filters: map[string]string{"lead_id": "l"}}, "", "", 0, false},
		{provider.Spec{Resource: "activity"}, "", "", 0, false},
		{provider.Spec{Resource: "event"}, "", "", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.spec.Resource, func(t *testing.T) {
			c := serve(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.RequestURI() != tc.path {
					t.Errorf("request %s, want %s", r.URL.RequestURI(), tc.path)
				}
				if r.Method == http.MethodPost {
					var body walkRequest
					if json.NewDecoder(r.Body).Decode(&body) != nil || !body.IncludeCounts || body.Limit != 1 {
						t.Errorf("search body %+v", body)
					}
				}
				fmt.Fprint(w, tc.body)
			})
			n, ok, err := c.Count(context.Background(), plan(t, c, tc.spec))
			if err != nil || n != tc.total || ok != tc.ok {
				t.Fatalf("got %d %v %v", n, ok, err)
			}
		})
	}
}
