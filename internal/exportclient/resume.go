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
		return nil, running(workflowID, desc.GetWorkflowExecutionInfo().GetStartTime().AsTime())
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return nil, hinted("to export it again from the start, use starter export with --replace",
			"export %s completed: there is nothing to resume", workflowID)
	}
	kind := desc.GetWorkflowExecutionInfo().GetType().GetName()
	var in any
	var opts client.StartWorkflowOptions
	switch kind {
	case workflows.AccountWorkflowName:
		var ai workflows.AccountInput
		err = lastInput(ctx, c, workflowID, &ai)
		ai.Resume = true
		in = ai
		opts = startOptions(workflowID, taskQueue, "Resume the "+ai.Provider+" account export", details(ai),
			map[string]any{"provider": ai.Provider, "resource": "account", "state": "started"})
	default:
		var ei workflows.ExportInput
		err = lastInput(ctx, c, workflowID, &ei)
		ei.State, ei.Resume = nil, true
		in, kind = ei, workflows.WorkflowName
		opts = startOptions(workflowID, taskQueue, Summary(ei), details(ei), Memo(ei))
	}
	if err != nil {
		return nil, err
	}
	run, err := c.ExecuteWorkflow(ctx, opts, kind, in)
	if err != nil {
		return nil, startError(workflowID, err)
	}
	return run, nil
}

// lastInput decodes the input the latest run of workflowID started with into in.
func lastInput(ctx context.Context, c client.Client, workflowID string, in any) error {
	it := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !it.HasNext() {
		return fmt.Errorf("export %s has no history", workflowID)
	}
	ev, err := it.Next()
	if err != nil {
		return fmt.Errorf("reading export %s: %w", workflowID, err)
	}
	attrs := ev.GetWorkflowExecutionStartedEventAttributes()
	if attrs == nil {
		return errors.New("export " + workflowID + "'s history does not start with its input")
	}
	if err := converter.GetDefaultDataConverter().FromPayloads(attrs.GetInput(), in); err != nil {
		return fmt.Errorf("export %s's input: %w", workflowID, err)
	}
	return nil
}
