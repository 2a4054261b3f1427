// Package runs finds an export's stopped run in Temporal for resuming it: visibility names
// the run, and the workflow's state query, answered by replaying the closed run's history,
// says where each partition stood. It is how a terminated run, which wrote no checkpoint,
// can be resumed.
package runs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/activities"
)

// QueryState is the workflow's query that answers its whole state.
const QueryState = "state"

// Finder looks runs up through a Temporal client.
type Finder struct {
	Client    client.Client
	Namespace string
}

// ErrNotVisibleYet is returned while a run listed as running may be the one that just
// stopped: visibility lags the history by moments, and the caller retries.
var ErrNotVisibleYet = errors.New("an earlier run of this export still shows as running")

// LastStopped implements activities.StoppedRuns.
func (f Finder) LastStopped(ctx context.Context, workflowID, exceptRun string) (activities.StoppedRun, bool, error) {
	newest, err := f.newestClosed(ctx, workflowID, exceptRun)
	if err != nil || newest == nil {
		return activities.StoppedRun{}, false, err
	}
	run := activities.StoppedRun{RunID: newest.GetExecution().GetRunId(), Status: statusName(newest.GetStatus()),
		Closed: newest.GetCloseTime().AsTime()}
	if newest.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		return run, true, nil
	}
	val, err := f.Client.QueryWorkflow(ctx, workflowID, run.RunID, QueryState)
	if err != nil {
		return activities.StoppedRun{}, false, fmt.Errorf("reading the state of run %s: %w", run.RunID, err)
	}
	if err := val.Get(&run.State); err != nil {
		return activities.StoppedRun{}, false, fmt.Errorf("decoding the state of run %s: %w", run.RunID, err)
	}
	return run, true, nil
}

// newestClosed is the run of workflowID that closed last, continued-as-new runs aside
// (the run they continued into holds their state).
func (f Finder) newestClosed(ctx context.Context, workflowID, exceptRun string) (*workflowpb.WorkflowExecutionInfo, error) {
	var newest *workflowpb.WorkflowExecutionInfo
	req := &workflowservice.ListWorkflowExecutionsRequest{Namespace: f.Namespace, Query: filterOf(workflowID)}
	for {
		resp, err := f.Client.ListWorkflow(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("listing runs of %s: %w", workflowID, err)
		}
		for _, info := range resp.GetExecutions() {
			switch st := info.GetStatus(); {
			case info.GetExecution().GetWorkflowId() != workflowID: // another id with the same start
			case info.GetExecution().GetRunId() == exceptRun, st == enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
			case st == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
				return nil, ErrNotVisibleYet
			case newest == nil || info.GetCloseTime().AsTime().After(newest.GetCloseTime().AsTime()):
				newest = info
			}
		}
		if len(resp.GetNextPageToken()) == 0 {
			return newest, nil
		}
		req.NextPageToken = resp.GetNextPageToken()
	}
}

// filterOf is the list filter for workflowID's runs. Temporal's SQLite visibility (the dev
// server) matches no id holding a backslash with '=', however it is escaped: such an id is
// listed by the part before its first backslash, and newestClosed skips the other ids.
func filterOf(workflowID string) string {
	prefix, _, found := strings.Cut(workflowID, `\`)
	if !found {
		return "WorkflowId = " + quote(workflowID)
	}
	return "WorkflowId STARTS_WITH " + quote(prefix)
}

// quote makes s a string literal of Temporal's list filter: a backslash escapes the next
// character there, so backslashes are escaped as well as quotes (an id ending in one
// would otherwise escape the closing quote).
func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func statusName(s enumspb.WorkflowExecutionStatus) string {
	switch s {
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return "Canceled"
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		return "Failed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return "Terminated"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return "TimedOut"
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return "Completed"
	}
	return s.String()
}
