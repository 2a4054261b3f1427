package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// A serial export fetches its pages as local activities: the worker running the
// workflow runs the page itself and records the result as one marker event, with no
// activity task round trip through the server. That round trip was 20 ms a page, a fifth
// of a 100 ms page. Parallel partitions stay on the page queue, whose server-side rate
// limit is what shares a provider's budget across workers.
const (
	localPagesChange  = "local-serial-pages"
	localPagesVersion = 1

	// A workflow task is closed after this much page time (or this many pages), so a
	// worker crash re-fetches at most that much and signals and queries wait no longer.
	localTaskTime  = 2 * time.Second
	localTaskPages = 100
)

// localPages reports whether this run fetches its pages as local activities. Runs that
// began before local pages existed keep scheduling activities when replayed.
func (x *exporter) localPages(ctx workflow.Context) bool {
	v := workflow.GetVersion(ctx, localPagesChange, workflow.DefaultVersion, localPagesVersion)
	return v >= localPagesVersion && min(x.in.Parallelism, x.st.Plan.MaxParallel) <= 1
}

// localPageOptions tries a page once locally. A page that fails is handed to the page
// queue, where it retries as long as it takes under the server's rate limit, and shows as
// a pending activity with its last failure for anyone looking; a local retry loop would
// hold the workflow task open and keep signals and queries waiting.
func localPageOptions(ctx workflow.Context, timeout time.Duration) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: timeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	})
}

// taskClock counts page time since the current workflow task began.
type taskClock struct {
	took  time.Duration
	pages int
}

func (c *taskClock) add(took time.Duration) { c.took += took; c.pages++ }

// closeTask ends the workflow task once it has run long enough, with a one-millisecond
// timer: the pages so far are recorded, and waiting signals and queries are answered.
func (c *taskClock) closeTask(ctx workflow.Context) error {
	if c.took < localTaskTime && c.pages < localTaskPages {
		return nil
	}
	*c = taskClock{}
	return workflow.Sleep(ctx, time.Millisecond)
}

// handOver reports whether a local page's failure is retried on the page queue: anything
// but a refusal no retry can change, or cancellation.
func handOver(err error) bool {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.NonRetryable() {
		return false
	}
	return !temporal.IsCanceledError(err)
}
