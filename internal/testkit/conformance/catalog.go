package conformance

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// checkCatalog holds a connector's catalog to the sandbox account: it lists every
// resource the sandbox serves and nothing it does not, each row validates, names its
// endpoint and reference, and has a conformance case. So adding a resource stays one
// catalog row, one sandbox endpoint and one case, and none of the three can be left out.
func checkCatalog(t *testing.T, target Target) {
	sb, url := Serve(t, sandbox.Options{Records: 3, Seed: 1})
	conn := target.New(url, sandbox.DefaultToken(target.Provider), Client())
	cat, ok := conn.(provider.Cataloger)
	if !ok {
		t.Fatalf("%s does not list an account's resources (provider.Cataloger)", target.Provider)
	}
	rows, err := cat.Catalog(context.Background())
	if err != nil {
		t.Fatalf("Catalog: %v", err)
	}
	served := sb.Resources(target.Provider)
	var names []string
	for _, r := range rows {
		switch {
		case slices.Contains(names, r.Name):
			t.Errorf("%s is listed twice", r.Name)
		case strings.Contains(r.Name, "/") || r.Name == "":
			t.Errorf("%q cannot name a folder of its own", r.Name)
		case !strings.HasPrefix(r.Reference, "https://") || r.Endpoint == "" || r.Strategy == "":
			t.Errorf("%s: endpoint %q, strategy %q, reference %q: each row names all three", r.Name, r.Endpoint, r.Strategy, r.Reference)
		case !slices.Contains(served, r.Name):
			t.Errorf("%s is in the catalog but the sandbox does not serve it", r.Name)
		case !slices.ContainsFunc(target.Cases, func(c Case) bool { return covers(c.Resource, r) }):
			t.Errorf("%s has no conformance case", r.Name)
		}
		plan, err := conn.Validate(provider.Spec{Resource: r.Name})
		if err != nil {
			t.Errorf("%s: listed but not accepted: %v", r.Name, err)
		} else if _, err := conn.Validate(plan.Spec); err != nil {
			// Every page validates the plan it carries again.
			t.Errorf("%s: Validate refuses its own plan: %v", r.Name, err)
		}
		names = append(names, r.Name)
	}
	for _, s := range served {
		if !slices.Contains(names, s) {
			t.Errorf("the sandbox serves %s but the catalog leaves it out of account exports", s)
		}
	}
}

// covers reports whether a case of resource tests row: its own, or for a discovered row
// one of the same kind (custom_object.<id>, list.<slug>), which one connector path serves.
func covers(resource string, row provider.Resource) bool {
	if resource == row.Name {
		return true
	}
	kind, _, found := strings.Cut(row.Name, ".")
	return row.Discovered && found && strings.HasPrefix(resource, kind+".")
}
