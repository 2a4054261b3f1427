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
	StrategyWindow = "window" // offset within date_created windows that restart at the last seen value
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

// Position is where the next page starts. The workflow stores it between activities and
// treats it as opaque except for the partition bounds it plans.
type Position struct {
	// Cursor is the next token or URL for cursor strategies.
	Cursor string `json:"cursor,omitempty"`
	// Offset is the number of records to skip (within the window for StrategyWindow).
	Offset int `json:"offset,omitempty"`
	// End bounds an offset partition (exclusive); 0 means no bound.
	End int `json:"end,omitempty"`
	// Stride, above 1, makes an offset partition take every Stride-th page: how offset
	// paging is split when the API gives no total (Attio). A short page still ends it.
	Stride int `json:"stride,omitempty"`
	// From is the inclusive lower bound of a date_created window (RFC 3339).
	From string `json:"from,omitempty"`
	// Until is the exclusive upper bound of a date_created window (RFC 3339).
	Until string `json:"until,omitempty"`
}
