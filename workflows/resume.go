package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
)

// resumeRuns versions resuming a stopped export; before it, Prepare always cleared the
// folder and the resume field did not exist.
const (
	resumeChange  = "resume"
	resumeVersion = 1
)

// resuming reports whether this run continues a stopped one: asked for in the input, and
// past the version that knows how.
func (x *exporter) resuming(ctx workflow.Context) bool {
	if !x.in.Resume {
		return false
	}
	return workflow.GetVersion(ctx, resumeChange, workflow.DefaultVersion, resumeVersion) >= resumeVersion
}

// resume takes over the stopped run's state: its partitions, counts and start, with the
// pages that check out kept in the bucket. It reports whether there was one.
func (x *exporter) resume(ctx workflow.Context) (bool, error) {
	if !x.resuming(ctx) {
		return false, nil
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 10, MaximumInterval: 30 * time.Second},
	})
	info := workflow.GetInfo(ctx)
	in := activities.ResumeInput{Export: x.asked(), Base: x.st.Base, Plan: x.st.Plan, Claim: x.st.Claim,
		WorkflowID: info.WorkflowExecution.ID, RunID: info.WorkflowExecution.RunID}
	var res activities.ResumeResult
	if err := workflow.ExecuteActivity(actx, a.ResumePoint, in).Get(ctx, &res); err != nil {
		return false, err
	}
	if !res.Found {
		return false, nil
	}
	st := res.State
	x.st.Partitions, x.st.Planned, x.st.StartedAt = st.Partitions, st.Planned, st.StartedAt
	x.st.CountAtStart, x.st.Resumed = st.CountAtStart, &res.Resumed
	return true, nil
}
