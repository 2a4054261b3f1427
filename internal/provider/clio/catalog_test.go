package clio_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/clio"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

func catalog(t *testing.T, conn provider.Connector) []provider.Resource {
	t.Helper()
	rows, err := conn.(provider.Cataloger).Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestCatalogCoversTheSandbox: the catalog is every resource the sandbox serves, each
// accepted by Validate with the catalog's strategy as its default and run by a conformance
// case with that strategy.
func TestCatalogCoversTheSandbox(t *testing.T) {
	sb, url := conformance.Serve(t, sandbox.Options{Records: 1})
	conn := newClio(url, sandbox.DefaultToken(clio.Name), conformance.Client())
	var names []string
	for _, r := range catalog(t, conn) {
		names = append(names, r.Name)
		plan, err := conn.Validate(provider.Spec{Resource: r.Name})
		if err != nil || plan.Strategy != r.Strategy {
			t.Errorf("%s: Validate gave strategy %q, %v; catalog says %q", r.Name, plan.Strategy, err, r.Strategy)
		}
		if !slices.ContainsFunc(cases, func(c conformance.Case) bool { return c.Resource == r.Name && c.Strategy == r.Strategy }) {
			t.Errorf("%s: no conformance case with strategy %s", r.Name, r.Strategy)
		}
		if strings.Contains(r.Name, "/") || !strings.HasPrefix(r.Endpoint, "GET /api/v4/") ||
			!strings.HasPrefix(r.Reference, "https://docs.developers.clio.com/api-reference/#tag/") || !r.Incremental || r.Discovered {
			t.Errorf("row %+v", r)
		}
	}
	served := sb.Resources(clio.Name)
	slices.Sort(names)
	slices.Sort(served)
	if !slices.Equal(names, served) {
		t.Fatalf("catalog %v\nsandbox %v", names, served)
	}
}

// TestDefaultFieldsAreWholeRecords exports every catalog resource with its default fields
// and gets the sandbox's records byte for byte: every documented field, nothing undocumented.
func TestDefaultFieldsAreWholeRecords(t *testing.T) {
	opts := sandbox.Options{Seed: 5, Records: 23}
	sb, url := conformance.Serve(t, opts)
	conn := newClio(url, sandbox.DefaultToken(clio.Name), conformance.Client())
	for _, r := range catalog(t, conn) {
		plan, err := conn.Validate(provider.Spec{Resource: r.Name, PageSize: 10})
		if err != nil {
			t.Fatal(err)
		}
		got := conformance.Drain(t, conn, plan, conn.Start(plan)).Records
		want := sb.Dataset(clio.Name, r.Name)
		if len(got) != len(want) || len(want) != 23 {
			t.Fatalf("%s: exported %d records of %d", r.Name, len(got), len(want))
		}
		for k := range got {
			if string(got[k]) != string(want[k]) {
				t.Fatalf("%s record %d:\n got %s\nwant %s", r.Name, k, got[k], want[k])
			}
		}
	}
}
