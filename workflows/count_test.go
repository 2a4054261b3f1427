package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// TestManifestReconcilesWithTheProvidersCount: the provider's count at the start and the
// end go into the manifest beside the exported count; outside their range the export warns,
// or with reconcile "fail" ends with CountMismatch and no manifest.
func TestManifestReconcilesWithTheProvidersCount(t *testing.T) {
	cases := []struct {
		name      string
		counts    []int
		reconcile string
		within    bool
		fails     bool
	}{
		// counts: what the first page reports, then what the provider counts at the end.
		{"agrees", []int{35, 35}, "", true, false},
		{"records added meanwhile", []int{30, 40}, "fail", true, false},
		{"disagrees, warned", []int{50, 50}, "", false, false},
		{"disagrees, failed", []int{50, 50}, "fail", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := storagetest.NewMemory()
			conn := &countingConnector{fakeConnector: &fakeConnector{n: 35, reportTotal: c.counts[0]}, counts: c.counts[1:]}
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			env.RegisterWorkflowWithOptions(Export, workflow.RegisterOptions{Name: WorkflowName})
			env.RegisterActivity(&activities.Activities{Providers: fakeProviders{conn}, Store: store})
			env.SetTestTimeout(time.Minute)
			in := input()
			in.Reconcile = c.reconcile
			env.ExecuteWorkflow(Export, in)
			body, getErr := store.Get(context.Background(), "fake/items/t1/manifest.json")
			if c.fails {
				var appErr *temporal.ApplicationError
				if err := env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != activities.ErrReconciliation {
					t.Fatalf("got %v, want %s", err, activities.ErrReconciliation)
				}
				if getErr == nil {
					t.Fatal("a manifest was written for an export that failed reconciliation")
				}
				return
			}
			if err := env.GetWorkflowError(); err != nil {
				t.Fatal(err)
			}
			var m activities.Manifest
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatal(err)
			}
			pc := m.ProviderCount
			if pc == nil || pc.AtStart != c.counts[0] || pc.AtEnd != c.counts[1] || pc.Exported != 35 || pc.Within != c.within {
				t.Fatalf("provider_count %+v, want %v around 35 exported, within %v", pc, c.counts, c.within)
			}
		})
	}
}
