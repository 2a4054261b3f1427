package workflows

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

type harness struct {
	env   *testsuite.TestWorkflowEnvironment
	store *storagetest.Memory
	conn  *fakeConnector
}

func newHarness(t *testing.T, records int) *harness {
	return newHarnessOn(t, records, storagetest.NewMemory())
}

// newHarnessOn runs against store, so several workflows can share a bucket.
func newHarnessOn(t *testing.T, records int, store *storagetest.Memory) *harness {
	var suite testsuite.WorkflowTestSuite
	h := &harness{env: suite.NewTestWorkflowEnvironment(), store: store, conn: &fakeConnector{n: records}}
	h.env.RegisterWorkflowWithOptions(Export, workflow.RegisterOptions{Name: WorkflowName})
	h.env.RegisterActivity(&activities.Activities{Providers: fakeProviders{h.conn}, Store: h.store})
	h.env.SetTestTimeout(time.Minute)
	return h
}

func input() ExportInput {
	return ExportInput{ExportID: "t1", Provider: "fake", Resource: "items", PageSize: 10}
}

// storedIDs reads every page object back and returns the ids in key order.
func (h *harness) storedIDs(t *testing.T) []int {
	t.Helper()
	objs, err := h.store.List(context.Background(), "fake/items/t1/data/")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, o := range objs {
		body, _ := h.store.Get(context.Background(), o.Key)
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(zr)
		for line := range strings.SplitSeq(strings.TrimSpace(string(raw)), "\n") {
			var rec struct{ ID int }
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("%s: %v", o.Key, err)
			}
			ids = append(ids, rec.ID)
		}
	}
	return ids
}

func TestExportPagesToTheEndAndWritesManifest(t *testing.T) {
	h := newHarness(t, 35)
	h.env.ExecuteWorkflow(Export, input())
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res ExportResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Pages != 4 || res.Records != 35 || res.ManifestKey != "fake/items/t1/manifest.json" {
		t.Fatalf("result = %+v, want 4 pages, 35 records, manifest fake/items/t1/manifest.json", res)
	}
	ids := h.storedIDs(t)
	if len(ids) != 35 {
		t.Fatalf("stored %d records, want 35", len(ids))
	}
	for i, id := range ids {
		if id != i+1 {
			t.Fatalf("record %d has id %d, want %d", i, id, i+1)
		}
	}
	body, err := h.store.Get(context.Background(), res.ManifestKey)
	if err != nil {
		t.Fatal(err)
	}
	var m activities.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Objects) != 4 || m.Records != 35 || m.Objects[3].Records != 5 || m.Objects[0].SHA256 == "" {
		t.Fatalf("manifest = %+v", m)
	}
}

func TestExactMultipleEndsWithoutEmptyObject(t *testing.T) {
	h := newHarness(t, 30)
	h.env.ExecuteWorkflow(Export, input())
	var res ExportResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Pages != 3 || res.Records != 30 {
		t.Fatalf("result = %+v, want 3 pages of 30 records", res)
	}
}

func TestEmptyResourceFinishesWithEmptyManifest(t *testing.T) {
	h := newHarness(t, 0)
	h.env.ExecuteWorkflow(Export, input())
	var res ExportResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Pages != 0 || res.Records != 0 || res.ManifestKey == "" {
		t.Fatalf("result = %+v, want an empty export with a manifest", res)
	}
}

func TestContinueAsNewCarriesPositionAndTotals(t *testing.T) {
	h := newHarness(t, 100)
	in := input()
	in.PagesPerRun = 3
	h.env.ExecuteWorkflow(Export, in)
	next := continuedInput(t, h.env.GetWorkflowError())
	if next.State == nil || len(next.State.Partitions) != 1 {
		t.Fatalf("continue-as-new input has no state: %+v", next)
	}
	p := next.State.Partitions[0]
	if p.Position.Offset != 30 || p.Pages != 3 || p.Records != 30 || p.Done || next.State.Runs != 1 {
		t.Fatalf("carried partition = %+v runs=%d, want offset 30, 3 pages, 30 records", p, next.State.Runs)
	}

	// The next run picks up where the first stopped and finishes the export.
	h2 := newHarness(t, 100)
	h2.store = h.store
	h2.env.RegisterActivity(&activities.Activities{Providers: fakeProviders{h2.conn}, Store: h.store})
	next.PagesPerRun = 100
	h2.env.SetContinuedExecutionRunID(next.State.From) // the state is this export's own
	h2.env.ExecuteWorkflow(Export, next)
	var res ExportResult
	if err := h2.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Records != 100 || res.Pages != 10 || res.Runs != 2 {
		t.Fatalf("result = %+v, want 100 records in 10 pages over 2 runs", res)
	}
}

func TestContinueAsNewWhenServerSuggests(t *testing.T) {
	h := newHarness(t, 2_000)
	h.env.SetContinueAsNewSuggested(true)
	h.env.ExecuteWorkflow(Export, input())
	next := continuedInput(t, h.env.GetWorkflowError())
	if got := next.State.Partitions[0].Pages; got != localTaskPages {
		t.Fatalf("continued after %d pages, want %d (as soon as suggested: after the first batch)", got, localTaskPages)
	}
}

func TestNonRetryableActivityErrorFailsWithItsMessage(t *testing.T) {
	h := newHarness(t, 100)
	h.conn.failAt = 20
	h.conn.fail = &provider.Error{Provider: "fake", Resource: "items", Status: 401, Message: "token revoked"}
	h.env.ExecuteWorkflow(Export, input())
	err := h.env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activities.ErrProvider || !appErr.NonRetryable() {
		t.Fatalf("error = %v, want a non-retryable %s", err, activities.ErrProvider)
	}
	if !strings.Contains(err.Error(), "fake items: HTTP 401: token revoked") {
		t.Fatalf("error %q does not carry the API's message", err)
	}
	if _, err := h.store.Get(context.Background(), "fake/items/t1/manifest.json"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a failed export left a manifest (err=%v)", err)
	}
	if _, err := h.store.Get(context.Background(), "fake/items/t1/checkpoint.json"); err != nil {
		t.Fatalf("a failed export left no checkpoint: %v", err)
	}
}

func TestInvalidInputFailsBeforeAnyPage(t *testing.T) {
	h := newHarness(t, 100)
	in := input()
	in.Resource = "nope"
	h.env.ExecuteWorkflow(Export, in)
	err := h.env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activities.ErrInvalidInput || !strings.Contains(err.Error(), "allowed: items") {
		t.Fatalf("error = %v, want InvalidInput naming the allowed resources", err)
	}
}

func TestProgressQueryReportsPositionAndCounts(t *testing.T) {
	h := newHarness(t, 1_050) // a batch of 100 pages, then one of 5
	var seen []Progress
	h.onPage(func() {
		v, err := h.env.QueryWorkflow(QueryProgress)
		if err != nil {
			t.Error(err)
			return
		}
		var p Progress
		if err := v.Get(&p); err != nil {
			t.Error(err)
		}
		seen = append(seen, p)
	})
	h.env.ExecuteWorkflow(Export, input())
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if len(seen) == 0 {
		t.Fatal("no progress observed")
	}
	v, err := h.env.QueryWorkflow(QueryProgress)
	if err != nil {
		t.Fatal(err)
	}
	var last Progress
	if err := v.Get(&last); err != nil {
		t.Fatal(err)
	}
	if last.Phase != PhaseDone || last.Records != 1_050 || last.Pages != 105 || last.Total != 1_050 {
		t.Fatalf("final progress = %+v", last)
	}
	mid := seen[1] // the listener runs before the workflow applies the batch it reports
	if mid.Phase != PhaseExporting || mid.Records != 1_000 || mid.Position.Offset != 1_000 {
		t.Fatalf("progress after the first batch = %+v, want 1000 records at offset 1000", mid)
	}
}

func continuedInput(t *testing.T, err error) ExportInput {
	t.Helper()
	var can *workflow.ContinueAsNewError
	if !errors.As(err, &can) {
		t.Fatalf("workflow ended with %v, want continue-as-new", err)
	}
	var next ExportInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	return next
}

// onPage calls f after every page fetched as an activity, and every local batch of pages.
func (h *harness) onPage(f func()) {
	h.env.SetOnActivityCompletedListener(func(info *activity.Info, _ converter.EncodedValue, _ error) {
		if info.ActivityType.Name == "FetchPage" {
			f()
		}
	})
	// Only pages run locally; the test environment names them by their wrapper.
	h.env.SetOnLocalActivityCompletedListener(func(*activity.Info, converter.EncodedValue, error) { f() })
}
