package clio_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/clio"
	"github.com/pagewise/pagewise/internal/provider/conformance"
	"github.com/pagewise/pagewise/internal/sandbox"
)

func sandboxPlan(t *testing.T, n int, spec provider.Spec) (*sandbox.Server, provider.Connector, provider.Plan) {
	t.Helper()
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 3, Sizes: map[string]int{"clio/contacts": n}})
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
