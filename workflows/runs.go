package workflows

import (
	"math"

	"go.temporal.io/sdk/workflow"
)

// From runByHistory a run given no pages_per_run continues as new by its history, not its
// pages: once it holds RunEvents events, or earlier when Temporal suggests it (4,096 events
// or 4 MB by the server's defaults). Pages cost from under one event (a serial export's
// batches) to six (the page queue), so a fixed page count either ended serial runs a
// hundred times too early or would let parallel ones grow past the bound; every
// continue-as-new drains the pages in flight. Runs that began before it replay with
// DefaultPagesPerRun.
const (
	runByHistoryChange  = "run-by-history"
	runByHistoryVersion = 1
	// RunEvents bounds a run's history, well under Temporal's 10,240-event warning even
	// with MaxParallelism pages (six events each) still in flight when it is reached.
	RunEvents = 4_000
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
