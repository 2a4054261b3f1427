package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestHostileInputsTouchNothing: inputs a security review forged against an earlier build
// each fail on their first attempt with a non-retryable InvalidInput, the whole bucket is
// byte for byte what it was (the victim's pages, manifest, owner and watermark included),
// and the sandbox sees no request at a path a connector did not build.
func TestHostileInputsTouchNothing(t *testing.T) {
	sb, url := serveSandbox(t, sandbox.Options{Records: 300, Seed: 14})
	queue := "e2e-hostile"
	w := startWorker(t, workerEnv(queue, url))
	victim := workflows.ExportInput{Provider: "clio", Resource: "contacts", Incremental: true, PageSize: 100}
	if _, err := startAs(t, queue, "victim-contacts", victim, time.Minute); err != nil {
		t.Fatalf("victim export: %v\n%s", err, tail(w.output(), 20))
	}
	victimBase := "clio/contacts/victim-contacts"
	before := snapshot(t)
	if !strings.Contains(strings.Join(keysOf(before), " "), victimBase+"/manifest.json") || before["clio/contacts/watermark.json"] == "" {
		t.Fatalf("victim export left no manifest or watermark: %v", keysOf(before))
	}
	requests := sb.Stats().Providers["clio"].Requests

	forged := &workflows.State{Runs: 1, Resolved: activities.Resolved{Base: victimBase, ExportID: "victim-contacts",
		Plan: provider.Plan{Spec: provider.Spec{Resource: "../../../internal/admin", PageSize: 10}, MaxParallel: 100_000_000}},
		Partitions: []activities.Partition{{ID: 0}}}
	cases := []struct {
		name, workflowID string
		in               workflows.ExportInput
		want             string
	}{
		{"state into another tenant's folder", "forged-state", workflows.ExportInput{Provider: "clio", Resource: "contacts", Prefix: "clio/contacts", Parallelism: 32, State: forged},
			"state is set only by an export continuing as new"},
		{"state with a path for the API", "forged-path", workflows.ExportInput{Provider: "clever", Resource: "users", State: forged},
			"state is set only by an export continuing as new"},
		{"parallelism 2000", "wide", workflows.ExportInput{Provider: "close", Resource: "lead", Parallelism: 2000}, "invalid parallelism 2000"},
		{"resource climbing the API path", "climb", workflows.ExportInput{Provider: "clio", Resource: "../../../internal/admin"}, "invalid resource"},
		{"prefix holding every default export", "contacts", workflows.ExportInput{Provider: "clio", Resource: "contacts", Prefix: "clio", ExportID: "contacts"},
			"holds another export's folder or watermark"},
		{"folder inside the victim's", "inside", workflows.ExportInput{Provider: "clio", Resource: "contacts", Prefix: victimBase, ExportID: "data"},
			"inside the folder of export"},
		{"the victim's export id from another workflow", "thief", workflows.ExportInput{Provider: "clio", Resource: "contacts", ExportID: "victim-contacts"},
			`belongs to export workflow "victim-contacts"`},
		{"a key S3 refuses", "long-key", workflows.ExportInput{Provider: "clio", Resource: "contacts", Prefix: strings.Repeat("abcdefghi/", 300) + "x"},
			"over S3's 1024"},
		{"another resource on the victim's watermark", "matters-here", workflows.ExportInput{Provider: "clio", Resource: "matters", Prefix: "clio/contacts"},
			"holds the watermark of clio contacts"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := startAs(t, queue, c.workflowID, c.in, time.Minute)
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) || appErr.Type() != activities.ErrInvalidInput || !appErr.NonRetryable() {
				t.Fatalf("ended with %v, want a non-retryable %s\n%s", err, activities.ErrInvalidInput, tail(w.output(), 10))
			}
			if !strings.Contains(appErr.Error(), c.want) {
				t.Fatalf("error does not say %q: %v", c.want, appErr)
			}
			assertRefusedAtOnce(t, c.workflowID)
		})
	}
	after := snapshot(t)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed or vanished", k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("%s appeared", k)
		}
	}
	if got := sb.Stats().Providers["clio"].Requests; got != requests {
		t.Errorf("the hostile inputs made %d requests to Clio", got-requests)
	}
	if got := sb.Stats().Providers["clever"].Requests; got != 0 {
		t.Errorf("the hostile inputs made %d requests to Clever", got)
	}
}

// startAs starts an export under a chosen workflow id, as `temporal workflow start` would.
func startAs(t *testing.T, queue, workflowID string, in workflows.ExportInput, timeout time.Duration) (workflows.ExportResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	run, err := stack.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflowID, TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE}, workflows.WorkflowName, in)
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.ExportResult
	return res, run.Get(ctx, &res)
}

// assertRefusedAtOnce: the workflow failed with at most Prepare run, once, on attempt 1.
func assertRefusedAtOnce(t *testing.T, workflowID string) {
	t.Helper()
	it := stack.client.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var scheduled []string
	failed := false
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			scheduled = append(scheduled, ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName())
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			if a := ev.GetActivityTaskStartedEventAttributes().GetAttempt(); a != 1 {
				t.Errorf("activity started on attempt %d", a)
			}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
			failed = true
		}
	}
	if !failed || len(scheduled) > 1 || len(scheduled) == 1 && scheduled[0] != "Prepare" {
		t.Fatalf("history: scheduled %v, failed %v; want at most Prepare, then failure", scheduled, failed)
	}
}

// snapshot is every key of the bucket with its size, and a hash of the content of the
// victim's folder and watermark (reading every object earlier tests left would take minutes).
func snapshot(t *testing.T) map[string]string {
	t.Helper()
	ctx := context.Background()
	objs, err := stack.store.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string, len(objs))
	for _, o := range objs {
		if !strings.HasPrefix(o.Key, "clio/contacts/victim-contacts/") && o.Key != "clio/contacts/watermark.json" {
			out[o.Key] = fmt.Sprint(o.Size)
			continue
		}
		body, err := stack.store.Get(ctx, o.Key)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(body)
		out[o.Key] = fmt.Sprintf("%d:%s", len(body), hex.EncodeToString(sum[:8]))
	}
	return out
}

func keysOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
