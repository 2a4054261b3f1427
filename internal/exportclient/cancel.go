package exportclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// Cancel asks a running export to stop and says so. An export that has already ended is
// an error, as kill(1) of a process that has exited: nothing was cancelled.
func Cancel(ctx context.Context, c client.Client, id string) (string, error) {
	desc, err := c.DescribeWorkflowExecution(ctx, id, "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return "", hinted("starter progress ID and the Web UI list exports by id", "no export %q", id)
	}
	if err != nil {
		return "", fmt.Errorf("export %s: %w", id, err)
	}
	info := desc.GetWorkflowExecutionInfo()
	if st := info.GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return "", hinted("nothing was cancelled", "export %s already %s at %s", id, StatusWord(st), info.GetCloseTime().AsTime().UTC().Format(time.RFC3339))
	}
	if err := c.CancelWorkflow(ctx, id, ""); err != nil {
		return "", fmt.Errorf("cancelling export %s: %w", id, err)
	}
	return fmt.Sprintf("cancel requested for export %s: pages in flight stop, checkpoint.json records where it stopped; starter progress %s shows when it has", id, id), nil
}

// StatusWord is a closed run's status as a past participle: completed, failed, …
func StatusWord(st enumspb.WorkflowExecutionStatus) string {
	switch st {
	case enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		return "continued as new"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return "cancelled"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return "timed out"
	}
	return strings.ToLower(strings.TrimPrefix(st.String(), "WORKFLOW_EXECUTION_STATUS_"))
}
