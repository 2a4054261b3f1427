package attio_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/attio"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

func sandboxCatalog(t *testing.T) (*sandbox.Server, []provider.Resource) {
	t.Helper()
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 3, Records: 30})
	conn := attio.New(attio.Config{BaseURL: url, Token: sandbox.DefaultToken(attio.Name)}, conformance.Client())
	rows, err := conn.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sb, rows
}

// TestCatalogListsEverySandboxResource: the table, then the workspace's objects and lists,
// found through the documented list endpoints; exactly what the sandbox serves.
func TestCatalogListsEverySandboxResource(t *testing.T) {
	sb, rows := sandboxCatalog(t)
	var names []string
	for _, r := range rows {
		names = append(names, r.Name)
	}
	want := []string{"meetings", "notes", "tasks", "workspace_members",
		"companies", "deals", "invoices", "people", "list.recruiting", "list.sales_pipeline"}
	if !slices.Equal(names, want) {
		t.Fatalf("catalog %v, want %v", names, want)
	}
	served := sb.Resources(attio.Name)
	slices.Sort(served)
	slices.Sort(names)
	if !slices.Equal(names, served) {
		t.Errorf("catalog %v, sandbox serves %v", names, served)
	}
	byName := map[string]provider.Resource{}
	for _, r := range rows {
		byName[r.Name] = r
	}
	checks := map[string]provider.Resource{
		"tasks": {Name: "tasks", Strategy: "offset", Endpoint: "GET /v2/tasks",
			Reference: "https://docs.attio.com/rest-api/endpoint-reference/tasks/list-tasks"},
		"invoices": {Name: "invoices", Strategy: "offset", Endpoint: "POST /v2/objects/invoices/records/query",
			Reference: "https://docs.attio.com/rest-api/endpoint-reference/records/list-records", Incremental: true, Discovered: true},
		"list.recruiting": {Name: "list.recruiting", Strategy: "offset", Endpoint: "POST /v2/lists/recruiting/entries/query",
			Reference: "https://docs.attio.com/rest-api/endpoint-reference/entries/list-entries", Incremental: true, Discovered: true},
		"workspace_members": {Name: "workspace_members", Strategy: "cursor", Endpoint: "GET /v2/workspace_members",
			Reference: "https://docs.attio.com/rest-api/endpoint-reference/workspace-members/list-workspace-members"},
	}
	for name, want := range checks {
		if got := byName[name]; got != want {
			t.Errorf("%s row\n got %+v\nwant %+v", name, got, want)
		}
	}
}

// TestCatalogRowsHaveCases: every row has a conformance case, and Validate takes every name
// with its row's strategy as the default.
func TestCatalogRowsHaveCases(t *testing.T) {
	_, rows := sandboxCatalog(t)
	conn := attio.New(attio.Config{Token: "tok"}, nil)
	for _, r := range rows {
		if !slices.ContainsFunc(cases, func(c conformance.Case) bool { return c.Resource == r.Name }) {
			t.Errorf("catalog row %s has no conformance case", r.Name)
		}
		plan, err := conn.Validate(provider.Spec{Resource: r.Name})
		if err != nil {
			t.Errorf("Validate(%s): %v", r.Name, err)
		} else if plan.Strategy != r.Strategy {
			t.Errorf("%s: Validate's default strategy %s, the catalog says %s", r.Name, plan.Strategy, r.Strategy)
		}
	}
}

// TestCatalogExportsExactly: every row, with Validate's defaults, exports exactly the
// sandbox's dataset of that name, through faults, as an account export would.
func TestCatalogExportsExactly(t *testing.T) {
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 5, Records: 40, FaultRate: 0.05,
		Sizes: map[string]int{"attio/people": 1100, "attio/list.recruiting": 520}})
	conn := attio.New(attio.Config{BaseURL: url, Token: sandbox.DefaultToken(attio.Name)}, conformance.Client())
	var rows []provider.Resource
	for range 10 { // discovery is retried like any request
		var err error
		if rows, err = conn.Catalog(context.Background()); err == nil || !provider.IsRetryable(err) {
			break
		}
	}
	if len(rows) == 0 {
		t.Fatal("no catalog through faults")
	}
	for _, r := range rows {
		plan, err := conn.Validate(provider.Spec{Resource: r.Name})
		if err != nil {
			t.Fatal(err)
		}
		res := conformance.Drain(t, conn, plan, conn.Start(plan))
		conformance.AssertExactly(t, sb, attio.Name, r.Name, res.Records)
	}
}

// TestMissingObjectOrList: names of the documented shape pass Validate; Attio's 404 for an
// object or list the workspace lacks fails the export without retries.
func TestMissingObjectOrList(t *testing.T) {
	_, url := conformance.Serve(t, sandbox.Options{Records: 3})
	conn := attio.New(attio.Config{BaseURL: url, Token: sandbox.DefaultToken(attio.Name)}, conformance.Client())
	for _, name := range []string{"users", "list.hiring"} {
		plan, err := conn.Validate(provider.Spec{Resource: name})
		if err != nil {
			t.Fatal(err)
		}
		_, err = conn.Fetch(context.Background(), provider.Request{Plan: plan})
		if pe := conformance.AsError(t, err); pe.Retryable || pe.Status != 404 || !strings.Contains(err.Error(), "not found") {
			t.Errorf("%s: got %#v", name, pe)
		}
	}
}
