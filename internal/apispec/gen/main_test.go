package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// specsDir is ../shared/specs seen from the repository root; CI clones do not have it.
const specsDir = "../../../../shared/specs"

func needSpecs(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(specsDir); err != nil {
		t.Skipf("the provider specs are not here (%s: %v): the committed facts cannot be checked against them", specsDir, err)
	}
}

// TestCommittedFactsAreCurrent regenerates every *_gen.go and insists the committed files
// are exactly what the specs give today: a spec edited, or a file edited by hand, fails.
func TestCommittedFactsAreCurrent(t *testing.T) {
	needSpecs(t)
	files, err := Generate(specsDir)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Errorf("%s is not committed: run go generate ./internal/apispec (%v)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what its spec gives: run go generate ./internal/apispec", name)
		}
	}
	committed, _ := filepath.Glob("../*_gen.go")
	for _, path := range committed {
		if _, ok := files[filepath.Base(path)]; !ok {
			t.Errorf("%s is generated from no spec any more: remove it", path)
		}
	}
}

// TestFactsCopyNoProse: no description or example of a spec, nor its info block's text,
// reaches the generated files; only names, types, enums, defaults and limits do.
func TestFactsCopyNoProse(t *testing.T) {
	needSpecs(t)
	files, err := Generate(specsDir)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, s := range sources {
		raw, err := os.ReadFile(filepath.Join(specsDir, s.file))
		if err != nil {
			t.Fatal(err)
		}
		prose := proseOf(t, s, raw)
		if len(prose) == 0 {
			t.Fatalf("%s: no description or example found: the walk is wrong", s.file)
		}
		total += len(prose)
		out := string(files[s.out])
		for _, p := range prose {
			if strings.Contains(out, p) {
				t.Errorf("%s copies prose of %s: %.60q", s.out, s.file, p)
				break
			}
		}
	}
	if total < 1000 {
		t.Fatalf("only %d descriptions and examples in every spec: the walk is wrong", total)
	}
}

// proseOf is every description, summary, title and example of at least 20 characters that
// has a space (a schema's title is often its name).
func proseOf(t *testing.T, s source, raw []byte) []string {
	t.Helper()
	doc, err := parse(s, raw)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case node:
			for k, e := range x {
				if slices.Contains([]string{"description", "summary", "example", "title"}, k) {
					if text := strings.TrimSpace(text(e)); len(text) >= 20 && strings.Contains(text, " ") {
						out = append(out, text)
					}
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc)
	return out
}
