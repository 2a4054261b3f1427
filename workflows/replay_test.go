package workflows

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplayCommittedHistory replays histories recorded from real exports against today's
// workflow code. A change that would break running exports (a different sequence of
// activities, timers or continue-as-new without workflow.GetVersion) fails here. After a
// deliberate, versioned change, regenerate them:
//
//	PAGEWISE_RECORD_HISTORY=1 go test ./e2e -run TestRecordHistory -count=1
func TestReplayCommittedHistory(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "export-history*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no committed histories in testdata (%v)", err)
	}
	var pages, localPages, continued, finished, cancelled, signals int
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(Export, workflow.RegisterOptions{Name: WorkflowName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replaying %s: %v", f, err)
			}
		})
		// Count what the histories cover, so a regenerated set cannot quietly shrink.
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		h, err := client.HistoryFromJSON(fh, client.HistoryJSONOptions{})
		_ = fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range h.GetEvents() {
			switch ev.GetEventType() {
			case enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
				switch ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() {
				case "FetchPage":
					pages++
				case "Finish":
					finished++
				case "WriteCheckpoint":
					cancelled++
				}
			case enums.EVENT_TYPE_MARKER_RECORDED:
				if ev.GetMarkerRecordedEventAttributes().GetMarkerName() == "LocalActivity" {
					localPages++
				}
			case enums.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
				continued++
			case enums.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
				signals++
			}
		}
	}
	if pages < 3 || localPages < 3 || continued == 0 || finished == 0 || cancelled == 0 || signals == 0 {
		t.Fatalf("committed histories cover %d pages, %d local pages, %d continue-as-new, %d finish, %d checkpoint, %d signals; want at least 3 pages of each kind and one of each",
			pages, localPages, continued, finished, cancelled, signals)
	}
}

// TestReplayAccountHistory replays the committed account export histories: one with a
// refused resource, and the same account resumed.
func TestReplayAccountHistory(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "account-history*.json"))
	if err != nil || len(files) < 2 {
		t.Fatalf("want the committed account histories in testdata, found %v (%v)", files, err)
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		h, err := client.HistoryFromJSON(fh, client.HistoryJSONOptions{})
		_ = fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflowWithOptions(Account, workflow.RegisterOptions{Name: AccountWorkflowName})
		r.RegisterWorkflowWithOptions(Export, workflow.RegisterOptions{Name: WorkflowName})
		// Children's ids derive from the account's, which the history's events do not hold.
		opts := worker.ReplayWorkflowHistoryOptions{OriginalExecution: workflow.Execution{ID: accountIDOf(t, h)}}
		if err := r.ReplayWorkflowHistoryWithOptions(nil, h, opts); err != nil {
			t.Fatalf("replaying %s: %v", f, err)
		}
	}
}

// accountIDOf is the account workflow id its first child's id starts with.
func accountIDOf(t *testing.T, h *historypb.History) string {
	t.Helper()
	for _, ev := range h.GetEvents() {
		if a := ev.GetStartChildWorkflowExecutionInitiatedEventAttributes(); a != nil {
			return a.GetWorkflowId()[:strings.LastIndex(a.GetWorkflowId(), "/")]
		}
	}
	t.Fatal("the account history starts no child")
	return ""
}
