package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/testkit/devstack"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestRecordHistory regenerates workflows/testdata/export-history*.json, the histories
// that workflows.TestReplayCommittedHistory replays. Run it after a deliberate, versioned
// change to the workflow, keep the previous files under a new name (export-history-v0*
// are from before local pages, export-history-v1* from before input checks, provider
// counts, page holds and resume, export-history-v2* from before the count at the start came
// from the first page, export-history-v3* from before rebalanced partitions and serial
// page batches, export-history-v4* from before runs were bounded by their history, export-history-v5*
// from before the count at the end moved into Finish and rebalancing became thrifty) so
// running exports stay covered, and commit them all:
//
//	make tools && PAGEWISE_RECORD_HISTORY=1 go test ./e2e -run TestRecordHistory -count=1
func TestRecordHistory(t *testing.T) {
	if os.Getenv("PAGEWISE_RECORD_HISTORY") != "1" {
		t.Skip("writes workflows/testdata; set PAGEWISE_RECORD_HISTORY=1 to regenerate the replay histories")
	}
	root, err := devstack.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "workflows", "testdata")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, url := serveSandbox(t, sandbox.Options{Records: 1000, Seed: 13, Latency: 300 * time.Millisecond})
	queue := "e2e-record-history"
	startWorker(t, workerEnv(queue, url))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	// A complete export: 20 pages, 12 a run, so two runs; paused and resumed in the first
	// (its pages are local: the first workflow task ends after 2 s of them).
	in := workflows.ExportInput{ExportID: "replay-complete", Provider: "clio", Resource: "contacts", PageSize: 50, PagesPerRun: 12}
	run, err := exportclient.Start(ctx, stack.client, queue, in)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "the first page", func() bool { return records(in.ExportID) >= 100 })
	if err := stack.client.SignalWorkflow(ctx, in.ExportID, "", workflows.SignalPause, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "the export to pause", func() bool {
		p, err := exportclient.Query(ctx, stack.client, in.ExportID)
		return err == nil && p.Paused
	})
	if err := stack.client.SignalWorkflow(ctx, in.ExportID, "", workflows.SignalResume, nil); err != nil {
		t.Fatal(err)
	}
	var res workflows.ExportResult
	if err := stack.client.GetWorkflow(ctx, in.ExportID, "").Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	if res.Runs < 2 {
		t.Fatalf("export took %d runs, want 2", res.Runs)
	}
	writeHistory(t, filepath.Join(dir, "export-history.json"), in.ExportID, run.GetRunID())
	writeHistory(t, filepath.Join(dir, "export-history-final.json"), in.ExportID, "")

	// A parallel export: partitions planned after the first page.
	in = workflows.ExportInput{ExportID: "replay-parallel", Provider: "clio", Resource: "contacts", Strategy: "offset",
		PageSize: 100, Parallelism: 4}
	recordCompleted(t, queue, in, filepath.Join(dir, "export-history-parallel.json"))

	// A parallel export of crowded data: partitions with nothing left free their slots
	// for cuts of the busy one.
	_, crowdedURL := serveSandbox(t, sandbox.Options{Records: 600, Seed: 13, Crowd: 0.1, Latency: 50 * time.Millisecond})
	crowdedQueue := queue + "-crowded"
	startWorker(t, workerEnv(crowdedQueue, crowdedURL))
	in = workflows.ExportInput{ExportID: "replay-rebalanced", Provider: "close", Resource: "lead", Strategy: "window",
		PageSize: 25, Parallelism: 4}
	recordCompleted(t, crowdedQueue, in, filepath.Join(dir, "export-history-rebalanced.json"))

	// A parallel export planned before its first page: Attio's interleaved offsets.
	in = workflows.ExportInput{ExportID: "replay-upfront", Provider: "attio", Resource: "people", Strategy: "offset",
		PageSize: 100, Parallelism: 4}
	recordCompleted(t, queue, in, filepath.Join(dir, "export-history-upfront.json"))

	// A cancelled export: the checkpoint path.
	in = workflows.ExportInput{ExportID: "replay-cancelled", Provider: "clio", Resource: "contacts", PageSize: 50}
	run, err = exportclient.Start(ctx, stack.client, queue, in)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "two pages", func() bool { return records(in.ExportID) >= 100 })
	if err := stack.client.CancelWorkflow(ctx, in.ExportID, ""); err != nil {
		t.Fatal(err)
	}
	_ = run.Get(ctx, nil)
	writeHistory(t, filepath.Join(dir, "export-history-cancelled.json"), in.ExportID, run.GetRunID())

	// The cancelled export resumed: the stopped run found, its pages kept.
	resumed, err := exportclient.Resume(ctx, stack.client, queue, in.ExportID)
	if err != nil {
		t.Fatal(err)
	}
	if err := resumed.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	writeHistory(t, filepath.Join(dir, "export-history-resumed.json"), in.ExportID, resumed.GetRunID())
}

// recordCompleted runs an export to its end and stores its history at path.
func recordCompleted(t *testing.T, queue string, in workflows.ExportInput, path string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run, err := exportclient.Start(ctx, stack.client, queue, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	writeHistory(t, path, in.ExportID, run.GetRunID())
}

// writeHistory stores one run's history as `temporal workflow show --output json` does.
func writeHistory(t *testing.T, path, workflowID, runID string) {
	t.Helper()
	it := stack.client.GetWorkflowHistory(context.Background(), workflowID, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h historypb.History
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	body, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(body, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s: %d events", path, len(h.Events))
}
