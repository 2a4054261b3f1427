package workflows

import (
	"time"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
)

// closeTime is how Close writes date_created; window bounds are sent back in the same form.
const closeTime = "2006-01-02T15:04:05.000000+00:00"

// split divides what remains after partition 0's first page into up to n partitions
// that page concurrently. It is the one place the workflow reads positions: an offset
// range needs the API's total (or interleaves without one), a window needs its bounds. Anything it cannot split stays
// one serial partition.
func split(strategy string, first activities.Partition, total, pageSize, n int) []activities.Partition {
	parts := []activities.Partition{first}
	if n <= 1 || first.Done {
		return parts
	}
	switch {
	case strategy == provider.StrategyOffset && total < 0:
		return splitStride(first, pageSize, n)
	case strategy == provider.StrategyOffset:
		return splitOffset(first, total, pageSize, n)
	case strategy == provider.StrategyWindow:
		return splitWindow(first, n)
	}
	return parts
}

// splitOffset cuts [offset, total) into page-aligned ranges, each bounded by End.
func splitOffset(first activities.Partition, total, pageSize, n int) []activities.Partition {
	start := first.Position.Offset
	end := total
	if first.Position.End > 0 {
		end = min(end, first.Position.End)
	}
	if total <= 0 || end-start <= pageSize {
		return []activities.Partition{first}
	}
	pages := (end - start + pageSize - 1) / pageSize
	chunk := (pages + n - 1) / n * pageSize
	var parts []activities.Partition
	for lo := start; lo < end; lo += chunk {
		p := activities.Partition{ID: len(parts), Position: provider.Position{Offset: lo, End: min(lo+chunk, end)}}
		p.Start = startOf(p.Position)
		if p.ID == 0 {
			p.Pages, p.Records, p.Bytes = first.Pages, first.Records, first.Bytes
			p.Start = bounded(first.Start, p.Position)
		}
		parts = append(parts, p)
	}
	return parts
}

// splitStride interleaves n partitions over the pages after the first when the API does
// not say how many there are: partition i takes pages i, i+n, i+2n… of what remains, and
// stops at its first short page. Partitions past the end cost one empty page each.
func splitStride(first activities.Partition, pageSize, n int) []activities.Partition {
	if first.Position.End > 0 || first.Position.Stride > 1 {
		return []activities.Partition{first}
	}
	parts := make([]activities.Partition, n)
	for i := range parts {
		parts[i] = activities.Partition{ID: i, Position: provider.Position{Offset: first.Position.Offset + i*pageSize, Stride: n}}
		parts[i].Start = startOf(parts[i].Position)
	}
	// Partition 0's first page came before the stride: no one position restarts it alone.
	parts[0].Start = nil
	parts[0].Pages, parts[0].Records, parts[0].Bytes = first.Pages, first.Records, first.Bytes
	return parts
}

// splitWindow cuts [From, Until) into n equal spans of time. Partition 0 keeps its skip
// of the tied records it has already exported; the others start fresh at their bound.
func splitWindow(first activities.Partition, n int) []activities.Partition {
	from, err1 := time.Parse(time.RFC3339Nano, first.Position.From)
	until, err2 := time.Parse(time.RFC3339Nano, first.Position.Until)
	span := until.Sub(from) / time.Duration(n)
	if err1 != nil || err2 != nil || span < time.Millisecond {
		return []activities.Partition{first}
	}
	parts := make([]activities.Partition, n)
	for i := range parts {
		lo, hi := from.Add(time.Duration(i)*span).UTC().Format(closeTime), from.Add(time.Duration(i+1)*span).UTC().Format(closeTime)
		if i == 0 {
			lo = first.Position.From
		}
		if i == n-1 {
			hi = first.Position.Until
		}
		parts[i] = activities.Partition{ID: i, Position: provider.Position{From: lo, Until: hi}}
		parts[i].Start = startOf(parts[i].Position)
	}
	parts[0].Start = bounded(first.Start, parts[0].Position)
	parts[0].Position.Offset = first.Position.Offset
	parts[0].Pages, parts[0].Records, parts[0].Bytes = first.Pages, first.Records, first.Bytes
	return parts
}

func startOf(p provider.Position) *provider.Position { return &p }

// bounded is partition 0's start after a split: where the export began, within the upper
// bound the split gave it. Nil when the start is not known (a run from before starts).
func bounded(start *provider.Position, p provider.Position) *provider.Position {
	if start == nil {
		return nil
	}
	s := *start
	s.End, s.Until = p.End, p.Until
	return &s
}
