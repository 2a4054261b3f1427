package duckdb

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/table"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestTableSurvivesAWorkerKilledMidWrite kills the only worker once the first table file
// is in the bucket, before the manifest is, then starts another: the export finishes
// (the new worker writes the table again, or goes on after the files its heartbeat
// named), the table folder holds exactly the files the manifest lists, and DuckDB reads
// every record exactly once from them.
func TestTableSurvivesAWorkerKilledMidWrite(t *testing.T) {
	sb, url := serveSandbox(t, sandbox.Options{Records: 30000, Seed: 7})
	queue := "duckdb-crash"
	w := startWorker(t, queue, url)
	in := workflows.ExportInput{ExportID: "duck-crash", Provider: "clio", Resource: "contacts", PageSize: 200,
		Format: table.FormatParquet, TableFileMiB: 2}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run, err := exportclient.Start(ctx, stack.client, queue, in)
	if err != nil {
		t.Fatal(err)
	}
	base := "clio/contacts/duck-crash/"
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		files, err := stack.store.List(ctx, base+"table/")
		if err != nil {
			t.Fatal(err)
		}
		if len(files) > 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no table file appeared\n%s", tail(w.output(), 20))
		case <-tick.C:
		}
	}
	if _, err := stack.store.Head(ctx, base+"manifest.json"); err == nil {
		t.Fatal("the export finished before the worker could be killed: too few records for the test")
	}
	w.kill()
	w.start()
	var res workflows.ExportResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("export: %v\n%s", err, tail(w.output(), 20))
	}
	t.Logf("the second worker resumed the table after the files its heartbeat named: %v",
		strings.Contains(w.output(), `"msg":"export's table resumed"`))
	m := readManifest(t, res.ManifestKey)
	if len(m.Table.Files) < 3 {
		t.Fatalf("%d table files, want several", len(m.Table.Files))
	}
	s, err := table.ParseSchema(m.Table.Schema)
	if err != nil {
		t.Fatal(err)
	}
	records := pageRecords(t, sb, "clio", "contacts", m)
	paths := download(t, m, t.TempDir())
	dt := readTable(t, openDB(t), "read_parquet("+fileList(paths)+")")
	if problems := compare(sb, "clio", records, m, s, dt); len(problems) > 0 {
		t.Fatalf("after the crash, DuckDB's reading disagrees with the sandbox:\n%s", strings.Join(problems, "\n"))
	}
	listed, err := stack.store.List(ctx, base+"table/")
	if err != nil || len(listed) != len(m.Table.Files) {
		t.Fatalf("the table folder holds %d objects, the manifest lists %d (%v)", len(listed), len(m.Table.Files), err)
	}
}
