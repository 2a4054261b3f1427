package provider

import (
	"cmp"
	"encoding/json"
	"hash/fnv"
	"strconv"
	"strings"
)

// Bounds every page chain is held to, whatever the API says.
const (
	// MaxEmptyPages is how many empty pages in a row may fail to end a chain. Connectors
	// end on the empty page their API documents as last; more in a row means has_more
	// (or a next cursor) that never ends.
	MaxEmptyPages = 3
	// MaxOffset is past any offset these APIs page to: Clio stops at 10,000, the largest
	// Close max _skip seen is 250,000, and Attio offsets grow by at most 500 a page.
	MaxOffset = 10_000_000
	// MaxPosition caps the bytes of a next position's strings (its cursor or link, window
	// bounds and last key). Positions are kept in workflow history after every page; Clio's
	// next links, the longest real ones, carry every field asked for in about 1 KB.
	MaxPosition = 16 << 10
)

// Defaults of Ceilings: far above any real account (the largest export measured here has
// tens of millions of records), and settable on the worker (PAGEWISE_MAX_EXPORT_PAGES,
// PAGEWISE_MAX_EXPORT_RECORDS).
const (
	DefaultMaxPages   = 100_000_000
	DefaultMaxRecords = 1_000_000_000
)

// Ceilings bound a whole export. An API that hands out fresh records and fresh links for
// ever passes every check Advance makes; only a count can end it.
type Ceilings struct {
	Pages   int64 // pages with records
	Records int64
}

// Check fails with a Contract error when an export that had written pages pages and
// records records is over c; zero fields are the defaults.
func (c Ceilings) Check(providerName, resource string, at Position, pages, records int64) error {
	c.Pages, c.Records = cmp.Or(c.Pages, DefaultMaxPages), cmp.Or(c.Records, DefaultMaxRecords)
	switch {
	case pages > c.Pages:
		return Broken(providerName, resource, at, "the export has %d pages, past the ceiling of %d (PAGEWISE_MAX_EXPORT_PAGES): far more than any account holds, so the API keeps handing out new pages", pages, c.Pages)
	case records > c.Records:
		return Broken(providerName, resource, at, "the export has %d records, past the ceiling of %d (PAGEWISE_MAX_EXPORT_RECORDS): far more than any account holds, so the API keeps handing out new records", records, c.Records)
	}
	return nil
}

// Guard is what Advance remembers of a chain of pages, in O(1) space. Its zero value
// starts a chain; a new partition starts with a new one.
type Guard struct {
	// Mark is the key of the position saved at the latest power of two (Brent's tortoise).
	Mark string `json:"mark,omitempty"`
	// Power is how many steps Mark stays before it moves; Steps counts them.
	Power int `json:"power,omitempty"`
	Steps int `json:"steps,omitempty"`
	// Page is the fingerprint of the latest non-empty page.
	Page string `json:"page,omitempty"`
	// Empty counts empty pages in a row that did not end the chain.
	Empty int `json:"empty,omitempty"`
}

// Advance checks page, just fetched at at, against what any paging API must do, and returns
// it with Next.Guard updated; the page activity and the conformance driver call it on every
// page. It fails with a Contract error when the API returned the previous page again (same
// first and last record), a not-done page whose next position is the one just fetched,
// more than MaxEmptyPages empty pages in a row (a page whose records were all Skipped is
// not empty), an offset past MaxOffset, a next position over MaxPosition bytes (a cursor
// or link that grows), or a next position seen before: Brent's cycle
// detection finds any cycle of next positions within about three times the pages it takes
// to enter and go round it.
func Advance(providerName, resource string, at Position, page Page) (Page, error) {
	broken := func(format string, args ...any) (Page, error) {
		return Page{}, Broken(providerName, resource, at, format, args...)
	}
	g := at.Guard
	if len(page.Records) > 0 {
		fp := fingerprint(page.Records)
		if fp == g.Page {
			return broken("the API returned the previous page again (%d records, same first and last)", len(page.Records))
		}
		g.Page, g.Empty = fp, 0
	} else if page.Skipped > 0 {
		// Records came and were filtered out: progress, not an empty page.
		g.Empty = 0
	} else if !page.Done {
		if g.Empty++; g.Empty > MaxEmptyPages {
			return broken("%d empty pages in a row, each saying there is more", g.Empty)
		}
	}
	if page.Done {
		page.Next.Guard = g
		return page, nil
	}
	key := positionKey(page.Next)
	switch {
	case positionSize(page.Next) > MaxPosition:
		return broken("the next position is %d bytes, past the cap of %d", positionSize(page.Next), MaxPosition)
	case key == positionKey(at):
		return broken("the next position is the one just fetched")
	case page.Next.Offset > MaxOffset:
		return broken("offset %d is past the ceiling of %d", page.Next.Offset, MaxOffset)
	case key == g.Mark:
		return broken("the next position %s was seen before: the pages go round in a cycle", page.Next.Describe())
	}
	if g.Steps++; g.Steps >= g.Power {
		g.Mark, g.Power, g.Steps = key, max(1, 2*g.Power), 0
	}
	page.Next.Guard = g
	return page, nil
}

// positionKey identifies where a position leads: its cursor when it has one (a cursor or
// next link seen twice is a cycle), else its offset and window. Bookkeeping that changes on
// every page (Walked, Issued, Last, Guard) is left out.
func positionKey(p Position) string {
	if p.Cursor != "" {
		return "c" + hash(p.Cursor)
	}
	return "p" + hash(strings.Join([]string{strconv.Itoa(p.Offset), strconv.Itoa(p.End),
		strconv.Itoa(p.Stride), p.From, p.Until, p.Anchor}, "\x00"))
}

// positionSize is the bytes a position's strings hold.
func positionSize(p Position) int {
	return len(p.Cursor) + len(p.From) + len(p.Until) + len(p.Anchor) + len(p.Last)
}

// fingerprint identifies a page by its size and its first and last records' raw bytes.
func fingerprint(records []json.RawMessage) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(strconv.Itoa(len(records))))
	_, _ = h.Write(records[0])
	_, _ = h.Write([]byte{0})
	_, _ = h.Write(records[len(records)-1])
	return strconv.FormatUint(h.Sum64(), 16)
}

func hash(s string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return strconv.FormatUint(h.Sum64(), 16)
}

// Describe names a position in errors and logs: its set fields, a long cursor cut short.
func (p Position) Describe() string {
	var parts []string
	add := func(name, v string) {
		if v != "" && v != "0" {
			parts = append(parts, name+"="+v)
		}
	}
	cursor := p.Cursor
	if len(cursor) > 80 {
		cursor = cursor[:77] + "..."
	}
	add("cursor", cursor)
	add("offset", strconv.Itoa(p.Offset))
	add("end", strconv.Itoa(p.End))
	add("stride", strconv.Itoa(p.Stride))
	add("limit", strconv.Itoa(p.Limit))
	add("from", p.From)
	add("until", p.Until)
	add("anchor", p.Anchor)
	add("walked", strconv.Itoa(p.Walked))
	add("last", p.Last)
	if len(parts) == 0 {
		return "the start"
	}
	return "{" + strings.Join(parts, " ") + "}"
}
