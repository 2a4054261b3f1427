package workflows

import "testing"

// A run given no pages_per_run is bounded by its history, not by 500 pages: a serial
// export's batches cost a marker per hundred pages, so 600 pages fit in one run.
func TestDefaultRunIsBoundedByHistoryNotPages(t *testing.T) {
	h := newHarness(t, 6_000)
	h.env.ExecuteWorkflow(Export, input())
	var res ExportResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Pages != 600 || res.Runs != 1 {
		t.Fatalf("result = %+v, want 600 pages in one run", res)
	}
}

func TestRunContinuesAsNewAtRunEvents(t *testing.T) {
	for _, pagesPerRun := range []int{0, 1_000} {
		h := newHarness(t, 2_000)
		h.env.SetCurrentHistoryLength(RunEvents)
		in := input()
		in.PagesPerRun = pagesPerRun
		h.env.ExecuteWorkflow(Export, in)
		next := continuedInput(t, h.env.GetWorkflowError())
		if got := next.State.Partitions[0].Pages; got != localTaskPages {
			t.Fatalf("pages_per_run %d: continued after %d pages, want %d (the first batch)", pagesPerRun, got, localTaskPages)
		}
	}
}
