package closeio

import "encoding/json"

// listResponse is the body of an offset list endpoint (/api/v1/lead/ …).
type listResponse struct {
	Data    []json.RawMessage `json:"data"`
	HasMore bool              `json:"has_more"`
}

// created is the one field the window strategy reads from a record.
type created struct {
	DateCreated string `json:"date_created"`
}

// eventResponse is the body of GET /api/v1/event/.
type eventResponse struct {
	Data       []json.RawMessage `json:"data"`
	CursorNext *string           `json:"cursor_next"`
}

// searchRequest is the body of POST /api/v1/data/search/.
type searchRequest struct {
	Query json.RawMessage `json:"query"`
	// Fields lists the fields to return per object type; without it results carry only ids.
	Fields map[string][]string `json:"_fields,omitempty"`
	Limit  int                 `json:"_limit"`
	Cursor *string             `json:"cursor"`
}

// searchResponse is the body the search endpoint answers with.
type searchResponse struct {
	Data   []json.RawMessage `json:"data"`
	Cursor *string           `json:"cursor"`
}

// errorResponse covers {"error": "..."}, {"error": {"message": .., "rate_reset": ..}} and
// {"errors": [...], "field-errors": {...}}.
type errorResponse struct {
	Error       json.RawMessage            `json:"error"`
	Errors      []json.RawMessage          `json:"errors"`
	FieldErrors map[string]json.RawMessage `json:"field-errors"`
}

type rateLimitError struct {
	Message   string   `json:"message"`
	RateReset *float64 `json:"rate_reset"`
}
