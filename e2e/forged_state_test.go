package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestForgedStateOnACronRunIsRefused: Temporal starts every cron run after the first with
// ContinuedExecutionRunID set and the first run's input. A state forged into that input
// (here a real state of the forger's own earlier export, with a start in 2099 and the
// prefix of another export's series) is refused on the second run as on the first, before
// any activity, and the series' watermark stays as it was.
func TestForgedStateOnACronRunIsRefused(t *testing.T) {
	_, url := serveSandbox(t, sandbox.Options{Records: 120, Seed: 25})
	queue := "e2e-forged-cron"
	w := startWorker(t, workerEnv(queue, url))
	victim := workflows.ExportInput{Provider: "clio", Resource: "contacts", Prefix: "forged-cron/victim", Incremental: true, PageSize: 50}
	if _, err := startAs(t, queue, "forged-cron-victim", victim, time.Minute); err != nil {
		t.Fatalf("victim export: %v\n%s", err, tail(w.output(), 20))
	}
	watermarkKey := "forged-cron/victim/watermark.json"
	before, err := stack.store.Get(context.Background(), watermarkKey)
	if err != nil {
		t.Fatal(err)
	}

	// The forger's own finished export: a folder it owns and a state that checks out.
	forger := "forged-cron-forger"
	own := workflows.ExportInput{Provider: "clio", Resource: "contacts", Prefix: "forged-cron/forger", PageSize: 50}
	if _, err := startAs(t, queue, forger, own, time.Minute); err != nil {
		t.Fatalf("forger's export: %v", err)
	}
	st := stateOf(t, forger)
	st.StartedAt = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	forged := workflows.ExportInput{Provider: "clio", Resource: "contacts", Prefix: victim.Prefix, Incremental: true, State: &st}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run, err := stack.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: forger, TaskQueue: queue, CronSchedule: "@every 1s",
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE}, workflows.WorkflowName, forged)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stack.client.TerminateWorkflow(context.Background(), forger, "", "test over") }()
	// A cron run closes as continued-as-new, with its failure, into the next run.
	first := closeEvent(ctx, t, forger, run.GetRunID()).GetWorkflowExecutionContinuedAsNewEventAttributes()
	second := first.GetNewExecutionRunId()
	if second == "" {
		t.Fatalf("the first cron run did not hand over to a cron run: %v", first)
	}
	ended := closeEvent(ctx, t, forger, second).GetWorkflowExecutionContinuedAsNewEventAttributes()
	if msg := ended.GetFailure().GetMessage(); !strings.Contains(msg, "state is set only by an export continuing as new") {
		t.Errorf("the second cron run ended with %q (%v), want the state refused", msg, ended)
	}
	if ran := activitiesOf(t, forger, second); len(ran) > 0 {
		t.Errorf("the second cron run ran %v", ran)
	}
	after, err := stack.store.Get(context.Background(), watermarkKey)
	if err != nil || string(after) != string(before) {
		t.Fatalf("the victim's watermark changed:\nbefore %s\nafter  %s (%v)", before, after, err)
	}
}

// stateOf is a closed export's last state, as its state query answers it.
func stateOf(t *testing.T, workflowID string) workflows.State {
	t.Helper()
	val, err := stack.client.QueryWorkflow(context.Background(), workflowID, "", workflows.QueryState)
	if err != nil {
		t.Fatal(err)
	}
	var st workflows.State
	if err := val.Get(&st); err != nil {
		t.Fatal(err)
	}
	if st.Base == "" || len(st.Partitions) == 0 {
		t.Fatalf("state of %s has no folder or partitions: %+v", workflowID, st)
	}
	return st
}

// closeEvent waits for a run's close event.
func closeEvent(ctx context.Context, t *testing.T, workflowID, runID string) *historypb.HistoryEvent {
	t.Helper()
	it := stack.client.GetWorkflowHistory(ctx, workflowID, runID, true, enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("waiting for run %s to close: %v", runID, err)
		}
		if ev.GetEventType() != enumspb.EVENT_TYPE_UNSPECIFIED {
			return ev
		}
	}
	t.Fatal(errors.New("no close event"))
	return nil
}

// activitiesOf names the activities a run scheduled.
func activitiesOf(t *testing.T, workflowID, runID string) []string {
	t.Helper()
	var names []string
	it := stack.client.GetWorkflowHistory(context.Background(), workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			names = append(names, a.GetActivityType().GetName())
		}
	}
	return names
}
