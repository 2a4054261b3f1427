package duckdb

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/table"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// runExport starts in on queue and waits for its result.
func runExport(t *testing.T, queue string, in workflows.ExportInput, w *worker) workflows.ExportResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run, err := exportclient.Start(ctx, stack.client, queue, in)
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.ExportResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("export %s: %v\nworker log tail:\n%s", in.ExportID, err, tail(w.output(), 20))
	}
	return res
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestEveryProviderReadsBackInDuckDB exports a resource of each provider to Parquet
// through the real servers, reads the files the manifest lists with DuckDB, and compares
// every row and column with the sandbox's records. Each export takes other table
// settings: several files, each compression, the _raw column, a Hive-style path, and
// format both (the pages are there too).
func TestEveryProviderReadsBackInDuckDB(t *testing.T) {
	sb, url := serveSandbox(t, sandbox.Options{Records: 1200, Seed: 3})
	queue := "duckdb-providers"
	w := startWorker(t, queue, url)
	cases := []struct {
		provider, resource string
		set                func(*workflows.ExportInput)
		files              int // at least
	}{
		{"clio", "contacts", func(in *workflows.ExportInput) { in.TableFileMiB, in.TableCompression = 1, "snappy" }, 2},
		{"attio", "people", func(in *workflows.ExportInput) { in.TableRaw = true }, 1},
		{"close", "lead", func(in *workflows.ExportInput) {
			in.Format, in.TablePath, in.TableCompression = table.FormatBoth, "dt={yyyy}-{mm}-{dd}/part-{part}.parquet", "gzip"
		}, 1},
		{"clever", "users", nil, 1},
	}
	for _, c := range cases {
		t.Run(c.provider, func(t *testing.T) {
			t.Parallel()
			in := workflows.ExportInput{ExportID: "duck-" + c.provider, Provider: c.provider, Resource: c.resource,
				PageSize: 100, Format: table.FormatParquet}
			if c.set != nil {
				c.set(&in)
			}
			res := runExport(t, queue, in, w)
			m := readManifest(t, res.ManifestKey)
			if len(m.Table.Files) < c.files || res.TableFiles != len(m.Table.Files) || m.Table.Rows != 1200 {
				t.Fatalf("result %+v; manifest lists %d table files of %d rows, want at least %d of 1200", res, len(m.Table.Files), m.Table.Rows, c.files)
			}
			if len(m.Objects) != 12 {
				t.Errorf("manifest lists %d pages, want 12: the pages stay the export's log", len(m.Objects))
			}
			s, err := table.ParseSchema(m.Table.Schema)
			if err != nil {
				t.Fatal(err)
			}
			records := pageRecords(t, sb, c.provider, c.resource, m)
			paths := download(t, m, t.TempDir())
			dt := readTable(t, openDB(t), "read_parquet("+fileList(paths)+", hive_partitioning = false)")
			if problems := compare(sb, c.provider, records, m, s, dt); len(problems) > 0 {
				t.Fatalf("DuckDB's reading of %s/%s disagrees with the sandbox:\n%s", c.provider, c.resource, strings.Join(problems, "\n"))
			}
			t.Logf("%s/%s: %d rows, %d columns, %d files, %d conflicts", c.provider, c.resource, len(dt.rows), len(dt.order), len(paths), len(s.Conflicts))
			if c.provider == "clio" {
				assertComparisonFails(t, sb, records, m, s, paths)
			}
		})
	}
}

// assertComparisonFails proves compare can fail: a copy of the table with one row
// dropped, and one with a column's type changed, must each be reported.
func assertComparisonFails(t *testing.T, sb *sandbox.Server, records map[string]json.RawMessage, m activities.Manifest, s *table.Schema, paths []string) {
	t.Helper()
	db := openDB(t)
	from := "read_parquet(" + fileList(paths) + ")"
	broken := map[string]string{
		"a row dropped":          "SELECT * FROM " + from + " LIMIT 1199",
		"a column's type broken": "SELECT * REPLACE (CAST(id AS VARCHAR) AS id) FROM " + from,
	}
	for what, query := range broken {
		out := t.TempDir() + "/broken.parquet"
		if _, err := db.Exec("COPY (" + query + ") TO '" + out + "' (FORMAT parquet)"); err != nil {
			t.Fatal(err)
		}
		dt := readTable(t, db, "read_parquet('"+out+"')")
		if problems := compare(sb, "clio", records, m, s, dt); len(problems) == 0 {
			t.Errorf("the comparison found nothing wrong with %s", what)
		}
	}
}
