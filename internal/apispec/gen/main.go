// Command gen writes internal/apispec's *_gen.go files from the providers' specs
// (../shared/specs): `go generate ./internal/apispec`. It takes facts only (names, types,
// enums, limits, required-ness), never descriptions or examples.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// source is one spec file and the Go file its facts go to.
type source struct {
	provider string
	file     string // under the specs folder
	out      string // under the output folder
	ident    string // the Document variable's name
}

var sources = []source{
	{"attio", "attio/out.openapi.yaml", "attio_gen.go", "attioDocument"},
	{"clever", "clever/v3.0.yml", "clever_v30_gen.go", "cleverV30Document"},
	{"clever", "clever/v3.0-events.yml", "clever_v30_events_gen.go", "cleverV30EventsDocument"},
	{"clever", "clever/v3.1.yml", "clever_v31_gen.go", "cleverV31Document"},
	{"clever", "clever/v3.1-events.yml", "clever_v31_events_gen.go", "cleverV31EventsDocument"},
	{"clio", "clio/clio-manage-v4.openapi.json.gz", "clio_gen.go", "clioDocument"},
	{"close", "close/close-openapi.yml", "close_gen.go", "closeDocument"},
}

func main() {
	specs := flag.String("specs", "../../../shared/specs", "the specs folder")
	out := flag.String("out", ".", "where the *_gen.go files go")
	flag.Parse()
	files, err := Generate(*specs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(*out, name), src, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}

// Generate reads every source under specs and returns the Go files, by name.
func Generate(specs string) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, s := range sources {
		raw, err := os.ReadFile(filepath.Join(specs, s.file))
		if err != nil {
			return nil, err
		}
		doc, err := load(s, raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.file, err)
		}
		src, err := emit(s, doc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.file, err)
		}
		files[s.out] = src
	}
	return files, nil
}
