package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
)

// providerCount versions the provider's own count taken when an export starts and ends;
// runs that began before it replay without the two activities. From version 2 the count
// at the start is the export's first page's, where the connector reports one (Clio
// meta.records, Close total_results and search counts): one request fewer.
const (
	providerCountChange    = "provider-count"
	providerCountActivity  = 1
	providerCountFirstPage = 2
)

// countInFinish versions the count at the end moving into Finish, which takes it while it
// walks the bucket: the export no longer waits a request's latency and an activity's
// round trip before Finish starts. Runs that began before it count in their own activity.
const (
	countInFinishChange  = "count-in-finish"
	countInFinishVersion = 1
)

func countVersion(ctx workflow.Context) workflow.Version {
	return workflow.GetVersion(ctx, providerCountChange, workflow.DefaultVersion, providerCountFirstPage)
}

// countAtStart is the provider's count before the first page (version 1), or nothing yet:
// from version 2 the first page brings it (see plan).
func (x *exporter) countAtStart(ctx workflow.Context) activities.CountResult {
	if countVersion(ctx) != providerCountActivity {
		return activities.CountResult{}
	}
	return x.count(ctx)
}

// count asks the provider how many records the export's query matches. It is a check, not
// a step: when it fails the export goes on without it, as it did before counts existed.
func (x *exporter) count(ctx workflow.Context) activities.CountResult {
	if countVersion(ctx) < providerCountActivity {
		return activities.CountResult{}
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:           PageQueue(workflow.GetInfo(ctx).TaskQueueName, x.export.Provider, x.export.Credential),
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 10, MaximumInterval: 10 * time.Second},
	})
	var res activities.CountResult
	in := activities.CountInput{Resolved: x.st.Resolved}
	if err := workflow.ExecuteActivity(actx, a.Count, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Warn("provider count unavailable; the manifest will not reconcile", "export_id", x.st.ExportID, "error", err)
		return activities.CountResult{}
	}
	return res
}

// countAtEnd has Finish take the provider's count at the end, or takes it first where the
// run began before that.
func (x *exporter) countAtEnd(ctx workflow.Context, in *activities.FinishInput) {
	if countVersion(ctx) < providerCountActivity {
		return
	}
	if workflow.GetVersion(ctx, countInFinishChange, workflow.DefaultVersion, countInFinishVersion) < countInFinishVersion {
		in.CountAtEnd = x.count(ctx)
		return
	}
	in.CountEnd = &activities.CountInput{Resolved: x.st.Resolved}
}
