package exportclient

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/pagewise/pagewise/workflows"
)

// Resume starts a run that continues the stopped export workflowID: the input its last run
// was given, with resume set, under the same workflow id (so the same folder).
func Resume(ctx context.Context, c client.Client, taskQueue, workflowID string) (client.WorkflowRun, error) {
	desc, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", workflowID, err)
	}
	switch st := desc.GetWorkflowExecutionInfo().GetStatus(); st {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return nil, fmt.Errorf("export %s is still running: cancel it first, or let it finish", workflowID)
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return nil, fmt.Errorf("export %s completed: there is nothing to resume", workflowID)
	}
	in, err := lastInput(ctx, c, workflowID)
	if err != nil {
		return nil, err
	}
	in.State, in.Resume = nil, true
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflowID,
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, workflows.WorkflowName, in)
	if err != nil {
		return nil, fmt.Errorf("resuming export %s: %w", workflowID, err)
	}
	return run, nil
}

// lastInput is the input the latest run of workflowID started with.
func lastInput(ctx context.Context, c client.Client, workflowID string) (workflows.ExportInput, error) {
	var in workflows.ExportInput
	it := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !it.HasNext() {
		return in, fmt.Errorf("export %s has no history", workflowID)
	}
	ev, err := it.Next()
	if err != nil {
		return in, fmt.Errorf("reading export %s: %w", workflowID, err)
	}
	attrs := ev.GetWorkflowExecutionStartedEventAttributes()
	if attrs == nil {
		return in, errors.New("export " + workflowID + "'s history does not start with its input")
	}
	if err := converter.GetDefaultDataConverter().FromPayloads(attrs.GetInput(), &in); err != nil {
		return in, fmt.Errorf("export %s's input: %w", workflowID, err)
	}
	return in, nil
}
