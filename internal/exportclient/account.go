package exportclient

import (
	"context"
	"fmt"
	"io"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/workflows"
)

// AccountWorkflowID is an account export's workflow id: its export id, defaulting to
// provider-account (provider-credential-account for a named credential).
func AccountWorkflowID(in workflows.AccountInput) string {
	switch {
	case in.ExportID != "":
		return in.ExportID
	case in.Credential != "":
		return in.Provider + "-" + in.Credential + "-account"
	}
	return in.Provider + "-account"
}

// StartAccount starts an account export, refusing an id that runs or, without replace,
// completed (as Start does).
func StartAccount(ctx context.Context, c client.Client, taskQueue string, in workflows.AccountInput) (client.WorkflowRun, error) {
	id := AccountWorkflowID(in)
	if in.ExportID == "" {
		in.ExportID = id
	}
	if !in.DryRun {
		if err := checkRerun(ctx, c, id, in.Replace || in.Resume); err != nil {
			return nil, err
		}
	}
	memo := map[string]any{"provider": in.Provider, "resource": "account", "state": "started"}
	summary := "Export the " + in.Provider + " account"
	if in.DryRun {
		summary = "List the " + in.Provider + " account's resources"
	}
	run, err := c.ExecuteWorkflow(ctx, startOptions(id, taskQueue, summary, details(in), memo), workflows.AccountWorkflowName, in)
	if err != nil {
		return nil, startError(id, err)
	}
	return run, nil
}

// AccountProgress is the account's own progress with the records of its running
// resources added, as each one's progress query answers.
func AccountProgress(ctx context.Context, c client.Client, workflowID string) (workflows.AccountProgress, error) {
	var p workflows.AccountProgress
	v, err := c.QueryWorkflow(ctx, workflowID, "", workflows.QueryProgress)
	if err != nil {
		return p, err
	}
	if err := v.Get(&p); err != nil {
		return p, err
	}
	for i, e := range p.Resources {
		if e.Status != workflows.ResourceRunning {
			continue
		}
		rp, err := Query(ctx, c, e.WorkflowID)
		if err != nil {
			continue // not started yet, or its worker is restarting
		}
		p.Resources[i].Records, p.Resources[i].Pages = rp.Records, rp.Pages
		p.Records += rp.Records
		p.Pages += rp.Pages
	}
	return p, nil
}

// RenderAccount is one line of an account's progress.
func RenderAccount(p workflows.AccountProgress, rate float64) string {
	running := 0
	for _, e := range p.Resources {
		if e.Status == workflows.ResourceRunning {
			running++
		}
	}
	return fmt.Sprintf("%s %d/%d resources (%d running, %d failed), %d records, %d pages, %.0f rec/s",
		p.Phase, p.Done, p.Total, running, p.Failed, p.Records, p.Pages, rate)
}

// FollowAccount waits for an account export to end, printing its progress as Follow does.
func FollowAccount(ctx context.Context, c client.Client, workflowID string, out io.Writer, tty bool) (workflows.AccountResult, error) {
	var res workflows.AccountResult
	var meter rateMeter
	err := follow(ctx, c, workflowID, &res, out, tty, func(ctx context.Context) (string, error) {
		p, err := AccountProgress(ctx, c, workflowID)
		if err != nil {
			return "", err
		}
		return RenderAccount(p, meter.add(time.Now(), p.Records)), nil
	})
	return res, err
}

// IsAccount reports whether workflowID's latest run is an account export.
func IsAccount(ctx context.Context, c client.Client, workflowID string) (bool, error) {
	desc, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		return false, fmt.Errorf("export %s: %w", workflowID, err)
	}
	return desc.GetWorkflowExecutionInfo().GetType().GetName() == workflows.AccountWorkflowName, nil
}
