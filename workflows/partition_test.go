package workflows

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
)

func TestSplitOffsetCoversTheRestOnce(t *testing.T) {
	first := activities.Partition{Position: provider.Position{Offset: 200}, Pages: 1, Records: 200}
	parts := split(provider.StrategyOffset, first, 9_950, 200, 4)
	if len(parts) != 4 {
		t.Fatalf("%d partitions, want 4: %+v", len(parts), parts)
	}
	next := 200
	for i, p := range parts {
		if p.ID != i || p.Position.Offset != next || p.Position.Offset%200 != 0 || p.Position.End <= p.Position.Offset {
			t.Fatalf("partition %d = %+v, want it to start at %d on a page boundary", i, p, next)
		}
		next = p.Position.End
	}
	if next != 9_950 || parts[0].Records != 200 || parts[1].Records != 0 {
		t.Fatalf("partitions end at %d (want 9950) or lost partition 0's counts: %+v", next, parts)
	}
}

func TestSplitWindowKeepsTiesAndBounds(t *testing.T) {
	first := activities.Partition{Position: provider.Position{
		From: "2024-01-01T00:00:00.000000+00:00", Offset: 3, Until: "2024-01-05T00:00:00.000000+00:00"}}
	parts := split(provider.StrategyWindow, first, -1, 100, 4)
	want := []string{"2024-01-01T00:00:00.000000+00:00", "2024-01-02T00:00:00.000000+00:00",
		"2024-01-03T00:00:00.000000+00:00", "2024-01-04T00:00:00.000000+00:00", "2024-01-05T00:00:00.000000+00:00"}
	var got []string
	for i, p := range parts {
		if i > 0 && (p.Position.From != parts[i-1].Position.Until || p.Position.Offset != 0) {
			t.Fatalf("partition %d = %+v does not start where %d ends", i, p, i-1)
		}
		got = append(got, p.Position.From)
	}
	got = append(got, parts[len(parts)-1].Position.Until)
	if !slices.Equal(got, want) || parts[0].Position.Offset != 3 {
		t.Fatalf("bounds %v (offset %d), want %v with partition 0 keeping its 3 tied records", got, parts[0].Position.Offset, want)
	}
}

func TestSplitLeavesWhatItCannotSplit(t *testing.T) {
	first := activities.Partition{Position: provider.Position{Cursor: "abc"}}
	for _, c := range []struct {
		strategy string
		total    int
	}{{provider.StrategyCursor, 5000}, {provider.StrategyWindow, -1}} {
		if parts := split(c.strategy, first, c.total, 100, 4); len(parts) != 1 {
			t.Errorf("%s with total %d split into %d", c.strategy, c.total, len(parts))
		}
	}
}

func TestParallelOffsetExportIsExact(t *testing.T) {
	h := newHarness(t, 1_003)
	in := input()
	in.Parallelism = 4
	in.PagesPerRun = 40 // continue-as-new with four partitions in flight
	h.env.ExecuteWorkflow(Export, in)
	next := continuedInput(t, h.env.GetWorkflowError())
	// Four planned; a partition that ends early may have freed a slot for a cut.
	if len(next.State.Partitions) < 4 || !next.State.Planned {
		t.Fatalf("carried %d partitions (planned %v), want at least 4", len(next.State.Partitions), next.State.Planned)
	}
	h2 := newHarness(t, 1_003)
	h2.store = h.store
	h2.env.RegisterActivity(&activities.Activities{Providers: fakeProviders{h2.conn}, Store: h.store})
	next.PagesPerRun = 1000
	h2.env.SetContinuedExecutionRunID(next.State.From) // the state is this export's own
	h2.env.ExecuteWorkflow(Export, next)
	var res ExportResult
	if err := h2.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	ids := h.storedIDs(t)
	slices.Sort(ids)
	if res.Records != 1_003 || len(ids) != 1_003 || ids[0] != 1 || ids[len(ids)-1] != 1_003 || len(slices.Compact(ids)) != 1_003 {
		t.Fatalf("result %d records, stored %d (want exactly ids 1..1003)", res.Records, len(ids))
	}
}

func TestSplitStrideInterleavesWithoutTotal(t *testing.T) {
	first := activities.Partition{Pages: 1, Records: 100, Position: provider.Position{Offset: 100}}
	parts := split(provider.StrategyOffset, first, -1, 100, 4)
	if len(parts) != 4 || parts[0].Pages != 1 {
		t.Fatalf("split into %d partitions, first keeps %d pages; want 4 keeping 1", len(parts), parts[0].Pages)
	}
	for i, p := range parts {
		if p.Position.Offset != 100+100*i || p.Position.Stride != 4 || p.Position.End != 0 {
			t.Errorf("partition %d starts at %+v, want offset %d stride 4", i, p.Position, 100+100*i)
		}
	}
}

// TestStridedOffsetExportIsExact pages a resource with no total, like Attio's, in four
// interleaved partitions: a dataset ending mid-page and one ending on a page boundary.
func TestStridedOffsetExportIsExact(t *testing.T) {
	for _, n := range []int{1_003, 1_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			h := newHarness(t, n)
			h.conn.noTotal = true
			in := input()
			in.Parallelism = 4
			h.env.ExecuteWorkflow(Export, in)
			var res ExportResult
			if err := h.env.GetWorkflowResult(&res); err != nil {
				t.Fatal(err)
			}
			ids := h.storedIDs(t)
			slices.Sort(ids)
			if res.Records != int64(n) || len(ids) != n || ids[0] != 1 || ids[n-1] != n || len(slices.Compact(ids)) != n {
				t.Fatalf("result %d records, stored %d (want exactly ids 1..%d)", res.Records, len(ids), n)
			}
			objs, err := h.store.List(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			parts := map[string]bool{}
			for _, o := range objs {
				if i := strings.Index(o.Key, "/part-"); i >= 0 {
					parts[o.Key[i:i+9]] = true
				}
			}
			if len(parts) != 4 {
				t.Fatalf("pages written by %d partitions %v, want 4", len(parts), parts)
			}
		})
	}
}

// TestStridedShortPageMidListIsExact: Attio's partitions interleave, and one that gets a
// page shorter than the limit before the list's end must read the rest of its share; it
// once ended there while its sibling read on past it (125 of 200 records exported).
func TestStridedShortPageMidListIsExact(t *testing.T) {
	h := newHarness(t, 200)
	h.conn.noTotal = true
	h.conn.short = map[int]int{50: 25} // partition 1's first page
	in := input()
	in.PageSize, in.Parallelism = 50, 2
	h.env.ExecuteWorkflow(Export, in)
	var res ExportResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	ids := h.storedIDs(t)
	slices.Sort(ids)
	if res.Records != 200 || len(ids) != 200 || len(slices.Compact(ids)) != 200 || ids[0] != 1 || ids[199] != 200 {
		t.Fatalf("result %d records, stored %d (want exactly ids 1..200)", res.Records, len(ids))
	}
}

// TestSmallerLimitOutlivesContinueAsNew: a partition that goes on with a smaller limit
// (Attio's per-query score) keeps it in the state a run hands the next, so every page after
// the first asks for it, offsets add up, and the export is exact.
func TestSmallerLimitOutlivesContinueAsNew(t *testing.T) {
	h := newHarness(t, 203)
	h.conn.noTotal, h.conn.shrinkTo = true, 7
	in := input()
	in.PagesPerRun = 5
	h.env.ExecuteWorkflow(Export, in)
	next := continuedInput(t, h.env.GetWorkflowError())
	if p := next.State.Partitions[0].Position; p.Limit != 7 {
		t.Fatalf("the state carries %+v, want limit 7", p)
	}
	h2 := newHarnessOn(t, 203, h.store)
	h2.conn.noTotal, h2.conn.shrinkTo = true, 1 // a chain that lost its limit would page by 1
	h2.env.SetContinuedExecutionRunID(next.State.From)
	next.PagesPerRun = 1000
	h2.env.ExecuteWorkflow(Export, next)
	var res ExportResult
	if err := h2.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	for k, l := range append(h.conn.limits, h2.conn.limits...) {
		if l != 7 {
			t.Fatalf("page %d asked for %d records, want 7", k+1, l)
		}
	}
	ids := h.storedIDs(t)
	slices.Sort(ids)
	if res.Records != 203 || len(ids) != 203 || len(slices.Compact(ids)) != 203 {
		t.Fatalf("result %d records, stored %d (want exactly 203)", res.Records, len(ids))
	}
}
