package clever_test

import (
	"context"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/clever"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// TestDefaultExportsAreWhole: a default export of every catalog row holds every record the
// sandbox has (users of every role, events of every type), each byte for byte as the
// sandbox serves it, every field its schema lists (the sandbox's TestCleverRecordsAreWhole).
func TestDefaultExportsAreWhole(t *testing.T) {
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 8, Records: 250})
	conn := clever.New(clever.Config{BaseURL: url, Token: sandbox.DefaultToken(clever.Name)}, conformance.Client())
	rows, err := conn.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		plan, err := conn.Validate(provider.Spec{Resource: row.Name, PageSize: 60})
		if err != nil {
			t.Fatal(err)
		}
		got := conformance.Drain(t, conn, plan, conn.Start(plan)).Records
		conformance.AssertSame(t, sb, clever.Name, sb.Dataset(clever.Name, row.Name), got)
	}
}
