package attio_test

import (
	"bytes"
	"context"
	"encoding/json"
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
		sameContent(t, sb, row.Name, sb.Dataset(attio.Name, row.Name), got)
	}
}

// sameContent: got holds exactly want's records, each with the same JSON content.
func sameContent(t *testing.T, sb *sandbox.Server, resource string, want, got []json.RawMessage) {
	t.Helper()
	if len(want) == 0 {
		t.Errorf("%s: the sandbox has no records", resource)
	}
	byID := map[string]json.RawMessage{}
	for _, r := range want {
		byID[sb.IDOf(attio.Name, r)] = r
	}
	if len(got) != len(want) {
		t.Errorf("%s: exported %d records, the sandbox has %d", resource, len(got), len(want))
	}
	for _, r := range got {
		id := sb.IDOf(attio.Name, r)
		w, ok := byID[id]
		var a, b bytes.Buffer
		if ok && (json.Compact(&a, r) != nil || json.Compact(&b, w) != nil || a.String() != b.String()) {
			t.Errorf("%s: record %s differs from the sandbox's:\n got %.300s\nwant %.300s", resource, id, a.String(), b.String())
		}
		if !ok {
			t.Errorf("%s: record %s is not the sandbox's", resource, id)
		}
		delete(byID, id)
	}
}
