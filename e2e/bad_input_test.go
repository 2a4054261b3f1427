package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestBadInputFailsOnFirstAttempt: input that can never succeed fails the workflow on
// Prepare's first attempt, with a non-retryable InvalidInput naming the field and what is
// allowed, and no page is ever scheduled. (activities.TestPrepareRejectsBadInput covers
// every kind of bad input; this proves the workflow does not retry them.)
func TestBadInputFailsOnFirstAttempt(t *testing.T) {
	_, url := serveSandbox(t, sandbox.Options{Records: 10})
	queue := "e2e-bad-input"
	w := startWorker(t, workerEnv(queue, url))
	cases := []struct {
		name string
		in   workflows.ExportInput
		want []string
	}{
		{"unknown resource", workflows.ExportInput{ExportID: "bad-resource", Provider: "clio", Resource: "invoices"},
			[]string{"invalid resource", `"invoices"`, "allowed:", "contacts"}},
		{"page size over the maximum", workflows.ExportInput{ExportID: "bad-page-size", Provider: "close", Resource: "lead", PageSize: 1000},
			[]string{"invalid page_size", "1000", "maximum for lead is 200"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := runExport(t, queue, c.in, 2*time.Minute)
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) {
				t.Fatalf("export ended with %v, want an ApplicationError\n%s", err, tail(w.output(), 10))
			}
			if appErr.Type() != activities.ErrInvalidInput || !appErr.NonRetryable() {
				t.Fatalf("type %q non-retryable %v, want %s non-retryable", appErr.Type(), appErr.NonRetryable(), activities.ErrInvalidInput)
			}
			for _, want := range c.want {
				if !strings.Contains(appErr.Error(), want) {
					t.Errorf("error does not say %q: %v", want, appErr)
				}
			}
			assertFailedOnFirstAttempt(t, c.in.ExportID)
		})
	}
}

// assertFailedOnFirstAttempt reads the history: Prepare started once, on attempt 1, failed
// non-retryable, no page was scheduled, and the workflow failed.
func assertFailedOnFirstAttempt(t *testing.T, workflowID string) {
	t.Helper()
	it := stack.client.GetWorkflowHistory(context.Background(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var scheduled []string
	started, failedNonRetryable, workflowFailed := 0, false, false
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch ev.GetEventType() {
		case enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			scheduled = append(scheduled, ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName())
		case enums.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			started++
			if a := ev.GetActivityTaskStartedEventAttributes().GetAttempt(); a != 1 {
				t.Errorf("activity started on attempt %d, want 1", a)
			}
		case enums.EVENT_TYPE_ACTIVITY_TASK_FAILED:
			info := ev.GetActivityTaskFailedEventAttributes().GetFailure().GetApplicationFailureInfo()
			failedNonRetryable = info.GetNonRetryable() && info.GetType() == activities.ErrInvalidInput
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
			workflowFailed = true
		}
	}
	if len(scheduled) != 1 || scheduled[0] != "Prepare" || started != 1 || !failedNonRetryable || !workflowFailed {
		t.Fatalf("history: scheduled %v, %d started, failed non-retryable InvalidInput %v, workflow failed %v; want Prepare once, on attempt 1, and nothing after",
			scheduled, started, failedNonRetryable, workflowFailed)
	}
}
