package runs

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/internal/testkit/devstack"
)

// TestRunsOfTrickyWorkflowIDs: on a real Temporal dev server, the newest stopped run of a
// workflow id holding quotes and backslashes is found, and it is that id's own run, not
// one of an id it starts with; a backslash at the end once escaped the query's closing
// quote and the listing failed.
func TestRunsOfTrickyWorkflowIDs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	bin, err := devstack.FindTool("temporal")
	if err != nil {
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{Bin: bin})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Stop() }()
	c, err := client.DialContext(ctx, client.Options{HostPort: srv.Addr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Each id is stopped before any id it starts with, so a listing by its start sees newer runs.
	ids := []string{`\\'`, `victim\copy`, `victim`, `ends-in\`, `it's`, `a\'b`, `x\' OR WorkflowId = \'victim`}
	runOf := map[string]string{}
	for _, id := range ids {
		// No worker polls the queue: the run waits until it is terminated.
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "nobody"}, "Export")
		if err != nil {
			t.Fatal(err)
		}
		if err := c.TerminateWorkflow(ctx, id, run.GetRunID(), "test"); err != nil {
			t.Fatal(err)
		}
		runOf[id] = run.GetRunID()
	}
	f := Finder{Client: c, Namespace: "default"}
	for _, id := range ids {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		tick := time.NewTicker(100 * time.Millisecond)
		for {
			info, err := f.newestClosed(ctx, id, "")
			if err == nil && info != nil {
				if got := info.GetExecution(); got.GetWorkflowId() != id || got.GetRunId() != runOf[id] {
					t.Errorf("runs of %q: found %q run %s, want run %s", id, got.GetWorkflowId(), got.GetRunId(), runOf[id])
				}
				break
			}
			if err != nil && !errors.Is(err, ErrNotVisibleYet) {
				t.Fatalf("runs of %q: %v", id, err)
			}
			select { // visibility lags the history: poll until it shows the stopped run
			case <-ctx.Done():
				t.Fatalf("runs of %q never showed: %v", id, err)
			case <-tick.C:
			}
		}
		tick.Stop()
	}
}
