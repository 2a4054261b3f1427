package conformance

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
)

// wholeFields exports the case and fails if a request for its records chose fields
// (fields, _fields) leaving out any the endpoint's spec record has: a default export asks
// for every field the API documents, whatever the sandbox serves. A case whose input names
// fields is narrowed on purpose; a case with a Gap is skipped naming it.
func wholeFields(t *testing.T, target Target, c Case) {
	if len(c.Fields) > 0 {
		t.Skip("the input names fields: the export is narrowed on purpose")
	}
	n := size(c, 2, 1)
	e := setup(t, target, c, sized(target, c, n))
	Drain(t, e.conn, e.plan, e.conn.Start(e.plan))
	endpoint := endpointOf(t, e, c)
	var left []string
	narrowed := e.sb.Stats().Narrowed
	for _, k := range slices.Sorted(maps.Keys(narrowed)) {
		if endpoint == "" || strings.HasPrefix(k, target.Provider+" "+endpoint+" ") {
			left = append(left, k)
		}
	}
	switch {
	case len(left) == 0:
	case c.Gap != "":
		t.Skipf("issue 24 gap: %s (%s)", c.Gap, strings.Join(left, "; "))
	default:
		for _, k := range left {
			t.Errorf("a default export asks for less than the spec's whole record: %s", k)
		}
	}
}

// endpointOf is the case's own endpoint as the catalog names it ("GET /api/v4/contacts.json"),
// or "" when the catalog does not list the resource: requests to other endpoints (a lead
// walk for custom objects) are not the case's records.
func endpointOf(t *testing.T, e env, c Case) string {
	t.Helper()
	cat, ok := e.conn.(provider.Cataloger)
	if !ok {
		return ""
	}
	rows, err := cat.Catalog(context.Background())
	if err != nil {
		t.Fatalf("Catalog: %v", err)
	}
	for _, r := range rows {
		if r.Name == c.Resource {
			return r.Endpoint
		}
	}
	return ""
}
