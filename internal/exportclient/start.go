// Package exportclient starts exports and follows their progress; the starter CLI and
// the demo share it.
package exportclient

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/workflows"
)

// WorkflowID is the documented convention: the export id itself, defaulting to
// provider-resource, so starting the same export twice cannot run it twice at once.
func WorkflowID(in workflows.ExportInput) string {
	if in.ExportID != "" {
		return in.ExportID
	}
	return in.Provider + "-" + in.Resource
}

// Start starts an export, or fails if one with the same id is running.
func Start(ctx context.Context, c client.Client, taskQueue string, in workflows.ExportInput) (client.WorkflowRun, error) {
	if in.ExportID == "" {
		in.ExportID = WorkflowID(in)
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       WorkflowID(in),
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, workflows.WorkflowName, in)
	if err != nil {
		return nil, fmt.Errorf("starting export %s: %w", WorkflowID(in), err)
	}
	return run, nil
}
