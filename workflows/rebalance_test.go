package workflows

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// exportAll runs in to the end against conn, each continued run in a fresh environment
// sharing the bucket, and returns the result and how many runs it took. setup, when set,
// adjusts each environment before its run.
func exportAll(t *testing.T, conn provider.Connector, in ExportInput, setup func(*testsuite.TestWorkflowEnvironment)) (*harness, ExportResult, int) {
	t.Helper()
	store := storagetest.NewMemory()
	for runs := 1; runs <= 50; runs++ {
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestWorkflowEnvironment()
		env.RegisterWorkflowWithOptions(Export, workflow.RegisterOptions{Name: WorkflowName})
		env.RegisterActivity(&activities.Activities{Providers: fakeProviders{conn}, Store: store})
		env.SetTestTimeout(time.Minute)
		if in.State != nil {
			env.SetContinuedExecutionRunID(in.State.From)
		}
		if setup != nil {
			setup(env)
		}
		env.ExecuteWorkflow(Export, in)
		h := &harness{env: env, store: store}
		if err := env.GetWorkflowError(); err != nil {
			in = continuedInput(t, err)
			continue
		}
		var res ExportResult
		if err := env.GetWorkflowResult(&res); err != nil {
			t.Fatal(err)
		}
		return h, res, runs
	}
	t.Fatal("export still running after 50 runs")
	return nil, ExportResult{}, 0
}

// recordsByPartition counts the stored records of each partition that wrote any.
func recordsByPartition(t *testing.T, h *harness) map[string]int {
	t.Helper()
	objs, err := h.store.List(context.Background(), "fake/items/t1/data/")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, o := range objs {
		head, err := h.store.Head(context.Background(), o.Key)
		if err != nil {
			t.Fatal(err)
		}
		part := o.Key[strings.Index(o.Key, "/part-")+1:]
		part = part[:strings.Index(part, "/")]
		got[part] += atoi(head.Metadata["records"])
	}
	return got
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// Records crowded into a tenth of the time range: equal spans put them all in one of four
// partitions, and rebalancing cuts that one for the slots the empty ones free, in every
// run (the export continues as new twice on the way).
func TestSkewedWindowsAreRebalancedAndExact(t *testing.T) {
	const n = 1_000
	in := input()
	in.Parallelism, in.PagesPerRun = 4, 45
	conn := newWindowConnector(n)
	h, res, runs := exportAll(t, conn, in, nil)
	assertExact(t, h.storedIDs(t), n)
	parts := recordsByPartition(t, h)
	if res.Records != n || runs < 2 || len(parts) < 4 {
		t.Fatalf("%d records in %d runs, written by %d partitions %v; want %d over several runs from at least 4 partitions",
			res.Records, runs, len(parts), parts, n)
	}
	// Each cut costs at most a page that finds nothing, not a page fetched twice.
	if got := conn.pages.Load(); got > int64(n/10+len(parts)+20) {
		t.Fatalf("%d pages fetched for %d records of 10: cuts cost too much", got, n)
	}
}

// Without rebalancing (runs recorded before it), the same export keeps its equal spans:
// every record lands in one partition. This is what the test above must beat.
func TestSkewedWindowsWithoutRebalancingStayInOnePartition(t *testing.T) {
	in := input()
	in.Parallelism = 4
	h, _, _ := exportAll(t, newWindowConnector(1_000), in, func(env *testsuite.TestWorkflowEnvironment) {
		env.OnGetVersion(rebalanceChange, workflow.DefaultVersion, rebalanceVersion).Return(workflow.DefaultVersion)
		env.OnGetVersion(planUpfrontChange, workflow.DefaultVersion, planUpfrontVersion).Return(workflow.DefaultVersion)
	})
	assertExact(t, h.storedIDs(t), 1_000)
	if parts := recordsByPartition(t, h); len(parts) != 1 {
		t.Fatalf("records written by partitions %v, want all in one", parts)
	}
}

// A free slot goes only to a partition with pages enough left for both chains of the
// cut: one near its end would only add a part-filled page. Without thrift (runs that
// began before it) the largest remaining span is cut however little is in it.
func TestThriftCutsOnlyWhatIsWorthCutting(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	window := func(hours int, span time.Duration) activities.Partition {
		pos := provider.Position{From: at.Format(provider.WindowTime), Until: at.Add(time.Duration(hours) * time.Hour).Format(provider.WindowTime)}
		return activities.Partition{Position: pos, PageSpan: span}
	}
	cases := []struct {
		name   string
		parts  []activities.Partition
		thrift bool
		want   []int // slots promised, by partition
	}{
		// 30 hours at 10 a page is 3 pages: under two chains of two. 100 at 10 is 10.
		{"near their ends", []activities.Partition{{Done: true}, window(30, 10*time.Hour), window(20, 10*time.Hour)}, true, []int{0, 0, 0}},
		{"one with work left", []activities.Partition{{Done: true}, window(30, 10*time.Hour), window(100, 10*time.Hour)}, true, []int{0, 0, 1}},
		{"no page seen yet", []activities.Partition{{Done: true}, window(30, 0), window(20, 10*time.Hour)}, true, []int{0, 1, 0}},
		{"before thrift", []activities.Partition{{Done: true}, window(30, 10*time.Hour), window(20, 10*time.Hour)}, false, []int{0, 1, 0}},
	}
	for _, c := range cases {
		x := &exporter{in: ExportInput{Parallelism: 3}}
		x.st.Planned = true
		x.st.Plan = provider.Plan{Spec: provider.Spec{Strategy: provider.StrategyWindow, PageSize: 100}, MaxParallel: 8}
		x.st.Partitions = c.parts
		r := &rebalancer{x: x, thrift: c.thrift}
		r.promise()
		if !slices.Equal(r.marks, c.want) {
			t.Errorf("%s: slots promised %v, want %v", c.name, r.marks, c.want)
		}
	}
}

// Offset ranges planned from a total far above the records there are (records deleted
// since the count): three ranges end at once, and the one holding every record is cut.
func TestSkewedOffsetRangesAreRebalancedAndExact(t *testing.T) {
	const n = 1_003
	conn := &fakeConnector{n: n, reportTotal: 4 * n}
	in := input()
	in.Parallelism = 4
	h, res, _ := exportAll(t, conn, in, nil)
	assertExact(t, h.storedIDs(t), n)
	parts := recordsByPartition(t, h)
	if res.Records != n || len(parts) < 5 {
		t.Fatalf("%d records written by partitions %v; want %d from at least 5 (two planned, three cut)", res.Records, parts, n)
	}
}

// Each full page of a window partition records the span of time it covered.
func TestApplyRecordsThePageSpan(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	until := at.Add(100 * time.Hour).Format(provider.WindowTime)
	x := &exporter{}
	x.st.Partitions = []activities.Partition{{Position: provider.Position{From: at.Format(provider.WindowTime), Until: until}}}
	next := provider.Position{From: at.Add(2 * time.Hour).Format(provider.WindowTime), Until: until}
	x.apply(0, activities.PageResult{Key: "k", Records: 100, Next: next})
	if got := x.st.Partitions[0].PageSpan; got != 2*time.Hour {
		t.Fatalf("a page covering 2 h of its window recorded %v", got)
	}
}
