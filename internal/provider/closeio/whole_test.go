package closeio_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/closeio"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// TestDefaultExportsAreWhole: a default export holds every record the sandbox serves,
// each with every field and custom.cf_… value the sandbox's record holds, whichever
// endpoint the strategy pages. Advanced Filtering answers add __object_type.
func TestDefaultExportsAreWhole(t *testing.T) {
	cases := []struct{ resource, strategy string }{
		{"lead", "window"}, {"lead", "offset"}, {"contact", "window"}, {"contact", "offset"},
		{"opportunity", "window"}, {"opportunity", "offset"}, {"task", "window"}, {"task", "offset"},
		{"activity", "window"}, {"activity_email", ""}, {"saved_search", ""}, {objectResource, ""},
	}
	for _, tc := range cases {
		t.Run(tc.resource+"/"+tc.strategy, func(t *testing.T) {
			opts := sandbox.Options{Seed: 9, Records: 150, CloseTieRun: 5}
			sb, conn, plan := deepSandbox(t, opts, closeio.Config{}, provider.Spec{Resource: tc.resource, Strategy: tc.strategy})
			res := conformance.Drain(t, conn, plan, conn.Start(plan))
			conformance.AssertExactly(t, sb, closeio.Name, tc.resource, res.Records)
			assertWhole(t, sb, tc.resource, res.Records)
		})
	}
	// A search without fields gets whole records too, not only ids.
	for _, kind := range []string{"lead", "contact"} {
		t.Run("search/"+kind, func(t *testing.T) {
			query := []byte(`{"type":"object_type","object_type":"` + kind + `"}`)
			sb, conn, plan := deepSandbox(t, sandbox.Options{Seed: 9, Records: 150}, closeio.Config{}, provider.Spec{Resource: "search", Query: query})
			res := conformance.Drain(t, conn, plan, conn.Start(plan))
			conformance.AssertExactly(t, sb, closeio.Name, kind, res.Records)
			assertWhole(t, sb, kind, res.Records)
		})
	}
}

// assertWhole checks each record has exactly the fields and values of the sandbox's own.
func assertWhole(t *testing.T, sb *sandbox.Server, resource string, got []json.RawMessage) {
	t.Helper()
	want := map[string]map[string]any{}
	for _, raw := range sb.Dataset(closeio.Name, resource) {
		rec := decode(t, raw)
		want[sb.IDOf(closeio.Name, raw)] = rec
	}
	custom := 0
	for _, raw := range got {
		rec := decode(t, raw)
		delete(rec, "__object_type")
		w := want[sb.IDOf(closeio.Name, raw)]
		for k := range w {
			if _, ok := rec[k]; !ok {
				t.Fatalf("record %s has no %s, which the API serves", rec["id"], k)
			}
		}
		for k, v := range rec {
			if !reflect.DeepEqual(v, w[k]) {
				t.Fatalf("record %s: %s is %v, the API's is %v", rec["id"], k, v, w[k])
			}
			if strings.HasPrefix(k, "custom.") {
				custom++
			}
		}
	}
	if (slices.Contains([]string{"lead", "contact", "opportunity"}, resource) || strings.HasPrefix(resource, "custom_object.")) && custom == 0 {
		t.Fatal("no custom field value exported: the test tests nothing")
	}
}

func decode(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
