package clio_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/clio"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

func sandboxPlan(t *testing.T, n int, spec provider.Spec) (*sandbox.Server, provider.Connector, provider.Plan) {
	t.Helper()
	return optsPlan(t, sandbox.Options{Seed: 3, Sizes: map[string]int{"clio/contacts": n}}, spec)
}

func optsPlan(t *testing.T, opts sandbox.Options, spec provider.Spec) (*sandbox.Server, provider.Connector, provider.Plan) {
	t.Helper()
	sb, url := conformance.Serve(t, opts)
	conn := newClio(url, sandbox.DefaultToken(clio.Name), conformance.Client())
	plan, err := conn.Validate(spec)
	if err != nil {
		t.Fatal(err)
	}
	return sb, conn, plan
}

// TestCursorPastOffsetCap exports more than offset paging could reach.
func TestCursorPastOffsetCap(t *testing.T) {
	sb, conn, plan := sandboxPlan(t, clio.OffsetCap+321, provider.Spec{Resource: "contacts"})
	res := conformance.Drain(t, conn, plan, conn.Start(plan))
	conformance.AssertExactly(t, sb, clio.Name, "contacts", res.Records)
	if got := sb.Stats().Providers[clio.Name].ByStatus[422]; got != 0 {
		t.Fatalf("%d requests were refused with 422", got)
	}
}

// TestOffsetStopsAtCap pages a resource of exactly 10,000 with a page size that does not
// divide it: the last page must shrink rather than ask past record 10,000.
func TestOffsetStopsAtCap(t *testing.T) {
	sb, conn, plan := sandboxPlan(t, clio.OffsetCap, provider.Spec{Resource: "contacts", Strategy: "offset", PageSize: 150})
	res := conformance.Drain(t, conn, plan, conn.Start(plan))
	conformance.AssertExactly(t, sb, clio.Name, "contacts", res.Records)
	st := sb.Stats().Providers[clio.Name]
	if st.ByStatus[422] != 0 || st.Requests != int64(res.Pages) {
		t.Fatalf("%d pages took %d requests, %d refused with 422", res.Pages, st.Requests, st.ByStatus[422])
	}
}

// TestOffsetRefusesLargeResource fails at once, without a 422, when offset cannot reach every record.
func TestOffsetRefusesLargeResource(t *testing.T) {
	sb, conn, plan := sandboxPlan(t, clio.OffsetCap+1, provider.Spec{Resource: "contacts", Strategy: "offset"})
	_, err := conn.Fetch(context.Background(), provider.Request{Plan: plan, Position: conn.Start(plan)})
	pe := conformance.AsError(t, err)
	if pe.Retryable || !strings.Contains(pe.Message, "10001 records") || !strings.Contains(pe.Message, "use strategy cursor") {
		t.Fatalf("got %v", err)
	}
	if n := sb.Stats().Providers[clio.Name].ByStatus[422]; n != 0 {
		t.Fatalf("%d requests refused with 422", n)
	}
}

// TestWithoutTotal: when answers carry no meta.records, pages report no total and offset
// paging ends on its first short page, exactly.
func TestWithoutTotal(t *testing.T) {
	for _, tc := range []struct {
		strategy string
		n        int
	}{{"offset", 47}, {"offset", 50}, {"cursor", 47}} {
		t.Run(tc.strategy, func(t *testing.T) {
			opts := sandbox.Options{Seed: 3, Sizes: map[string]int{"clio/contacts": tc.n}, ClioOmitTotal: true}
			sb, conn, plan := optsPlan(t, opts, provider.Spec{Resource: "contacts", Strategy: tc.strategy, PageSize: 10})
			first := conformance.Pages(t, conn, plan, conn.Start(plan), 1)
			page, err := conn.Fetch(context.Background(), provider.Request{Plan: plan, Position: first.Next})
			if err != nil || page.Total != -1 {
				t.Fatalf("page total %d, err %v", page.Total, err)
			}
			res := conformance.Drain(t, conn, plan, first.Next)
			conformance.AssertExactly(t, sb, clio.Name, "contacts", append(first.Records, res.Records...))
		})
	}
}

// TestCountMatchesExport: meta.records for the plan's query equals what the export gets.
func TestCountMatchesExport(t *testing.T) {
	sb, conn, plan := sandboxPlan(t, 83, provider.Spec{Resource: "contacts", PageSize: 20})
	sb.Touch(clio.Name, "contacts", 11)
	plan.Since = time.Now().Add(-time.Hour)
	n, ok, err := conn.(provider.Counter).Count(context.Background(), plan)
	res := conformance.Drain(t, conn, plan, conn.Start(plan))
	if err != nil || !ok || n != 11 || len(res.Records) != 11 {
		t.Fatalf("count %d %v %v, exported %d", n, ok, err, len(res.Records))
	}
	_, bare, plan := optsPlan(t, sandbox.Options{Seed: 3, ClioOmitTotal: true}, provider.Spec{Resource: "contacts"})
	if _, ok, err := bare.(provider.Counter).Count(context.Background(), plan); ok || err != nil {
		t.Fatalf("count without meta.records: ok %v err %v", ok, err)
	}
}

// TestUnorderedCursorPastOffsetCap: calendar entries and relationships document page_token
// but no order; paged by cursor, they export whole past record 10,000.
func TestUnorderedCursorPastOffsetCap(t *testing.T) {
	for _, name := range []string{"calendar_entries", "relationships"} {
		t.Run(name, func(t *testing.T) {
			opts := sandbox.Options{Seed: 3, Sizes: map[string]int{"clio/" + name: clio.OffsetCap + 1}}
			sb, conn, plan := optsPlan(t, opts, provider.Spec{Resource: name, Fields: []string{"id"}})
			res := conformance.Drain(t, conn, plan, conn.Start(plan))
			conformance.AssertExactlyFields(t, sb, clio.Name, name, plan.Fields, res.Records)
			if n := sb.Stats().Providers[clio.Name].ByStatus[422]; n != 0 {
				t.Fatalf("%d requests refused with 422", n)
			}
		})
	}
}

// TestUnorderedOffsetLinksPastOffsetCap: where next links page by offset (the sandbox's
// ClioUnorderedOffset, or strategy offset), no strategy can reach past record 10,000: the
// export fails at once, clearly, instead of stopping there silently.
func TestUnorderedOffsetLinksPastOffsetCap(t *testing.T) {
	for _, strategy := range []string{"cursor", "offset"} {
		t.Run(strategy, func(t *testing.T) {
			opts := sandbox.Options{Seed: 3, Sizes: map[string]int{"clio/relationships": clio.OffsetCap + 1}, ClioUnorderedOffset: true}
			sb, conn, plan := optsPlan(t, opts, provider.Spec{Resource: "relationships", Strategy: strategy})
			_, err := conn.Fetch(context.Background(), provider.Request{Plan: plan, Position: conn.Start(plan)})
			pe := conformance.AsError(t, err)
			if pe.Retryable || !strings.Contains(pe.Message, "10001 records; Clio documents no order") {
				t.Fatalf("got %v", err)
			}
			if n := sb.Stats().Providers[clio.Name].Requests; n != 1 {
				t.Fatalf("%d requests", n)
			}
		})
	}
}

// TestNotesByType: matter and contact notes come from one endpoint, each whole.
func TestNotesByType(t *testing.T) {
	opts := sandbox.Options{Seed: 3, Sizes: map[string]int{"clio/matter_notes": 31, "clio/contact_notes": 17}}
	for name, n := range map[string]int{"matter_notes": 31, "contact_notes": 17} {
		sb, conn, plan := optsPlan(t, opts, provider.Spec{Resource: name, PageSize: 10})
		res := conformance.Drain(t, conn, plan, conn.Start(plan))
		conformance.AssertExactly(t, sb, clio.Name, name, res.Records)
		if len(res.Records) != n {
			t.Fatalf("%s: %d records", name, len(res.Records))
		}
	}
}

// TestFieldsTheAccountRefuses: against an account without two documented fields, an export
// by either strategy gets every record whole but for them, with one 400 for each (on the
// first page), and every position after it carries them.
func TestFieldsTheAccountRefuses(t *testing.T) {
	for _, strategy := range []string{"cursor", "offset"} {
		t.Run(strategy, func(t *testing.T) {
			opts := sandbox.Options{Seed: 3, Sizes: map[string]int{"clio/contacts": 47}, ClioRefusedFields: []string{"legal_aid_uk_contact", "kyc_field_values"}}
			sb, conn, plan := optsPlan(t, opts, provider.Spec{Resource: "contacts", Strategy: strategy, PageSize: 10})
			pos, n := conn.Start(plan), 0
			var got []json.RawMessage
			for {
				page, err := conn.Fetch(context.Background(), provider.Request{Plan: plan, Position: pos})
				if err != nil {
					t.Fatal(err)
				}
				if page.Next.Refused != "kyc_field_values,legal_aid_uk_contact" {
					t.Fatalf("page %d: next position refuses %q", n, page.Next.Refused)
				}
				got, pos, n = append(got, page.Records...), page.Next, n+1
				if page.Done {
					break
				}
			}
			want := sb.Dataset(clio.Name, "contacts")
			if len(got) != len(want) {
				t.Fatalf("exported %d of %d", len(got), len(want))
			}
			for k := range got {
				if string(got[k]) != string(want[k]) {
					t.Fatalf("record %d:\n got %s\nwant %s", k, got[k], want[k])
				}
			}
			if st := sb.Stats().Providers[clio.Name]; st.ByStatus[400] != 2 || st.Requests != int64(n+2) {
				t.Fatalf("%d pages took %d requests, %d of them 400s", n, st.Requests, st.ByStatus[400])
			}
		})
	}
}
