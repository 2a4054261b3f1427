// Package testkit holds what tests run against: the sandbox that plays the providers, the
// dev servers (Temporal, versitygw) and the connectors' conformance suite.
package testkit

import (
	"os/exec"
	"strings"
	"testing"
)

// TestProductionNeverImportsTheKit: the worker and the starter are built without the
// sandbox, the dev servers, the conformance suite or the in-memory store.
func TestProductionNeverImportsTheKit(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/pagewise/pagewise/worker", "github.com/pagewise/pagewise/starter").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := string(out)
	if !strings.Contains(deps, "github.com/pagewise/pagewise/activities") {
		t.Fatalf("go list listed no pagewise package:\n%s", deps)
	}
	// DuckDB reads the Parquet output in tests only (e2e/duckdb, a module of its own).
	for _, kit := range []string{"/internal/testkit/", "/internal/storage/storagetest", "duckdb"} {
		if strings.Contains(deps, kit) {
			t.Errorf("a production binary imports %s", kit)
		}
	}
}

// TestSandboxNeverImportsConnectors: the sandbox plays the providers from their references
// and spec facts (internal/apispec), never from a connector's wire types or helpers.
func TestSandboxNeverImportsConnectors(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/pagewise/pagewise/internal/testkit/sandbox").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := string(out)
	if !strings.Contains(deps, "github.com/pagewise/pagewise/internal/apispec") {
		t.Fatalf("the sandbox does not take its tables from the spec facts:\n%s", deps)
	}
	if strings.Contains(deps, "github.com/pagewise/pagewise/internal/provider") {
		t.Errorf("the sandbox imports a connector package:\n%s", deps)
	}
}
