package closeio_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/closeio"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// exportName is what an account export accepts as a folder name.
var exportName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func catalog(t *testing.T, opts sandbox.Options) (*sandbox.Server, provider.Connector, []provider.Resource) {
	t.Helper()
	sb, url := conformance.Serve(t, opts)
	conn := newClose(url, sandbox.DefaultToken(closeio.Name), conformance.Client())
	rows, err := conn.(provider.Cataloger).Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sb, conn, rows
}

// TestCatalogExportsEverySandboxResource: the catalog is every resource the sandbox serves,
// table rows first, and each exports exactly its dataset with the row's strategy and
// every other default, through a few faults.
func TestCatalogExportsEverySandboxResource(t *testing.T) {
	sb, conn, rows := catalog(t, sandbox.Options{Seed: 4, Records: 45, CloseTieRun: 4, Sizes: map[string]int{"close/custom_object_type": 3}, FaultRate: 0.05})
	var names []string
	discovered := 0
	incremental := map[string]bool{}
	for k, r := range rows {
		names = append(names, r.Name)
		if !exportName.MatchString(r.Name) || !strings.HasPrefix(r.Reference, "https://developer.close.com/api/resources/") ||
			!strings.HasPrefix(r.Endpoint, "GET /api/v1/") && r.Endpoint != "POST /api/v1/data/search/" {
			t.Errorf("row %+v", r)
		}
		if r.Discovered != strings.HasPrefix(r.Name, "custom_object.") || r.Discovered && k < len(rows)-3 {
			t.Errorf("discovered rows come last: %+v at %d", r, k)
		}
		if r.Discovered {
			discovered++
		}
		incremental[r.Name] = r.Incremental
		t.Run(r.Name, func(t *testing.T) {
			plan, err := conn.Validate(provider.Spec{Resource: r.Name, Strategy: r.Strategy})
			if err != nil {
				t.Fatal(err)
			}
			conformance.AssertExactly(t, sb, closeio.Name, r.Name, conformance.Drain(t, conn, plan, conn.Start(plan)).Records)
		})
	}
	want := sb.Resources(closeio.Name)
	slices.Sort(want)
	slices.Sort(names)
	if !slices.Equal(names, want) || discovered != 3 {
		t.Fatalf("catalog %v\nsandbox %v", names, want)
	}
	for name, inc := range incremental {
		if inc != slices.Contains([]string{"lead", "contact", "opportunity", "activity", "event", "task"}, name) {
			t.Errorf("%s: incremental %v", name, inc)
		}
	}
}

// TestCatalogHasConformanceCases: every catalog row's resource and strategy is a
// conformance case.
func TestCatalogHasConformanceCases(t *testing.T) {
	_, conn, rows := catalog(t, sandbox.Options{Records: 5})
	for _, r := range rows {
		if !slices.ContainsFunc(cases, func(c conformance.Case) bool {
			if c.Resource != r.Name && !(r.Discovered && c.Resource == objectResource) {
				return false
			}
			plan, err := conn.Validate(provider.Spec{Resource: c.Resource, Strategy: c.Strategy})
			return err == nil && plan.Strategy == r.Strategy
		}) {
			t.Errorf("no conformance case for %s (%s)", r.Name, r.Strategy)
		}
	}
}

// TestCustomObjectTypeMissing: a custom object export of a type the organization does not
// have fails on its first page, not retryably, instead of exporting nothing.
func TestCustomObjectTypeMissing(t *testing.T) {
	_, conn, _ := catalog(t, sandbox.Options{Records: 5})
	plan, err := conn.Validate(provider.Spec{Resource: "custom_object.cotype_gone"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = conformance.Try(t, conn, plan, conn.Start(plan), 1)
	if pe := conformance.AsError(t, err); pe.Retryable || !strings.Contains(pe.Message, "custom object type cotype_gone does not exist") {
		t.Fatalf("got %v", err)
	}
}

// TestCatalogActivityOnce: the typed activity lists are within activity, which lists every
// type, so an account export of all writes each activity once; nothing else is within
// another.
func TestCatalogActivityOnce(t *testing.T) {
	_, _, rows := catalog(t, sandbox.Options{Records: 5})
	typed := 0
	for _, r := range rows {
		want := ""
		if strings.HasPrefix(r.Name, "activity_") {
			want, typed = "activity", typed+1
		}
		if r.Within != want {
			t.Errorf("%s is within %q, want %q", r.Name, r.Within, want)
		}
	}
	if typed != 14 {
		t.Fatalf("%d typed activity lists", typed)
	}
}

// TestCatalogRefusedDiscovery: when the custom object type list is refused (403: a key
// without the scope; 404: a plan without custom objects), the catalog is every table row
// and a custom_object row carrying the refusal, not an error that stops the account.
func TestCatalogRefusedDiscovery(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusNotFound} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			sb := sandbox.New(sandbox.Options{Records: 5})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/api/v1/custom_object_type/") {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(status)
					fmt.Fprint(w, `{"error": "Custom objects are not available on this plan."}`)
					return
				}
				sb.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			conn := newClose(srv.URL, sandbox.DefaultToken(closeio.Name), conformance.Client())
			rows, err := conn.(provider.Cataloger).Catalog(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			last := rows[len(rows)-1]
			if last.Name != "custom_object" || !last.Discovered || !strings.Contains(last.Refused, fmt.Sprintf("HTTP %d", status)) ||
				!strings.Contains(last.Refused, "not available on this plan") {
				t.Fatalf("last row %+v", last)
			}
			for _, r := range rows[:len(rows)-1] {
				if r.Refused != "" || r.Discovered {
					t.Fatalf("row %+v", r)
				}
			}
			if !slices.ContainsFunc(rows, func(r provider.Resource) bool { return r.Name == "lead" }) {
				t.Fatal("the table's rows are missing")
			}
		})
	}
}
