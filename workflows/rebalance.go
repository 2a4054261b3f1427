package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
)

// Dynamic rebalancing: a partition that finishes while others still have work frees a
// slot, and the partition with the most work left is cut so the slot pages again. Equal
// spans of time hold very different numbers of records when a dataset is skewed, and equal
// offset ranges end at different times when pages do. A partition is cut only between
// two of its pages: the page in flight has not yet said where it ends, so a cut through
// it could hand its records to two partitions. Runs that began before it replay without.
const (
	rebalanceChange  = "rebalance"
	rebalanceVersion = 1
)

// Thrifty rebalancing cuts only a partition with pages enough left for every chain the
// cut would make (minChainPages each, as provider.PagesLeft estimates them). A cut costs
// a request or two, the new bound's part-filled page; where the data is spread evenly,
// partitions end together, and cutting the last few pages of each bought nothing with
// them: 2 to 8 requests of the 1,200 of a budget-bound Close export. Runs that began
// before it cut whatever has work left.
const (
	thriftChange  = "rebalance-thrift"
	thriftVersion = 1
	minChainPages = 2
)

func (x *exporter) rebalancing(ctx workflow.Context) bool {
	if x.slots() <= 1 {
		return false
	}
	return workflow.GetVersion(ctx, rebalanceChange, workflow.DefaultVersion, rebalanceVersion) >= rebalanceVersion
}

// slots is how many partitions page at once.
func (x *exporter) slots() int { return min(x.in.Parallelism, x.st.Plan.MaxParallel) }

// rebalancer promises free slots to partitions and cuts a promised partition when it is
// between pages. Promises live only as long as a run: the next run starts between pages.
type rebalancer struct {
	x      *exporter
	marks  []int // slots promised to each partition, by index
	thrift bool  // cut only what is worth cutting
}

// rebalance runs once partitions idle (between pages, none in flight) may be cut: free
// slots are promised, idle promised partitions are cut, and what a cut could not use is
// promised again for later. It returns the new partitions, to launch.
func (r *rebalancer) rebalance(ctx workflow.Context, idle ...int) []int {
	if !r.x.st.Planned {
		return nil
	}
	r.promise()
	var added []int
	for _, i := range idle {
		added = append(added, r.cut(ctx, i)...)
	}
	r.promise()
	return added
}

// promise gives each free slot to the partition with the most work left per slot it
// would then have, so one large partition can take several.
func (r *rebalancer) promise() {
	parts := r.x.st.Partitions
	for len(r.marks) < len(parts) {
		r.marks = append(r.marks, 0)
	}
	free := r.x.slots()
	promised := 0
	for i, p := range parts {
		if p.Done {
			r.marks[i] = 0
			continue
		}
		free--
		promised += r.marks[i]
	}
	free = min(free, maxPartitions-len(parts)) - promised
	plan := r.x.st.Plan
	for ; free > 0; free-- {
		best, most := -1, 0.0
		for i, p := range parts {
			if p.Done || !r.worthCutting(p, r.marks[i]+2) {
				continue
			}
			if w := provider.Remaining(plan.Strategy, p.Position, plan.PageSize) / float64(r.marks[i]+1); w > most {
				best, most = i, w
			}
		}
		if best < 0 {
			return
		}
		r.marks[best]++
	}
}

// cut splits partition i, between pages, into one more than the slots promised to it.
func (r *rebalancer) cut(ctx workflow.Context, i int) []int {
	n := r.marks[i]
	if n == 0 {
		return nil
	}
	r.marks[i] = 0
	parts := r.x.st.Partitions
	p := &parts[i]
	plan := r.x.st.Plan
	chains := provider.Resplit(plan.Strategy, provider.Chain{Position: p.Position, Start: p.Start}, plan.PageSize, n+1)
	if len(chains) < 2 {
		return nil
	}
	p.Position, p.Start = chains[0].Position, chains[0].Start
	id := 0
	for _, q := range parts {
		id = max(id, q.ID+1)
	}
	var added []int
	for k, c := range chains[1:] {
		parts = append(parts, activities.Partition{ID: id + k, Position: c.Position, Start: c.Start})
		added = append(added, len(parts)-1)
	}
	r.x.st.Partitions = parts
	workflow.GetLogger(ctx).Debug("partition cut for a free slot", "export_id", r.x.st.ExportID,
		"partition", parts[i].ID, "into", len(chains))
	return added
}

// worthCutting: p, cut into chains, leaves each enough pages to pay for the cut, or
// there is no telling.
func (r *rebalancer) worthCutting(p activities.Partition, chains int) bool {
	if !r.thrift {
		return true
	}
	left := provider.PagesLeft(r.x.st.Plan.Strategy, p.Position, p.PageSpan, r.x.st.Plan.PageSize)
	return left < 0 || left >= float64(minChainPages*chains)
}
