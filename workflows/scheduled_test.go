package workflows

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// TestScheduledRunNeverReplacesAFinishedExport: a schedule names its runs by the second,
// so a trigger in the same second as the last run gets that run's workflow id. The second
// run writes beside the first, which stays complete and verified; a run started by hand
// with a reused workflow id is refused unless it says replace, as documented.
func TestScheduledRunNeverReplacesAFinishedExport(t *testing.T) {
	store := storagetest.NewMemory()
	const workflowID = "nightly-2026-05-01T02:00:00Z"
	start := func(scheduled, replace bool, records int) *harness {
		t.Helper()
		h := newHarnessOn(t, records, store)
		h.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: workflowID})
		if scheduled {
			if err := h.env.SetTypedSearchAttributesOnStart(temporal.NewSearchAttributes(scheduledBy.ValueSet("nightly"))); err != nil {
				t.Fatal(err)
			}
		}
		in := input()
		in.ExportID, in.Replace = "", replace
		h.env.ExecuteWorkflow(Export, in)
		return h
	}
	run := func(scheduled, replace bool, records int) ExportResult {
		t.Helper()
		h := start(scheduled, replace, records)
		var res ExportResult
		if err := h.env.GetWorkflowResult(&res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	a := &activities.Activities{Store: store}
	ctx := context.Background()

	first := run(true, false, 35)
	if first.ExportID != ExportIDFrom(workflowID) {
		t.Fatalf("first scheduled run wrote export %q, want %q", first.ExportID, ExportIDFrom(workflowID))
	}
	second := run(true, false, 12)
	if !strings.HasPrefix(second.ExportID, first.ExportID+"-") || second.ManifestKey == first.ManifestKey {
		t.Fatalf("second run in the same second wrote %q (%s) over the first's %q", second.ExportID, second.ManifestKey, first.ExportID)
	}
	for _, r := range []ExportResult{first, second} {
		if err := a.Verify(ctx, r.ManifestKey); err != nil {
			t.Fatalf("%s no longer verifies: %v", r.ManifestKey, err)
		}
	}
	if first.Records != 35 || second.Records != 12 {
		t.Fatalf("records %d and %d, want 35 and 12", first.Records, second.Records)
	}

	refused := start(false, false, 7)
	var appErr *temporal.ApplicationError
	if err := refused.env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != activities.ErrInvalidInput {
		t.Fatalf("a run by hand without replace: %v, want InvalidInput", err)
	}
	if err := a.Verify(ctx, first.ManifestKey); err != nil {
		t.Fatalf("the refused run touched %s: %v", first.ManifestKey, err)
	}
	byHand := run(false, true, 7)
	if byHand.ExportID != first.ExportID || byHand.Records != 7 {
		t.Fatalf("a run by hand wrote %q with %d records, want it to replace %q", byHand.ExportID, byHand.Records, first.ExportID)
	}
	if err := a.Verify(ctx, byHand.ManifestKey); err != nil {
		t.Fatal(err)
	}
}
