package exportclient

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/workflows"
)

// Status is where an export stands: its progress while it runs, its result or failure
// once it has ended. A closed run's outcome comes from its history, so no worker is needed.
type Status struct {
	ID        string
	Account   bool
	Running   bool
	Status    string // running, completed, failed, cancelled, terminated, timed out
	TaskQueue string
	StartedAt time.Time // the first run's start
	ClosedAt  time.Time
	// Failure is the cause of a failed, cancelled or terminated export, without the SDK's
	// layers.
	Failure string
	// Progress (or AccountProgress) is the progress query's answer, when one came.
	Progress        *workflows.Progress
	AccountProgress *workflows.AccountProgress
	QueryError      error
	Result          *workflows.ExportResult
	AccountResult   *workflows.AccountResult
}

// Ended reports whether the export finished without a manifest.
func (s Status) Ended() bool { return !s.Running && s.Status != "completed" }

// GetStatus looks an export up.
func GetStatus(ctx context.Context, c client.Client, id string) (Status, error) {
	desc, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return Status{}, fmt.Errorf("export %s: %w", id, err)
	}
	info := desc.GetWorkflowExecutionInfo()
	s := Status{ID: id, Account: info.GetType().GetName() == workflows.AccountWorkflowName, TaskQueue: info.GetTaskQueue(),
		Running: info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, Status: StatusWord(info.GetStatus())}
	if t := info.GetExecutionTime(); t != nil {
		s.StartedAt = t.AsTime()
	}
	if t := info.GetCloseTime(); t != nil && !s.Running {
		s.ClosedAt = t.AsTime()
	}
	if info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		s.query(ctx, c)
	}
	if s.Running {
		return s, nil
	}
	return s, s.outcome(ctx, c)
}

// query asks for progress, which a worker answers (for a closed run, by replaying it).
func (s *Status) query(ctx context.Context, c client.Client) {
	qctx, cancel := context.WithTimeout(ctx, answerTimeout)
	defer cancel()
	if s.Account {
		p, err := AccountProgress(qctx, c, s.ID)
		if err == nil {
			s.AccountProgress = &p
		}
		s.QueryError = err
	} else {
		p, err := Query(qctx, c, s.ID)
		if err == nil {
			s.Progress = &p
		}
		s.QueryError = err
	}
}

// outcome reads a closed export's result or failure from its history.
func (s *Status) outcome(ctx context.Context, c client.Client) error {
	var err error
	run := c.GetWorkflow(ctx, s.ID, "")
	if s.Account {
		var res workflows.AccountResult
		err = run.Get(ctx, &res)
		if err == nil {
			s.AccountResult = &res
		}
	} else {
		var res workflows.ExportResult
		err = run.Get(ctx, &res)
		if err == nil {
			s.Result = &res
			s.StartedAt = res.StartedAt
		}
	}
	if err != nil {
		if Transient(err) {
			return err
		}
		s.Failure = Describe(err)
	}
	return nil
}
