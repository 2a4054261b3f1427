// Package exportclient starts exports and follows their progress; the starter CLI and
// the demo share it.
package exportclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
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

// Start starts an export. It refuses an id that is running (the new flags would be lost
// on the old run) and, without in.Replace, one that completed: its folder holds the last
// verified export, which a re-run would clear (the worker refuses that too).
func Start(ctx context.Context, c client.Client, taskQueue string, in workflows.ExportInput) (client.WorkflowRun, error) {
	id := WorkflowID(in)
	if in.ExportID == "" {
		in.ExportID = id
	}
	if err := checkRerun(ctx, c, id, in.Replace || in.Resume); err != nil {
		return nil, err
	}
	opts := startOptions(id, taskQueue, Summary(in), details(in), Memo(in))
	run, err := c.ExecuteWorkflow(ctx, opts, workflows.WorkflowName, in)
	if err != nil {
		return nil, startError(id, err)
	}
	return run, nil
}

// startOptions are an export's: one run per id at a time, what the Web UI shows.
func startOptions(id, taskQueue, summary, details string, memo map[string]any) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		// Without it the SDK hands back the running run, and the new input is dropped.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		StaticSummary:                            summary,
		StaticDetails:                            details,
		Memo:                                     memo,
	}
}

// checkRerun refuses an id whose latest run is running, or completed unless replace.
func checkRerun(ctx context.Context, c client.Client, id string, replace bool) error {
	desc, err := c.DescribeWorkflowExecution(ctx, id, "")
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		return nil
	case err != nil:
		return fmt.Errorf("looking up export %s: %w", id, err)
	}
	info := desc.GetWorkflowExecutionInfo()
	switch info.GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return running(id, info.GetStartTime().AsTime())
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		if replace {
			return nil
		}
		return hinted("to export it again into the same folder, add --replace (the completed export is deleted when the new run starts); or give another --export-id",
			"export %s already completed at %s: its folder holds a verified export", id, info.GetCloseTime().AsTime().UTC().Format(time.RFC3339))
	}
	return nil
}

func running(id string, since time.Time) *Error {
	at := ""
	if !since.IsZero() {
		at = " since " + since.UTC().Format(time.RFC3339)
	}
	return hinted(fmt.Sprintf("follow it with `starter progress %s`, or cancel it with `starter cancel %s` and start again", id, id),
		"export %s is already running%s; nothing was started", id, at)
}

// startError names a run that started between the check and the start.
func startError(id string, err error) error {
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return running(id, time.Time{})
	}
	return fmt.Errorf("starting export %s: %w", id, err)
}

// Memo is what the Web UI and `temporal workflow describe` show of an export before it
// has run; the workflow adds its state and counts as it goes.
func Memo(in workflows.ExportInput) map[string]any {
	m := map[string]any{"provider": in.Provider, "resource": in.Resource, "state": "started"}
	if in.Credential != "" {
		m["credential"] = in.Credential
	}
	return m
}

// Summary is the export as one line: the Web UI's summary of the workflow.
func Summary(in workflows.ExportInput) string {
	var opts []string
	if in.Incremental {
		opts = append(opts, "incremental")
	}
	if in.Resume {
		opts = append(opts, "resumed")
	}
	if in.Parallelism > 1 {
		opts = append(opts, fmt.Sprintf("%d partitions", in.Parallelism))
	}
	s := fmt.Sprintf("Export %s %s", in.Provider, in.Resource)
	if in.Credential != "" {
		s = fmt.Sprintf("Export %s (%s) %s", in.Provider, in.Credential, in.Resource)
	}
	if len(opts) > 0 {
		s += " (" + strings.Join(opts, ", ") + ")"
	}
	return s
}

// details is the input as the Web UI's details: Markdown around its JSON.
func details(in any) string {
	b, err := json.MarshalIndent(in, "", "  ")
	if err != nil {
		return ""
	}
	return "Input:\n\n```json\n" + string(b) + "\n```\n\nProgress: `starter progress <id>`, or the `progress` query."
}
