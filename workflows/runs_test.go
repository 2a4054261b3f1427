package workflows

import "testing"

// A parallel run given no pages_per_run is bounded by its history, not by 500 pages; a
// serial one still continues as new after serialPagesPerRun.
func TestDefaultRunBounds(t *testing.T) {
	for _, tc := range []struct {
		parallelism, runs int
	}{{4, 1}, {1, 2}} {
		h := newHarness(t, 6_000)
		in := input()
		in.Parallelism = tc.parallelism
		h.env.ExecuteWorkflow(Export, in)
		if tc.runs == 1 {
			var res ExportResult
			if err := h.env.GetWorkflowResult(&res); err != nil {
				t.Fatal(err)
			}
			if res.Pages != 600 || res.Runs != 1 {
				t.Fatalf("parallelism %d: result = %+v, want 600 pages in one run", tc.parallelism, res)
			}
			continue
		}
		next := continuedInput(t, h.env.GetWorkflowError())
		if got := next.State.Partitions[0].Pages; got != serialPagesPerRun {
			t.Fatalf("serial: continued after %d pages, want %d", got, serialPagesPerRun)
		}
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
