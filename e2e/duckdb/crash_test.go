package duckdb

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"

	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/table"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestTableSurvivesAWorkerKilledMidWrite kills the only worker once WriteTables has
// heartbeated a finished table file, and before the manifest is written, then starts
// another: the export finishes, the new worker goes on after the files the first one
// finished, and DuckDB reads every record exactly once from the files the manifest lists.
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
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for filesDone(t, ctx, run.GetID()) == 0 {
		select {
		case <-ctx.Done():
			t.Fatalf("WriteTables never reported a finished file\n%s", tail(w.output(), 20))
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
	if !strings.Contains(w.output(), `"msg":"export's table resumed"`) {
		t.Errorf("the second worker did not go on after the files the first finished:\n%s", tail(w.output(), 20))
	}
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

// filesDone is how many table files the export's pending WriteTables has heartbeated as
// finished: what a retry goes on after.
func filesDone(t *testing.T, ctx context.Context, workflowID string) int {
	t.Helper()
	desc, err := stack.client.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, pa := range desc.GetPendingActivities() {
		if pa.GetActivityType().GetName() != "WriteTables" || pa.GetHeartbeatDetails() == nil {
			continue
		}
		var prog struct {
			Files []table.File `json:"files"`
		}
		if err := converter.GetDefaultDataConverter().FromPayloads(pa.GetHeartbeatDetails(), &prog); err != nil {
			t.Fatal(err)
		}
		return len(prog.Files)
	}
	return 0
}
