package conformance

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/apispec"
)

// checkParams holds the connector's own parameter tables to the providers' spec facts
// (internal/apispec, readings included): every parameter it can send at an endpoint, a
// user's filters too, must be one the endpoint lists. What the cases actually send is held
// to the same facts by the sandbox (Stats.OffSpec and Undocumented, see Serve).
func checkParams(t *testing.T, target Target) {
	if len(target.Params) == 0 {
		t.Skipf("%s exposes no parameter tables to the suite (Target.Params)", target.Provider)
	}
	for _, endpoint := range slices.Sorted(maps.Keys(target.Params)) {
		method, path, ok := strings.Cut(endpoint, " ")
		if !ok {
			t.Errorf("%q is not \"METHOD /path\"", endpoint)
			continue
		}
		e, ok := apispec.Lookup(target.Provider, method, path)
		if !ok {
			t.Errorf("%s: no spec or reading has this endpoint", endpoint)
			continue
		}
		for _, name := range target.Params[endpoint] {
			var listed bool
			if body, isBody := strings.CutPrefix(name, "body."); isBody {
				_, listed = e.BodyField(body)
			} else {
				_, listed = e.Param(name)
			}
			if !listed {
				t.Errorf("%s: the connector can send %s, which the spec (%s) does not list; it lists %s",
					endpoint, name, source(e), strings.Join(apispec.Names(e.Query), ", "))
			}
		}
	}
}

// source names where an endpoint's facts come from.
func source(e apispec.Endpoint) string {
	if d := e.Doc(); d != nil {
		return d.File
	}
	return e.Reading
}
