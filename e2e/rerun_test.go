package e2e

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestRerunNeverDestroysAVerifiedExport is the scenario: an export completes, the
// same id is started again (as `temporal workflow start` does, past the starter's own
// check) and that run is cancelled. The verified export must be left exactly as it was:
// the worker refuses to clear its folder without replace. Then replace exports again.
func TestRerunNeverDestroysAVerifiedExport(t *testing.T) {
	const total, queue, id = 2000, "e2e-rerun", "rerun-kept"
	sb, url := serveSandbox(t, sandbox.Options{Records: total, Seed: 31})
	w := startWorker(t, workerEnv(queue, url))
	in := workflows.ExportInput{ExportID: id, Provider: "clio", Resource: "contacts", PageSize: 100}
	first, err := startAs(t, queue, id, in, 3*time.Minute)
	if err != nil {
		t.Fatalf("first export: %v\n%s", err, tail(w.output(), 20))
	}
	before := folder(t, "clio/contacts/"+id+"/")
	// The starter refuses it before starting anything.
	if _, err := exportclient.Start(context.Background(), stack.client, queue, in); err == nil || !strings.Contains(err.Error(), "already completed") {
		t.Fatalf("starter: %v, want a refusal", err)
	}

	for _, cancel := range []bool{false, true} {
		ctx, stop := context.WithTimeout(context.Background(), 2*time.Minute)
		run, err := stack.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE}, workflows.WorkflowName, in)
		if err != nil {
			t.Fatal(err)
		}
		if cancel {
			if err := stack.client.CancelWorkflow(ctx, id, run.GetRunID()); err != nil {
				t.Fatal(err)
			}
		}
		err = run.Get(ctx, nil)
		stop()
		var app *temporal.ApplicationError
		var cancelled *temporal.CanceledError
		switch {
		case errors.As(err, &app):
			if app.Type() != activities.ErrInvalidInput || !strings.Contains(app.Message(), "already completed") || !strings.Contains(app.Message(), "replace") {
				t.Fatalf("re-run failed with %v, want InvalidInput naming replace", err)
			}
		case cancel && errors.As(err, &cancelled):
		default:
			t.Fatalf("re-run (cancel %v) ended with %v, want it refused", cancel, err)
		}
		if after := folder(t, "clio/contacts/"+id+"/"); !reflect.DeepEqual(after, before) {
			t.Fatalf("the re-run (cancel %v) changed the verified export:\nbefore %v\nafter  %v", cancel, before, after)
		}
	}
	_, recs := readBack(t, first.ManifestKey)
	assertExactly(t, sb, "clio", "contacts", recs)

	in.Replace = true
	res, err := startAs(t, queue, id, in, 3*time.Minute)
	if err != nil {
		t.Fatalf("with replace: %v", err)
	}
	if !res.StartedAt.After(first.StartedAt) {
		t.Fatalf("replace kept the old export (started %v, first %v)", res.StartedAt, first.StartedAt)
	}
	_, recs = readBack(t, res.ManifestKey)
	assertExactly(t, sb, "clio", "contacts", recs)
}

// folder is every object under prefix: key, size and ETag (the body's MD5).
func folder(t *testing.T, prefix string) map[string]storage.Object {
	t.Helper()
	objs, err := stack.store.List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) == 0 {
		t.Fatalf("nothing under %s", prefix)
	}
	m := map[string]storage.Object{}
	for _, o := range objs {
		m[o.Key] = o
	}
	return m
}
