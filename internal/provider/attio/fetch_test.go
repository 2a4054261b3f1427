package attio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

func task(n int) string {
	return fmt.Sprintf(`{"id":{"workspace_id":"w","task_id":"t%d"},"created_at":"2024-05-01T00:00:%02d.000000000Z"}`, n, n)
}

// TestTasksQuery pages GET /v2/tasks with exactly the documented parameters, the user's
// filters kept on every page, and ends on a short page.
func TestTasksQuery(t *testing.T) {
	var got []url.Values
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v2/tasks" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		q := r.URL.Query()
		got = append(got, q)
		off, _ := strconv.Atoi(q.Get("offset"))
		var recs []string
		for n := off; n < min(off+3, 7); n++ {
			recs = append(recs, task(n))
		}
		fmt.Fprintf(w, `{"data":[%s]}`, strings.Join(recs, ","))
	})
	p := plan(t, c, provider.Spec{Resource: "tasks", PageSize: 3, Filters: map[string]string{"is_completed": "false"}})
	if pages := drain(t, c, p); len(pages) != 3 || len(pages[2]) != 1 {
		t.Fatalf("pages %v", pages)
	}
	for i, q := range got {
		want := fmt.Sprintf("is_completed=false&limit=3&offset=%d&sort=created_at%%3Aasc", 3*i)
		if q.Encode() != want {
			t.Errorf("request %d: %s, want %s", i, q.Encode(), want)
		}
	}
}

// TestTasksOrder: tasks out of created_at order are a Contract error.
func TestTasksOrder(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `{"data":[%s,%s]}`, task(5), task(4))
	})
	_, err := c.Fetch(context.Background(), provider.Request{Plan: plan(t, c, provider.Spec{Resource: "tasks"})})
	if pe := asError(t, err); !pe.Contract || !strings.Contains(pe.Message, "record t4 has created_at") {
		t.Fatalf("got %v", err)
	}
}

// TestEntriesQuery posts to the list's entries query by slug, sorted by created_at, with
// the user's filter and since and-ed as for records.
func TestEntriesQuery(t *testing.T) {
	var body queryRequest
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v2/lists/sales_pipeline/entries/query" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Error(err)
		}
		fmt.Fprint(w, `{"data":[{"id":{"workspace_id":"w","list_id":"l","entry_id":"e1"},"created_at":"2024-05-02T00:00:00.000000000Z"}]}`)
	})
	since := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	p := plan(t, c, provider.Spec{Resource: "list.sales_pipeline", PageSize: 2, Query: []byte(`{"stage":"Won"}`), Since: since})
	page, err := c.Fetch(context.Background(), provider.Request{Plan: p})
	if err != nil || !page.Done || len(page.Records) != 1 || page.Next.Last != "2024-05-02T00:00:00.000000000Z" {
		t.Fatalf("page %+v err %v", page, err)
	}
	if string(body.Filter) != `{"created_at":{"$gte":"2024-05-01T00:00:00Z"},"stage":"Won"}` || body.Limit != 2 ||
		len(body.Sorts) != 1 || body.Sorts[0] != (sortSpec{"asc", "created_at"}) {
		t.Errorf("body %+v filter %s", body, body.Filter)
	}
}

// TestMembersOnePage: GET /v2/workspace_members without parameters is the whole export.
func TestMembersOnePage(t *testing.T) {
	calls := 0
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.URL.Path != "/v2/workspace_members" || r.URL.RawQuery != "" {
			t.Errorf("%s?%s", r.URL.Path, r.URL.RawQuery)
		}
		fmt.Fprint(w, `{"data":[{"id":{"workspace_member_id":"m1"}},{"id":{"workspace_member_id":"m2"}}]}`)
	})
	pages := drain(t, c, plan(t, c, provider.Spec{Resource: "workspace_members"}))
	if calls != 1 || len(pages) != 1 || len(pages[0]) != 2 {
		t.Fatalf("%d calls, pages %v", calls, pages)
	}
}
