package conformance

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// edited is the sandbox's records with edit applied to the first one.
func edited(t *testing.T, sb *sandbox.Server, prov, resource string, edit func(m map[string]any)) (map[string]json.RawMessage, []json.RawMessage) {
	t.Helper()
	want := sb.Dataset(prov, resource)
	wanted := map[string]json.RawMessage{}
	got := make([]json.RawMessage, len(want))
	for k, r := range want {
		wanted[sb.IDOf(prov, r)] = r
		got[k] = r
	}
	var m map[string]any
	if err := json.Unmarshal(want[0], &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	got[0], _ = json.Marshal(m)
	return wanted, got
}

func TestDiffRecordsFindsTheFirstDifference(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Records: 4, Seed: 3})
	cases := []struct {
		name     string
		prov     string
		resource string
		fields   []string
		edit     func(m map[string]any)
		want     string // "" for no difference
	}{
		{"same", sandbox.Close, "lead", nil, func(map[string]any) {}, ""},
		{"dropped", sandbox.Close, "lead", nil, func(m map[string]any) { delete(m, "description") },
			"description: missing; the sandbox serves"},
		{"changed", sandbox.Close, "lead", nil, func(m map[string]any) { m["status_label"] = "Bogus" },
			`status_label: "Bogus", the sandbox serves`},
		{"added", sandbox.Close, "lead", nil, func(m map[string]any) { m["nickname"] = "x" },
			"nickname: not in the sandbox's record"},
		{"Close's search marker", sandbox.Close, "lead", nil, func(m map[string]any) { m["__object_type"] = "lead" }, ""},
		{"nested", sandbox.Clio, "contacts", nil, func(m map[string]any) {
			cfv := m["custom_field_values"].([]any)
			delete(cfv[0].(map[string]any), "id")
		}, "custom_field_values[0].id: missing"},
		{"narrowed: the rest may go", sandbox.Close, "lead", []string{"id", "name"}, func(m map[string]any) {
			for k := range m {
				if k != "id" && k != "name" {
					delete(m, k)
				}
			}
		}, ""},
		{"narrowed: a named field dropped", sandbox.Close, "lead", []string{"id", "name", "url"}, func(m map[string]any) {
			delete(m, "url")
		}, "url: missing"},
		{"narrowed: another field still the sandbox's", sandbox.Close, "lead", []string{"id"}, func(m map[string]any) {
			m["name"] = "Someone Else"
		}, `name: "Someone Else", the sandbox serves`},
		{"narrowed nested", sandbox.Clio, "contacts", []string{"name", "custom_field_values{id,value}"}, func(m map[string]any) {
			for _, v := range m["custom_field_values"].([]any) {
				delete(v.(map[string]any), "field_name")
			}
			delete(m["custom_field_values"].([]any)[0].(map[string]any), "value")
		}, "custom_field_values[0].value: missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wanted, got := edited(t, sb, c.prov, c.resource, c.edit)
			d := DiffRecords(sb, c.prov, c.fields, wanted, got)
			switch {
			case c.want == "" && d != "":
				t.Fatalf("a difference where there is none: %s", d)
			case c.want != "" && !strings.Contains(d, c.want):
				t.Fatalf("got %q, want it to say %q", d, c.want)
			case c.want != "" && !strings.HasPrefix(d, "1 of 4 records differ"):
				t.Fatalf("got %q, want one record of four", d)
			}
		})
	}
}

func TestParseSelection(t *testing.T) {
	sel := parseSelection([]string{"id", "addresses{street, city}", "custom"})
	if _, ok := sel.picks("custom.cf_12"); !ok {
		t.Error("custom does not pick custom.cf_12")
	}
	if sub, ok := sel.picks("addresses"); !ok || len(sub) != 2 {
		t.Errorf("addresses picks %v", sub)
	}
	if _, ok := sel.picks("name"); ok {
		t.Error("name is picked though not named")
	}
	if parseSelection(nil) != nil {
		t.Error("no fields must select everything")
	}
}
