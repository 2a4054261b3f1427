package workflows

import (
	"testing"

	"github.com/stretchr/testify/mock"
)

// TestMemoSaysWhereTheExportStands: the memo the Web UI shows moves from exporting (after
// Prepare and at each run's end) to completed, with the records exported.
func TestMemoSaysWhereTheExportStands(t *testing.T) {
	h := newHarness(t, 35)
	var states []string
	var last map[string]any
	h.env.OnUpsertMemo(mock.Anything).Run(func(args mock.Arguments) {
		last = args.Get(0).(map[string]any)
		states = append(states, last[MemoState].(string))
	}).Return(nil)
	h.env.ExecuteWorkflow(Export, input())
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if len(states) < 2 || states[0] != PhaseExporting || states[len(states)-1] != "completed" {
		t.Fatalf("memo states %v, want exporting first and completed last", states)
	}
	if last[MemoRecords] != int64(35) || last["provider"] != "fake" || last["resource"] != "items" {
		t.Fatalf("last memo %v, want 35 records of fake items", last)
	}
}
