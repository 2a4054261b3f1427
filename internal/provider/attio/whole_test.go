package attio_test

import (
	"context"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/attio"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// TestDefaultExportsAreWhole: a default export of every catalog row holds every record the
// sandbox has, each byte for byte as the sandbox serves it (every field its schema lists:
// the sandbox's TestAttioRecordsAreWhole): no default narrows the list, nothing is dropped.
func TestDefaultExportsAreWhole(t *testing.T) {
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 8, Records: 45})
	conn := attio.New(attio.Config{BaseURL: url, Token: sandbox.DefaultToken(attio.Name)}, conformance.Client())
	rows, err := conn.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		plan, err := conn.Validate(provider.Spec{Resource: row.Name})
		if err != nil {
			t.Fatal(err)
		}
		got := conformance.Drain(t, conn, plan, conn.Start(plan)).Records
		conformance.AssertSame(t, sb, attio.Name, sb.Dataset(attio.Name, row.Name), got)
	}
}
