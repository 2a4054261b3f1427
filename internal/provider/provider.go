// Package provider defines what every source API connector implements. Connectors know
// nothing of Temporal or storage: they turn a Request into one Page of raw records.
package provider

import (
	"context"
	"encoding/json"
	"time"
)

// Strategy names how a resource is paged.
const (
	StrategyCursor = "cursor" // follow an opaque next token or URL; strictly serial
	StrategyOffset = "offset" // limit/offset or _skip/_limit; ranges can run in parallel
	StrategyWindow = "window" // date_created windows walked in order, restarting at the last seen value
	StrategySingle = "single" // the endpoint documents no paging: everything comes in one page
)

// Spec is what an export asks of a provider, fixed for the whole export.
type Spec struct {
	Resource string            `json:"resource"`
	Strategy string            `json:"strategy,omitempty"`
	PageSize int               `json:"page_size,omitempty"`
	Fields   []string          `json:"fields,omitempty"`
	Filters  map[string]string `json:"filters,omitempty"`
	// Query is a JSON body filter for POST query endpoints (Attio records/query, Close data/search).
	Query json.RawMessage `json:"query,omitempty"`
	// Since, when set, limits the export to records created or updated at or after it.
	Since time.Time `json:"since,omitzero"`
}

// Plan is a Spec with every default filled in, returned by Validate.
type Plan struct {
	Spec
	// MaxParallel is how many partitions of this resource may be fetched at once (1 = serial).
	MaxParallel int `json:"max_parallel"`
}

// Request asks for the page at Position.
type Request struct {
	Plan     Plan
	Position Position
}

// Page is one page of raw records, exactly as the API returned them.
type Page struct {
	Records []json.RawMessage
	Next    Position
	// Done is true when Records is the last page of the partition.
	Done bool
	// Total is the API's own record count when it reports one (Clio meta.records), else -1.
	Total int
	// Skipped counts the records the API returned that a client-side filter dropped (Clever
	// events before since): the page moved on, so the guard does not count it as empty.
	Skipped int
}

// Connector pages through one provider's API.
type Connector interface {
	// Name is the provider's name in export inputs: clio, attio, close or clever.
	Name() string
	// Validate checks a Spec without touching the network and fills in defaults. Its errors
	// are *Error with Retryable false and name the bad field and the allowed values.
	Validate(spec Spec) (Plan, error)
	// Start is the position of the first page.
	Start(plan Plan) Position
	// Fetch gets one page. Errors are *Error so the caller can tell retryable from fatal.
	Fetch(ctx context.Context, req Request) (Page, error)
}

// Prefetcher is implemented by connectors that know a page's successor before they have
// checked its records (order, filters): a serial stream then asks for the next page while
// this one's check runs, taking the check's CPU off the chain of requests. Fetch is
// FetchUnchecked followed by check, and nothing is written before check passes.
type Prefetcher interface {
	FetchUnchecked(ctx context.Context, req Request) (page Page, check func() error, err error)
}

// Counter is implemented by connectors whose API documents a total for a query, so an
// export can be reconciled against the provider's own count.
type Counter interface {
	// Count is the provider's total for plan's query (filters, since, window bounds). ok is
	// false where the reference documents no total for that resource or plan.
	Count(ctx context.Context, plan Plan) (total int, ok bool, err error)
}

// Totalless is implemented by connectors whose pages never report a total for some plans
// (Attio offset pages): those plans' offset partitions interleave, and can be planned
// before the first page.
type Totalless interface {
	Totalless(plan Plan) bool
}

// Position is where the next page starts. The workflow stores it between activities and
// treats it as opaque except for the partition bounds it plans. It stays comparable with ==:
// no pointers, maps or slices. New fields are omitted when zero so old positions decode.
type Position struct {
	// Cursor is the next token or URL for cursor strategies.
	Cursor string `json:"cursor,omitempty"`
	// Offset is the number of records to skip; in a window, how many records at exactly
	// From were already passed (tied date_created values).
	Offset int `json:"offset,omitempty"`
	// End bounds an offset partition (exclusive); 0 means no bound.
	End int `json:"end,omitempty"`
	// Stride, above 1, makes an offset partition take every Stride-th page: how offset
	// paging is split when the API gives no total (Attio). A short page still ends it.
	Stride int `json:"stride,omitempty"`
	// Limit, when set, is the page size this chain asks for instead of the plan's: smaller,
	// after the API refused a page as too costly (Attio's per-query score). It holds for the
	// rest of the chain, so offsets keep adding up.
	Limit int `json:"limit,omitempty"`
	// From is the inclusive lower bound of a date_created window (RFC 3339).
	From string `json:"from,omitempty"`
	// Until is the exclusive upper bound of a date_created window (RFC 3339).
	Until string `json:"until,omitempty"`
	// Anchor is the lower bound (on_or_after) of the query a Close search walk's Cursor
	// belongs to; From then moves with the last record seen.
	Anchor string `json:"anchor,omitempty"`
	// Walked is how many results the current cursor walk has returned, so a walk is
	// re-anchored before the API's per-walk cap.
	Walked int `json:"walked,omitempty"`
	// Issued is when Cursor was issued (Unix milliseconds), for cursors that expire.
	Issued int64 `json:"issued,omitempty"`
	// Matches is how many results the current walk's query matches, as its first page
	// counted them (0: not counted), so a walk that ends short of them was capped.
	Matches int `json:"matches,omitempty"`
	// Last is the ordering key of the last record seen (id or timestamp), so the next page
	// can be checked to continue the order the API promised.
	Last string `json:"last,omitempty"`
	// Refused lists the fields the API refused for this account (a 400 naming them),
	// comma-separated and sorted: the connector leaves them out of this and every later
	// request, so pages keep one shape across partitions, runs and resumes, and the
	// manifest records them as fields_refused.
	Refused string `json:"refused,omitempty"`
	// Guard is Advance's memory of the page chain.
	Guard Guard `json:"guard,omitzero"`
}
