package workflows

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestReadmeInputTableMatchesTheStruct: the README's input table has a row for every
// ExportInput field a caller sets, by its JSON name, and none for a field there is not.
func TestReadmeInputTableMatchesTheStruct(t *testing.T) {
	body, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(body), "### Input (`ExportInput`, JSON)")
	if !ok {
		t.Fatal("README has no input section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var documented []string
	for line := range strings.Lines(section) {
		if name, ok := strings.CutPrefix(line, "| `"); ok {
			name, _, _ = strings.Cut(name, "`")
			documented = append(documented, name)
		}
	}
	var fields []string
	for f := range reflect.TypeFor[ExportInput]().Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "state" { // the workflow's own, refused from callers
			fields = append(fields, name)
		}
	}
	slices.Sort(documented)
	slices.Sort(fields)
	if !slices.Equal(documented, fields) {
		t.Errorf("README's input table lists %v\nExportInput has %v", documented, fields)
	}
}
