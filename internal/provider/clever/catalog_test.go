package clever_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/clever"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

var exportName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// TestCatalog: the catalog is every resource the sandbox serves for Clever, each with a
// conformance Case, a name an export folder can take, Validate's default strategy, and
// since accepted exactly where the row says Incremental.
func TestCatalog(t *testing.T) {
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 4, Records: 5})
	conn := clever.New(clever.Config{BaseURL: url, Token: sandbox.DefaultToken(clever.Name)}, conformance.Client())
	rows, err := conn.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rows {
		names = append(names, r.Name)
		if !exportName.MatchString(r.Name) || !strings.HasPrefix(r.Endpoint, "GET /v3.") || !strings.HasPrefix(r.Reference, "https://") || r.Discovered {
			t.Errorf("row %+v", r)
		}
		if !slices.ContainsFunc(cases, func(c conformance.Case) bool { return c.Resource == r.Name }) {
			t.Errorf("%s has no conformance Case", r.Name)
		}
		plan, err := conn.Validate(provider.Spec{Resource: r.Name})
		if err != nil || plan.Strategy != r.Strategy {
			t.Errorf("%s: Validate gives %q (%v), the catalog %q", r.Name, plan.Strategy, err, r.Strategy)
		}
		_, err = conn.Validate(provider.Spec{Resource: r.Name, Since: time.Now()})
		if (err == nil) != r.Incremental {
			t.Errorf("%s: incremental %v, but since gives %v", r.Name, r.Incremental, err)
		}
	}
	served := sb.Resources(clever.Name)
	slices.Sort(served)
	if !slices.Equal(served, slices.Sorted(slices.Values(names))) {
		t.Fatalf("catalog %v, sandbox serves %v", names, served)
	}
	if sb.Stats().Providers[clever.Name].Requests != 0 {
		t.Error("the catalog made requests: Clever has nothing to discover")
	}
}
