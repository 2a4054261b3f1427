package provider

import "time"

// WindowTime is how window bounds are written: Close's own date_created layout, so a
// bound sent back compares with the records' own values.
const WindowTime = "2006-01-02T15:04:05.000000+00:00"

// Chain is one partition as splitting sees it: where it is, and where it began (nil when
// no one position pages it again from its start).
type Chain struct {
	Position Position
	Start    *Position
}

// Split divides what remains after the first chain's first page into up to n chains that
// page concurrently: an offset range needs the API's total (or interleaves without one), a
// window needs its bounds. Anything it cannot split stays one chain. It is pure, so workflow
// code may call it.
func Split(strategy string, first Chain, total, pageSize, n int) []Chain {
	if n <= 1 {
		return []Chain{first}
	}
	switch {
	case strategy == StrategyOffset && total < 0:
		return refusing(splitStride(first, pageSize, n), first.Position.Refused)
	case strategy == StrategyOffset:
		return refusing(splitOffset(first, total, pageSize, n), first.Position.Refused)
	case strategy == StrategyWindow:
		return refusing(splitWindow(first, n), first.Position.Refused)
	}
	return []Chain{first}
}

// refusing gives every chain, and the position it pages again from, the fields the API
// refused before the split: every partition asks for the same fields.
func refusing(chains []Chain, refused string) []Chain {
	for k := range chains {
		chains[k].Position.Refused = refused
		if s := chains[k].Start; s != nil {
			s.Refused = refused
		}
	}
	return chains
}

// splitOffset cuts [offset, total) into page-aligned ranges, each bounded by End.
func splitOffset(first Chain, total, pageSize, n int) []Chain {
	start, end := first.Position.Offset, total
	if first.Position.End > 0 {
		end = min(end, first.Position.End)
	}
	if total <= 0 || end-start <= pageSize {
		return []Chain{first}
	}
	pages := (end - start + pageSize - 1) / pageSize
	chunk := (pages + n - 1) / n * pageSize
	var chains []Chain
	for lo := start; lo < end; lo += chunk {
		c := Chain{Position: Position{Offset: lo, End: min(lo+chunk, end)}}
		c.Start = startOf(c.Position)
		if len(chains) == 0 {
			c.Start = bounded(first.Start, c.Position)
		}
		chains = append(chains, c)
	}
	return chains
}

// splitStride interleaves n chains over the pages after the first when the API does not
// say how many there are: chain i takes pages i, i+n, i+2n… of what remains, and stops at
// its first short page. Chains past the end cost one empty page each.
func splitStride(first Chain, pageSize, n int) []Chain {
	if first.Position.End > 0 || first.Position.Stride > 1 {
		return []Chain{first}
	}
	chains := make([]Chain, n)
	for i := range chains {
		// Each sibling asks for the limit the first chain settled on (Attio's per-query score).
		chains[i].Position = Position{Offset: first.Position.Offset + i*pageSize, Stride: n, Limit: first.Position.Limit}
		chains[i].Start = startOf(chains[i].Position)
	}
	// Chain 0's first page came before the stride: no one position restarts it alone.
	chains[0].Start = nil
	return chains
}

// splitWindow cuts [From, Until) into n equal spans of time. Chain 0 keeps its skip of the
// tied records it has already passed; the others start fresh at their bound.
func splitWindow(first Chain, n int) []Chain {
	from, err1 := time.Parse(time.RFC3339Nano, first.Position.From)
	until, err2 := time.Parse(time.RFC3339Nano, first.Position.Until)
	span := until.Sub(from) / time.Duration(n)
	if err1 != nil || err2 != nil || span < time.Millisecond {
		return []Chain{first}
	}
	chains := make([]Chain, n)
	for i := range chains {
		lo, hi := from.Add(time.Duration(i)*span).UTC().Format(WindowTime), from.Add(time.Duration(i+1)*span).UTC().Format(WindowTime)
		if i == 0 {
			lo = first.Position.From
		}
		if i == n-1 {
			hi = first.Position.Until
		}
		chains[i].Position = Position{From: lo, Until: hi}
		chains[i].Start = startOf(chains[i].Position)
	}
	chains[0].Start = bounded(first.Start, chains[0].Position)
	chains[0].Position.Offset = first.Position.Offset
	return chains
}

// SplitUpfront divides an export before its first page, where that needs nothing the
// first page would tell: a window with both bounds, or offset pages of an API that counts
// nothing (uncounted: they interleave). It returns nil where the first page is needed.
func SplitUpfront(plan Plan, uncounted bool, start Position, n int) []Chain {
	first := Chain{Position: start, Start: startOf(start)}
	var chains []Chain
	switch {
	case n <= 1:
		return nil
	case plan.Strategy == StrategyWindow && start.From != "" && start.Until != "":
		chains = splitWindow(first, n)
	case plan.Strategy == StrategyOffset && uncounted:
		chains = splitStride(first, plan.PageSize, n)
		if len(chains) > 1 {
			chains[0].Start = startOf(chains[0].Position) // no page came before the stride
		}
	}
	if len(chains) <= 1 {
		return nil
	}
	return chains
}

// StrideRequest is what an interleaved chain asks for at at: its position bounded by the
// end of the share it is reading (its one page of every Stride), so that a page starting
// partway through a share stops where the next sibling's share begins.
func StrideRequest(at Position, pageSize int) Position {
	if at.Stride > 1 && at.End == 0 {
		at.End = at.Offset + pageSize
	}
	return at
}

// NextInStride is where an interleaved chain goes after page, fetched at req (as
// StrideRequest bounded it). A page that filled the share skips the shares its siblings
// take. A page with records that stopped short of the share's end goes on from where it
// stopped, within the share: a short page ends a list only when nothing follows it, and
// siblings read past it (an API that answers short before its end, or a chain paging with
// a smaller limit). Only a page without records ends the chain. What the connector noted
// of the page (Last, Limit) stays.
func NextInStride(req Position, page Page, pageSize int) Page {
	next := page.Next
	next.Stride = req.Stride
	switch {
	case len(page.Records) == 0:
		next.End = req.End
	case next.Offset >= req.End:
		next.Offset, next.End, page.Done = req.End+(req.Stride-1)*pageSize, 0, false
	default:
		next.End, page.Done = req.End, false
	}
	page.Next = next
	return page
}

func startOf(p Position) *Position { return &p }

// bounded is chain 0's start after a split: where the export began, within the upper
// bound the split gave it. Nil when the start is not known.
func bounded(start *Position, p Position) *Position {
	if start == nil {
		return nil
	}
	s := *start
	s.End, s.Until = p.End, p.Until
	return &s
}

// Remaining is how much of a partition at p is left, in the unit Resplit cuts it by:
// records of an offset range, nanoseconds of a window. It is zero when Resplit cannot cut
// it in two: an unbounded or interleaved chain, a page or less, a window without both
// bounds or under two milliseconds.
func Remaining(strategy string, p Position, pageSize int) float64 {
	switch strategy {
	case StrategyOffset:
		if p.End > 0 && p.Stride <= 1 && p.End-p.Offset > pageSize {
			return float64(p.End - p.Offset)
		}
	case StrategyWindow:
		if span := windowSpan(p); span >= 2*time.Millisecond {
			return float64(span)
		}
	}
	return 0
}

// PagesLeft estimates how many pages are left of a partition at p: exactly, for an
// offset range; for a window, its span left over pageSpan, the span its latest full page
// covered, as the records just seen are the best guide to those next. It is negative
// when there is nothing to estimate from.
func PagesLeft(strategy string, p Position, pageSpan time.Duration, pageSize int) float64 {
	switch {
	case Remaining(strategy, p, pageSize) == 0:
		return -1
	case strategy == StrategyOffset:
		return float64(p.End-p.Offset) / float64(max(pageSize, 1))
	case pageSpan > 0:
		return float64(windowSpan(p)) / float64(pageSpan)
	}
	return -1
}

// Span is how far a window's lower bound moved from p to next: the span of time a page
// covered. It is zero outside windows, or when the page only stepped past tied records.
func Span(p, next Position) time.Duration {
	from, err1 := time.Parse(time.RFC3339Nano, p.From)
	to, err2 := time.Parse(time.RFC3339Nano, next.From)
	if err1 != nil || err2 != nil || !to.After(from) {
		return 0
	}
	return to.Sub(from)
}

// Resplit cuts a partition between two of its pages into up to n chains, as Split cuts
// the first: the first chain goes on from where the partition is, and the rest start
// fresh at their bounds. What is left of an offset range is cut into page-aligned ranges;
// a window into equal spans of time from the last record seen. A chain nothing can cut
// stays one.
func Resplit(strategy string, c Chain, pageSize, n int) []Chain {
	switch {
	case n <= 1 || Remaining(strategy, c.Position, pageSize) == 0:
		return []Chain{c}
	case strategy == StrategyOffset:
		chains := refusing(splitOffset(c, c.Position.End, pageSize, n), c.Position.Refused)
		// The first range only ends sooner: it keeps what the connector and Advance noted.
		end := chains[0].Position.End
		chains[0].Position = c.Position
		chains[0].Position.End = end
		return chains
	}
	return refusing(splitWindow(c, min(n, int(windowSpan(c.Position)/time.Millisecond))), c.Position.Refused)
}

// windowSpan is how long p's window is; zero without both bounds.
func windowSpan(p Position) time.Duration {
	from, err1 := time.Parse(time.RFC3339Nano, p.From)
	until, err2 := time.Parse(time.RFC3339Nano, p.Until)
	if err1 != nil || err2 != nil || !until.After(from) {
		return 0
	}
	return until.Sub(from)
}
