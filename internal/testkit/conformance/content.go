package conformance

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// AssertSameContent checks got holds exactly want's records, each with the same JSON
// content as the sandbox's (compacted): a record that lost or changed a field fails, not
// only one that is missing.
func AssertSameContent(t testing.TB, sb *sandbox.Server, prov, resource string, want, got []json.RawMessage) {
	t.Helper()
	if len(want) == 0 {
		t.Errorf("%s %s: the sandbox has no records to compare", prov, resource)
	}
	byID := make(map[string]json.RawMessage, len(want))
	for _, r := range want {
		byID[sb.IDOf(prov, r)] = r
	}
	if len(got) != len(want) {
		t.Errorf("%s %s: exported %d records, the sandbox has %d", prov, resource, len(got), len(want))
	}
	for _, r := range got {
		id := sb.IDOf(prov, r)
		w, ok := byID[id]
		if !ok {
			t.Errorf("%s %s: record %q is not the sandbox's, or came twice", prov, resource, id)
			continue
		}
		delete(byID, id)
		var a, b bytes.Buffer
		if json.Compact(&a, r) != nil || json.Compact(&b, w) != nil || a.String() != b.String() {
			t.Errorf("%s %s: record %s differs from the sandbox's:\n got %.400s\nwant %.400s", prov, resource, id, a.String(), b.String())
		}
	}
}
