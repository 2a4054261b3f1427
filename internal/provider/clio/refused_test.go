package clio

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// TestRefusedFieldIsDropped: a 400 naming a field asked for drops that field; the page is
// asked for again without it, and every later request leaves it out, next links included.
func TestRefusedFieldIsDropped(t *testing.T) {
	var queries []string
	var next string
	c, srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		fields := r.URL.Query().Get("fields")
		queries = append(queries, fields)
		if strings.Contains(fields, "legal_aid_uk_contact") {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"type":"InvalidFields","message":"invalid field \"legal_aid_uk_contact\" for contacts"}}`)
			return
		}
		if r.URL.Query().Has("page_token") {
			fmt.Fprint(w, `{"data":[{"id":3}],"meta":{"paging":{}}}`)
			return
		}
		fmt.Fprintf(w, `{"data":[{"id":1},{"id":2}],"meta":{"paging":{"next":%q}}}`, next)
	})
	p := plan(t, c, provider.Spec{Resource: "contacts", PageSize: 2})
	// A next link issued before the field was refused still names it.
	next = srv.URL + "/api/v4/contacts.json?page_token=abc&fields=" + strings.Join(p.Fields, ",")
	page, err := c.Fetch(context.Background(), provider.Request{Plan: p, Position: c.Start(p)})
	if err != nil || len(page.Records) != 2 || page.Next.Refused != "legal_aid_uk_contact" || page.Next.Cursor != next {
		t.Fatalf("page %+v, err %v", page, err)
	}
	page, err = c.Fetch(context.Background(), provider.Request{Plan: p, Position: page.Next})
	if err != nil || len(page.Records) != 1 || !page.Done || page.Next.Refused != "legal_aid_uk_contact" {
		t.Fatalf("page %+v, err %v", page, err)
	}
	if len(queries) != 3 || !strings.Contains(queries[0], "legal_aid_uk_contact") {
		t.Fatalf("requests %q", queries)
	}
	for _, q := range queries[1:] {
		if strings.Contains(q, "legal_aid_uk_contact") || !strings.Contains(q, "addresses{") || len(strings.Split(q, ",")) < 50 {
			t.Fatalf("a later request asked for %s", q)
		}
	}
}

// TestRefusedBy: which 400s drop which fields, and which fail the export as they are.
func TestRefusedBy(t *testing.T) {
	row, _ := lookup("contacts")
	c := New(Config{BaseURL: "https://app.clio.com", Token: "tok"}, nil)
	whole := plan(t, c, provider.Spec{Resource: "contacts"})
	typo := plan(t, c, provider.Spec{Resource: "contacts", Fields: []string{"name", "nmae"}})
	since := plan(t, c, provider.Spec{Resource: "contacts", Fields: []string{"name"}, Since: time.Now()})
	cases := []struct {
		name   string
		plan   provider.Plan
		status int
		msg    string
		want   []string // nil: not droppable
	}{
		{"quoted", whole, 400, `InvalidFields: invalid field "legal_aid_uk_contact" for contacts`, []string{"legal_aid_uk_contact"}},
		{"several quoted", whole, 400, `Invalid fields: 'kyc_field_values', 'legal_aid_uk_contact'`, []string{"kyc_field_values", "legal_aid_uk_contact"}},
		{"quoted over bare words", whole, 400, "the field name `legal_aid_uk_contact` is not available", []string{"legal_aid_uk_contact"}},
		{"one bare", whole, 400, "ArgumentError: Invalid field: kyc_field_values", []string{"kyc_field_values"}},
		{"bare and ambiguous", whole, 400, "Invalid field legal_aid_uk_contact: check the name", nil},
		{"nested sub-field only", whole, 400, `invalid field "street" for addresses`, nil},
		{"names no field", whole, 400, "ArgumentError: limit must be between 1 and 200", nil},
		{"id", whole, 400, `invalid field "id"`, nil},
		{"checked timestamp", since, 400, `invalid field "updated_at"`, nil},
		{"undocumented", typo, 400, `invalid field "nmae" for contacts`, nil},
		{"not a 400", whole, 422, `invalid field "legal_aid_uk_contact"`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := refusedBy(row, tc.plan, &provider.Error{Provider: Name, Status: tc.status, Message: tc.msg})
			if ok != (tc.want != nil) || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v %v, want %v", got, ok, tc.want)
			}
		})
	}
	if got := addRefused("legal_aid_uk_contact", []string{"kyc_field_values", "legal_aid_uk_contact"}); got != "kyc_field_values,legal_aid_uk_contact" {
		t.Fatalf("addRefused = %q", got)
	}
}

// TestUnrefusableFieldFails: a 400 naming a field that cannot be dropped fails the page
// with Clio's own text, after one request.
func TestUnrefusableFieldFails(t *testing.T) {
	calls := 0
	c, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"type":"InvalidFields","message":"invalid field \"nmae\" for contacts"}}`)
	})
	p := plan(t, c, provider.Spec{Resource: "contacts", Fields: []string{"name", "nmae"}})
	_, err := c.Fetch(context.Background(), provider.Request{Plan: p})
	if pe := asError(t, err); pe.Retryable || pe.Status != 400 || !strings.Contains(pe.Message, `invalid field "nmae"`) || calls != 1 {
		t.Fatalf("got %v after %d requests", err, calls)
	}
}
