package clio

import (
	"os"
	"strings"
	"testing"
)

// nestedTable is the README's table of each resource's nested values and references.
func nestedTable() string {
	var b strings.Builder
	b.WriteString("| Resource | Nested values: every field of their schema named | Nested references: `id`, `etag` |\n|---|---|---|\n")
	list := func(names []string) string {
		if len(names) == 0 {
			return "—"
		}
		return strings.Join(names, ", ")
	}
	for _, r := range resources {
		vals, refs := r.nested()
		b.WriteString("| " + r.name + " | " + list(vals) + " | " + list(refs) + " |\n")
	}
	return b.String()
}

// TestReadmeSaysWhichNestedFieldsAreValues: the README lists, per resource, the nested
// fields asked for whole and those left as references, as the catalog asks for them.
func TestReadmeSaysWhichNestedFieldsAreValues(t *testing.T) {
	raw, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	table := nestedTable()
	if !strings.Contains(table, "| contacts | currency, account_balances, activity_rates, addresses,") {
		t.Fatalf("generated table:\n%s", table)
	}
	if !strings.Contains(string(raw), table) {
		t.Fatalf("README's table of Clio nested fields is out of date; replace it with:\n\n%s", table)
	}
}
