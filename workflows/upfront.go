package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
)

// planUpfront versions splitting an export before its first page where the split needs
// nothing that page would tell (provider.SplitUpfront): every partition starts at once
// instead of after one serial page. Runs that began before it plan after the first page.
const (
	planUpfrontChange  = "plan-upfront"
	planUpfrontVersion = 1
)

// planUpfront splits a fresh export before its first page where it can. A window's first
// page would have brought the provider's count at the start; it is asked for beside the
// pages instead.
func (x *exporter) planUpfront(ctx workflow.Context) {
	if x.st.Planned || x.slots() <= 1 {
		return
	}
	chains := provider.SplitUpfront(x.st.Plan, x.uncounted, x.st.Partitions[0].Position, x.slots())
	if chains == nil {
		return
	}
	if workflow.GetVersion(ctx, planUpfrontChange, workflow.DefaultVersion, planUpfrontVersion) < planUpfrontVersion {
		return
	}
	parts := make([]activities.Partition, len(chains))
	for i, c := range chains {
		parts[i] = activities.Partition{ID: i, Position: c.Position, Start: c.Start}
	}
	x.st.Partitions, x.st.Planned = parts, true
	if x.st.Plan.Strategy == provider.StrategyWindow && countVersion(ctx) >= providerCountFirstPage {
		workflow.Go(ctx, func(ctx workflow.Context) {
			if res := x.count(ctx); res.Known && !x.st.CountAtStart.Known {
				x.st.CountAtStart = res
			}
		})
	}
}
