package workflows

import (
	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
)

// split divides what remains after partition 0's first page into up to n partitions that
// page concurrently, as the connector's paging arithmetic (provider.Split) cuts it.
// Partition 0 keeps the pages and counts it already has.
func split(strategy string, first activities.Partition, total, pageSize, n int) []activities.Partition {
	if first.Done {
		return []activities.Partition{first}
	}
	chains := provider.Split(strategy, provider.Chain{Position: first.Position, Start: first.Start}, total, pageSize, n)
	if len(chains) == 1 {
		return []activities.Partition{first}
	}
	parts := make([]activities.Partition, len(chains))
	for i, c := range chains {
		parts[i] = activities.Partition{ID: i, Position: c.Position, Start: c.Start}
	}
	parts[0].Pages, parts[0].Records, parts[0].Bytes = first.Pages, first.Records, first.Bytes
	return parts
}
