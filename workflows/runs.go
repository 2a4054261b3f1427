package workflows

import (
	"math"

	"go.temporal.io/sdk/workflow"
)

// From runByHistory a parallel run given no pages_per_run continues as new by its history,
// not its pages: once it holds RunEvents events, or earlier when Temporal suggests it
// (4,096 events or 4 MB by the server's defaults). Its continue-as-new drains every page
// in flight, so it should come as seldom as the bound allows: 500 pages made three runs
// of a 1,200-page export, about 650 make two. A serial run still ends after
// serialPagesPerRun pages: its stream carries on across continue-as-new, and one long
// run was slower (1,000,000 records in 100 s in one run, 84 s in runs of 500 pages; the
// dev server's cost per workflow task grows with the run). Runs that began before it
// replay with DefaultPagesPerRun.
const (
	runByHistoryChange  = "run-by-history"
	runByHistoryVersion = 1
	// RunEvents bounds a run's history, well under Temporal's 10,240-event warning even
	// with MaxParallelism pages (six events each) still in flight when it is reached.
	RunEvents = 4_000
	// serialPagesPerRun bounds a serial run given no pages_per_run (about 50 events).
	serialPagesPerRun = DefaultPagesPerRun
)

// runBounds is the most pages and history events one run may take.
func (x *exporter) runBounds(ctx workflow.Context) (pages int, events int) {
	byHistory := workflow.GetVersion(ctx, runByHistoryChange, workflow.DefaultVersion, runByHistoryVersion) >= runByHistoryVersion
	pages, events = x.in.PagesPerRun, math.MaxInt
	switch {
	case byHistory && pages <= 0:
		pages, events = math.MaxInt, RunEvents
	case byHistory:
		events = RunEvents
	case pages <= 0:
		pages = DefaultPagesPerRun
	}
	return pages, events
}

// historyFull reports whether this run's history has reached its bound.
func historyFull(ctx workflow.Context, events int) bool {
	info := workflow.GetInfo(ctx)
	return info.GetContinueAsNewSuggested() || info.GetCurrentHistoryLength() >= events
}
