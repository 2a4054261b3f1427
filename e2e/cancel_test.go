package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestCancelStopsAndRerunStartsOver cancels a running export: it ends as cancelled
// without starting another page, leaves no manifest, and leaves checkpoint.json saying
// where it stopped, consistent with the pages in the bucket. Starting the same export
// id again exports everything from the start, as the README documents.
func TestCancelStopsAndRerunStartsOver(t *testing.T) {
	const total = 10_000
	// 200 pages of 50 ms: a serial export's 2 s tasks hold about 40 of them, and a query may
	// wait for the task after the one it arrived in, so the cancel lands with pages to come.
	sb, url := serveSandbox(t, sandbox.Options{Records: total, Seed: 10, Latency: 50 * time.Millisecond})
	queue := "e2e-cancel"
	w := startWorker(t, workerEnv(queue, url))
	in := workflows.ExportInput{ExportID: "cancelled", Provider: "clio", Resource: "contacts", PageSize: 50, HeartbeatSeconds: 2}
	base := "clio/contacts/cancelled"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run, err := exportclient.Start(ctx, stack.client, queue, in)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Minute, "ten pages exported", func() bool { return records(in.ExportID) >= 500 })
	if err := stack.client.CancelWorkflow(ctx, in.ExportID, ""); err != nil {
		t.Fatal(err)
	}
	err = run.Get(ctx, nil)
	var cancelled *temporal.CanceledError
	if !errors.As(err, &cancelled) {
		t.Fatalf("cancelled export ended with %v, want a CanceledError\n%s", err, tail(w.output(), 20))
	}
	desc, err := stack.client.DescribeWorkflowExecution(ctx, in.ExportID, "")
	if err != nil {
		t.Fatal(err)
	}
	if st := desc.WorkflowExecutionInfo.GetStatus(); st != enums.WORKFLOW_EXECUTION_STATUS_CANCELED {
		t.Fatalf("workflow status %v, want CANCELED", st)
	}
	assertNoPageAfterCancel(t, in.ExportID)

	if _, err := stack.store.Get(ctx, base+"/manifest.json"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a cancelled export has a manifest (or the bucket failed): %v", err)
	}
	cp := readCheckpoint(t, base+"/checkpoint.json")
	if cp.Reason != "cancelled" || cp.ExportID != in.ExportID || cp.WorkflowID != in.ExportID || len(cp.Partitions) == 0 {
		t.Fatalf("checkpoint %+v: want reason cancelled, export and workflow id %s, partitions", cp, in.ExportID)
	}
	var pages int
	var recs int64
	for _, p := range cp.Partitions {
		if p.Position == (provider.Position{}) && p.Pages > 0 && !p.Done {
			t.Fatalf("partition %d stopped after %d pages with no position to carry on from", p.ID, p.Pages)
		}
		pages += p.Pages
		recs += p.Records
		// The checkpoint counts only pages the workflow saw complete; each is in the bucket.
		var stored int64
		for seq := 1; seq <= p.Pages; seq++ {
			head, err := stack.store.Head(ctx, activities.PageKey(base, p.ID, seq))
			if err != nil {
				t.Fatalf("checkpoint counts page %d of partition %d: %v", seq, p.ID, err)
			}
			n, _ := strconv.Atoi(head.Metadata["records"])
			stored += int64(n)
		}
		if stored != p.Records {
			t.Fatalf("partition %d: checkpoint says %d records, its %d pages hold %d", p.ID, p.Records, p.Pages, stored)
		}
	}
	if pages == 0 || recs < 500 || recs >= total {
		t.Fatalf("checkpoint records %d pages, %d records: want where a part-way export stopped (500 to %d)", pages, recs, total)
	}
	t.Logf("cancelled after %d pages, %d records", pages, recs)

	// The same export id again: Prepare clears the folder and the export starts over.
	res, err := runExport(t, queue, in, 5*time.Minute)
	if err != nil {
		t.Fatalf("re-run failed: %v\n%s", err, tail(w.output(), 30))
	}
	m, all := readBack(t, res.ManifestKey)
	assertExactly(t, sb, "clio", "contacts", all)
	if m.Records != total || m.WorkflowID != in.ExportID {
		t.Fatalf("re-run manifest: %d records by %s, want %d by %s", m.Records, m.WorkflowID, total, in.ExportID)
	}
	if _, err := stack.store.Get(ctx, base+"/checkpoint.json"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the re-run left the old checkpoint beside its manifest: %v", err)
	}
}

// assertNoPageAfterCancel reads the cancelled run's history: once the cancel request is
// in, the workflow schedules no further page, only the checkpoint.
func assertNoPageAfterCancel(t *testing.T, workflowID string) {
	t.Helper()
	it := stack.client.GetWorkflowHistory(context.Background(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	requested, checkpoint, pages := false, false, 0
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch ev.GetEventType() {
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
			requested = true
		case enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			name := ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
			if requested && name == "FetchPage" {
				t.Fatalf("a page was scheduled after the cancel request (event %d)", ev.GetEventId())
			}
			if name == "FetchPage" {
				pages++
			}
			checkpoint = checkpoint || requested && name == "WriteCheckpoint"
		case enums.EVENT_TYPE_MARKER_RECORDED:
			// A serial export's pages are local activities, recorded as markers.
			m := ev.GetMarkerRecordedEventAttributes()
			if requested && m.GetMarkerName() == "LocalActivity" && m.GetFailure() == nil {
				t.Fatalf("a page completed after the cancel request (event %d)", ev.GetEventId())
			}
			if m.GetMarkerName() == "LocalActivity" {
				pages++
			}
		}
	}
	if !requested || !checkpoint || pages == 0 {
		t.Fatalf("history: cancel requested %v, checkpoint scheduled after it %v, %d pages before it", requested, checkpoint, pages)
	}
}

func readCheckpoint(t *testing.T, key string) activities.Checkpoint {
	t.Helper()
	body, err := stack.store.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("no checkpoint after cancel: %v", err)
	}
	var cp activities.Checkpoint
	if err := json.Unmarshal(body, &cp); err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	return cp
}
