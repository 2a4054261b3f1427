package exportclient

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// flakyClient answers GetWorkflow with runs whose Get fails with errs in turn, then
// succeeds.
type flakyClient struct {
	client.Client
	errs  []error
	calls int
}

func (c *flakyClient) GetWorkflow(context.Context, string, string) client.WorkflowRun {
	c.calls++
	if len(c.errs) == 0 {
		return run{}
	}
	err := c.errs[0]
	c.errs = c.errs[1:]
	return run{err: err}
}

type run struct {
	client.WorkflowRun
	err error
}

func (r run) Get(context.Context, any) error { return r.err }

// TestAwaitResultOutlivesALostServer: while Temporal is unreachable the wait goes on;
// the export's own outcome ends it at once.
func TestAwaitResultOutlivesALostServer(t *testing.T) {
	c := &flakyClient{errs: []error{serviceerror.NewUnavailable("connection refused"), context.DeadlineExceeded}}
	if err := awaitResult(t.Context(), c, "x", nil); err != nil || c.calls != 3 {
		t.Fatalf("err %v after %d calls, want success on the third", err, c.calls)
	}
	failed := temporal.NewNonRetryableApplicationError("bad", "InvalidInput", nil)
	c = &flakyClient{errs: []error{failed}}
	if err := awaitResult(t.Context(), c, "x", nil); !errors.Is(err, failed) || c.calls != 1 {
		t.Fatalf("err %v after %d calls, want the export's failure at once", err, c.calls)
	}
}
