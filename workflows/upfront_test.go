package workflows

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// totallessFake pages like Attio: no totals, and it says so (provider.Totalless).
type totallessFake struct{ *fakeConnector }

func (totallessFake) Totalless(plan provider.Plan) bool {
	return plan.Strategy == provider.StrategyOffset
}

// countedWindows is the window fake with a provider count, counting the asks.
type countedWindows struct {
	*windowConnector
	asked int
}

func (c *countedWindows) Count(context.Context, provider.Plan) (int, bool, error) {
	c.asked++
	return len(c.created), true, nil
}

// stateAfter runs an export to its end and answers its state query.
func stateAfter(t *testing.T, conn provider.Connector, in ExportInput, upfront bool) (*harness, State) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	h := &harness{env: suite.NewTestWorkflowEnvironment(), store: storagetest.NewMemory()}
	h.env.RegisterWorkflowWithOptions(Export, workflow.RegisterOptions{Name: WorkflowName})
	h.env.RegisterActivity(&activities.Activities{Providers: fakeProviders{conn}, Store: h.store})
	h.env.SetTestTimeout(time.Minute)
	if !upfront { // as runs recorded before it
		h.env.OnGetVersion(planUpfrontChange, workflow.DefaultVersion, planUpfrontVersion).Return(workflow.DefaultVersion)
	}
	h.env.ExecuteWorkflow(Export, in)
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	v, err := h.env.QueryWorkflow(QueryState)
	if err != nil {
		t.Fatal(err)
	}
	var st State
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return h, st
}

// TestStridesArePlannedBeforeTheFirstPage: offset pages without totals interleave from
// the start, so partition 0 begins as one of the strides (it has a start of its own to
// resume from); before, it was planned after its first page, which then had none.
func TestStridesArePlannedBeforeTheFirstPage(t *testing.T) {
	in := input()
	in.Parallelism = 4
	for _, upfront := range []bool{true, false} {
		h, st := stateAfter(t, totallessFake{&fakeConnector{n: 1_003, noTotal: true}}, in, upfront)
		assertExact(t, h.storedIDs(t), 1_003)
		first := st.Partitions[0].Start
		switch {
		case upfront && (first == nil || first.Stride != 4 || first.Offset != 0):
			t.Fatalf("planned upfront, partition 0 starts at %+v", first)
		case !upfront && first != nil:
			t.Fatalf("planned after the first page, partition 0 starts at %+v", first)
		}
	}
}

// TestWindowsArePlannedBeforeTheFirstPage: a window with both bounds is cut at once, and
// the provider's count at the start, which the first page would have brought, is asked
// for beside the pages.
func TestWindowsArePlannedBeforeTheFirstPage(t *testing.T) {
	in := input()
	in.Parallelism = 4
	for _, upfront := range []bool{true, false} {
		conn := &countedWindows{windowConnector: newWindowConnector(600)}
		h, st := stateAfter(t, conn, in, upfront)
		assertExact(t, h.storedIDs(t), 600)
		// Asked at the end always; at the start only when no first page came before the plan.
		want := 1
		if upfront {
			want = 2
		}
		if conn.asked != want {
			t.Fatalf("upfront %v: count asked %d times, want %d", upfront, conn.asked, want)
		}
		if upfront && (!st.CountAtStart.Known || st.CountAtStart.Total != 600) {
			t.Fatalf("count at start %+v", st.CountAtStart)
		}
	}
}
