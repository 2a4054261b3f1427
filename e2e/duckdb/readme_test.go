package duckdb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/table"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// readmeQueries is the README's SQL block whose first line is "-- readme-test: <name>",
// as its statements (comment lines dropped, each ending in ';').
func readmeQueries(t *testing.T, name string) []string {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(stack.root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(body), "```sql\n-- readme-test: "+name+"\n")
	if !ok {
		t.Fatalf("README has no sql block named %q", name)
	}
	block, _, _ := strings.Cut(rest, "```")
	var text strings.Builder
	for line := range strings.Lines(block) {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			text.WriteString(line)
		}
	}
	var out []string
	for stmt := range strings.SplitSeq(text.String(), ";") {
		if s := strings.TrimSpace(stmt); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// mirror copies every object under prefix to dir, each at its key: DuckDB reads the
// bucket's layout from local files, with no extension to download.
func mirror(t *testing.T, prefix, dir string) {
	t.Helper()
	err := stack.store.Walk(context.Background(), prefix, func(objs []storage.Object) error {
		for _, o := range objs {
			body, err := stack.store.Get(context.Background(), o.Key)
			if err != nil {
				return err
			}
			p := filepath.Join(dir, filepath.FromSlash(o.Key))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, body, 0o644); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReadmeQueries runs the README's DuckDB queries on the exports its commands make
// (Close leads with a Hive-style path, twice, and Clever users), against a copy of the
// bucket: each must run and return rows, and the manifest's table glob must find every
// row of the export.
func TestReadmeQueries(t *testing.T) {
	_, url := serveSandbox(t, sandbox.Options{Records: 300, Seed: 5})
	queue := "duckdb-readme"
	w := startWorker(t, queue, url)
	leads := workflows.ExportInput{Provider: "close", Resource: "lead", Format: table.FormatParquet,
		TablePath: "dt={yyyy}-{mm}-{dd}/part-{part}.parquet"}
	runExport(t, queue, leads, w)
	leads.ExportID = "close-lead-again"
	runExport(t, queue, leads, w)
	runExport(t, queue, workflows.ExportInput{Provider: "clever", Resource: "users", Format: table.FormatParquet}, w)
	dir := t.TempDir()
	mirror(t, "", dir)
	db := openDB(t)
	local := func(q string) string { return strings.ReplaceAll(q, "s3://"+bucket+"/", dir+"/") }
	for _, q := range readmeQueries(t, "parquet") {
		rows, err := db.Query(local(q))
		if err != nil {
			t.Fatalf("README query failed: %v\n%s", err, q)
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil || n == 0 {
			t.Errorf("README query returned %d rows (%v):\n%s", n, err, q)
		}
		_ = rows.Close()
	}
	m := readManifest(t, "close/lead/close-lead/manifest.json")
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM read_parquet('" + local(m.Table.Glob) + "')").Scan(&n); err != nil || n != 300 {
		t.Errorf("the manifest's table glob %s reads %d rows (%v), want 300", m.Table.Glob, n, err)
	}
	m = readManifest(t, "clever/users/clever-users/manifest.json")
	if err := db.QueryRow("SELECT count(*) FROM read_parquet('" + local(m.Table.Glob) + "')").Scan(&n); err != nil || n != 300 {
		t.Errorf("the manifest's table glob %s reads %d rows (%v), want 300", m.Table.Glob, n, err)
	}
}
