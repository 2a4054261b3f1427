package closeio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
)

func TestCatalogErrors(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		check      func(*provider.Error) bool
	}{
		{"refused key", `{"error":"The API key you provided is invalid."}`, 401, func(pe *provider.Error) bool { return pe.Credentials && !pe.Retryable }},
		{"type id unfit for a name", `{"data":[{"id":"cotype_a"},{"id":"co/x"}],"has_more":false}`, 200,
			func(pe *provider.Error) bool {
				return strings.Contains(pe.Message, `"co/x" cannot name an export`) && !pe.Retryable
			}},
		{"has_more on one page", `{"data":[],"has_more":true}`, 200, func(pe *provider.Error) bool { return pe.Contract }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := serve(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.RequestURI() != "/api/v1/custom_object_type/" {
					t.Errorf("request %s", r.URL.RequestURI())
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			})
			_, err := c.Catalog(context.Background())
			if pe := asError(t, err); !tc.check(pe) {
				t.Fatalf("got %#v", pe)
			}
		})
	}
}

// TestCustomObjectPages: a page is a page of lead ids and each lead's objects of the type;
// only the first page checks the type; an object of another type breaks the contract.
func TestCustomObjectPages(t *testing.T) {
	var mu sync.Mutex
	var got []string
	otherType := false
	c := serve(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.RequestURI())
		mu.Unlock()
		q := r.URL.Query()
		switch r.URL.Path {
		case "/api/v1/custom_object_type/cotype_a/":
			fmt.Fprint(w, `{"id":"cotype_a"}`)
		case "/api/v1/lead/":
			fmt.Fprint(w, `{"data":[{"id":"l1"},{"id":"l2"}],"has_more":true}`)
		case "/api/v1/custom_object/":
			typ := q.Get("custom_object_type_id")
			if otherType && q.Get("lead_id") == "l2" {
				typ = "cotype_b"
			}
			fmt.Fprintf(w, `{"data":[{"id":"co_%s","lead_id":%q,"custom_object_type_id":%q}],"has_more":false}`, q.Get("lead_id"), q.Get("lead_id"), typ)
		default:
			t.Errorf("request %s", r.URL.RequestURI())
		}
	})
	p := plan(t, c, provider.Spec{Resource: "custom_object.cotype_a", PageSize: 2})
	page, err := c.Fetch(context.Background(), provider.Request{Plan: p, Position: c.Start(p)})
	want := []string{"/api/v1/custom_object_type/cotype_a/", "/api/v1/lead/?_fields=id&_limit=2&_skip=0",
		"/api/v1/custom_object/?custom_object_type_id=cotype_a&lead_id=l1", "/api/v1/custom_object/?custom_object_type_id=cotype_a&lead_id=l2"}
	if err != nil || page.Done || page.Next != (provider.Position{Offset: 2}) || len(page.Records) != 2 || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("page %+v err %v requests %v", page, err, got)
	}
	got, otherType = nil, true
	_, err = c.Fetch(context.Background(), provider.Request{Plan: p, Position: page.Next})
	if pe := asError(t, err); !pe.Contract || !strings.Contains(pe.Message, `record co_l2 is of lead "l2" and type "cotype_b"`) || len(got) != 3 {
		t.Fatalf("got %v after %v", err, got)
	}
}

// TestCustomObjectPageKeepsWithinOneBody: a page of 100 leads each with large custom
// objects would hold 100 bodies; it keeps at most PAGEWISE_MAX_BODY of records instead,
// ending before the lead that would take it past, where the next page starts. Pages
// cover every object once, in order, and a page asked for again is the same page. The
// page claims its memory before its first request, as it cannot wait for more later.
func TestCustomObjectPageKeepsWithinOneBody(t *testing.T) {
	const maxBody, leads, blob = 256 << 10, 100, 40 << 10
	var budget *provider.Budget
	var claimedFirst atomic.Int64
	claimedFirst.Store(-1)
	c := serve(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch r.URL.Path {
		case "/api/v1/custom_object_type/cotype_a/":
			claimedFirst.CompareAndSwap(-1, budget.Pages.Held())
			fmt.Fprint(w, `{"id":"cotype_a"}`)
		case "/api/v1/lead/":
			skip, _ := strconv.Atoi(q.Get("_skip"))
			limit, _ := strconv.Atoi(q.Get("_limit"))
			var ids []string
			for i := skip; i < min(skip+limit, leads); i++ {
				ids = append(ids, fmt.Sprintf(`{"id":"l%03d"}`, i))
			}
			fmt.Fprintf(w, `{"data":[%s],"has_more":%v}`, strings.Join(ids, ","), skip+limit < leads)
		case "/api/v1/custom_object/":
			lead := q.Get("lead_id")
			fmt.Fprintf(w, `{"data":[{"id":"co_%s","lead_id":%q,"custom_object_type_id":"cotype_a","blob":%q}],"has_more":false}`,
				lead, lead, strings.Repeat("x", blob))
		default:
			t.Errorf("request %s", r.URL.RequestURI())
		}
	})
	budget, err := provider.NewBudget(provider.MinBudget(maxBody), maxBody)
	if err != nil {
		t.Fatal(err)
	}
	ctx := provider.WithLimits(context.Background(), provider.Limits{MaxBody: maxBody, Budget: budget})
	p := plan(t, c, provider.Spec{Resource: "custom_object.cotype_a", PageSize: leads})
	var ids []string
	pos, pages := c.Start(p), 0
	for done := false; !done; pages++ {
		if pages > leads {
			t.Fatal("more pages than leads")
		}
		hold := budget.Hold()
		page, err := c.Fetch(provider.WithHold(ctx, hold), provider.Request{Plan: p, Position: pos})
		hold.Release()
		if err != nil {
			t.Fatal(err)
		}
		var size int64
		for _, r := range page.Records {
			size += int64(len(r))
			var rec struct{ ID string }
			_ = json.Unmarshal(r, &rec)
			ids = append(ids, rec.ID)
		}
		if size > maxBody {
			t.Fatalf("page at %+v holds %d bytes of records, over the %d-byte body limit", pos, size, maxBody)
		}
		again, err := c.Fetch(ctx, provider.Request{Plan: p, Position: pos})
		if err != nil || again.Next != page.Next || again.Done != page.Done || len(again.Records) != len(page.Records) {
			t.Fatalf("the page at %+v asked for again: next %+v done %v records %d, was %+v %v %d (err %v)",
				pos, again.Next, again.Done, len(again.Records), page.Next, page.Done, len(page.Records), err)
		}
		pos, done = page.Next, page.Done
	}
	if len(ids) != leads {
		t.Fatalf("%d objects exported, want %d", len(ids), leads)
	}
	for i, id := range ids {
		if want := fmt.Sprintf("co_l%03d", i); id != want {
			t.Fatalf("object %d is %s, want %s", i, id, want)
		}
	}
	if want := leads / (maxBody / blob); pages < want {
		t.Fatalf("%d pages, want at least %d of at most %d objects", pages, want, maxBody/blob)
	}
	if got := claimedFirst.Load(); got != provider.MinBudget(maxBody) {
		t.Fatalf("%d bytes claimed before the first request, want the page's bound %d", got, provider.MinBudget(maxBody))
	}
	if budget.Pages.Peak() > budget.Pages.Size() || budget.Pages.Held() != 0 {
		t.Fatalf("budget peak %d of %d, %d still held", budget.Pages.Peak(), budget.Pages.Size(), budget.Pages.Held())
	}
}
