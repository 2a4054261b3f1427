package closeio

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
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
