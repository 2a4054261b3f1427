package workflows

import "go.temporal.io/sdk/workflow"

// memoChange versions the memo upserts below: each is a command, so runs that began
// before them replay without.
const (
	memoChange  = "memo"
	memoVersion = 1
)

// Memo keys an export keeps up to date for the Web UI and `temporal workflow list`:
// the starter sets provider and resource when it starts one.
const (
	MemoState   = "state" // exporting, completed, failed or cancelled
	MemoRecords = "records"
	MemoPages   = "pages"
	MemoTotal   = "total"
)

// upsertMemo records where the export stands in its memo: after Prepare, at each
// continue-as-new and when it ends. A memo is not history the workflow reads, so its
// failure to save is only logged.
func (x *exporter) upsertMemo(ctx workflow.Context, state string) {
	if workflow.GetVersion(ctx, memoChange, workflow.DefaultVersion, memoVersion) < memoVersion {
		return
	}
	p, _ := x.progress()
	memo := map[string]any{MemoState: state, MemoRecords: p.Records, MemoPages: p.Pages,
		"provider": x.export.Provider, "resource": x.export.Spec.Resource}
	if p.Total > 0 {
		memo[MemoTotal] = p.Total
	}
	if err := workflow.UpsertMemo(ctx, memo); err != nil {
		workflow.GetLogger(ctx).Warn("could not update the memo", "error", err)
	}
}
