package workflows

import (
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// The page loop's selector holds only what is still waiting, however long the run, and
// futures still fire in the order they become ready.
func TestLoopSelectorIsCompacted(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	type out struct {
		Order []int
		Most  int
	}
	env.ExecuteWorkflow(func(ctx workflow.Context) (out, error) {
		l := &pageLoop{ctx: ctx, sel: workflow.NewSelector(ctx)}
		var o out
		// Two at a time, the later one due first: 300 futures in all.
		for i := 0; i < 300; i += 2 {
			for j, wait := range []time.Duration{2 * time.Second, time.Second} {
				n := i + j
				l.await(workflow.NewTimer(ctx, wait), func(workflow.Future) { o.Order = append(o.Order, n) })
			}
			for range 2 {
				l.compact()
				o.Most = max(o.Most, len(l.cases))
				l.sel.Select(ctx)
			}
		}
		return o, nil
	})
	var got out
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	var want []int
	for i := 0; i < 300; i += 2 {
		want = append(want, i+1, i)
	}
	if !slices.Equal(got.Order, want) {
		t.Fatalf("fired in order %v…, want %v…", got.Order[:8], want[:8])
	}
	if got.Most > 2*64+2 {
		t.Fatalf("the selector held %d cases, want at most %d", got.Most, 2*64+2)
	}
}
