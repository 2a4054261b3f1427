package closeio

import "encoding/json"

// listResponse is the body of an offset list endpoint (/api/v1/lead/ …).
type listResponse struct {
	Data    []json.RawMessage `json:"data"`
	HasMore bool              `json:"has_more"`
	// TotalResults is documented on opportunity lists only; absent elsewhere.
	TotalResults *int `json:"total_results"`
}

// opportunityResponse adds the aggregate the opportunity list documents.
type opportunityResponse struct {
	TotalResults *int `json:"total_results"`
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

// searchResponse is the body the search endpoint answers with; Count is there when the
// request set include_counts.
type searchResponse struct {
	Data   []json.RawMessage `json:"data"`
	Cursor *string           `json:"cursor"`
	Count  *struct {
		Total *int `json:"total"`
	} `json:"count"`
}

// walkRequest is the Advanced Filtering body of a window walk: the query, its sort, the
// page size, the cursor of the walk and the fields of whole records.
type walkRequest struct {
	Query         andQuery            `json:"query"`
	Sort          []sortField         `json:"sort"`
	Limit         int                 `json:"_limit"`
	Cursor        *string             `json:"cursor"`
	Fields        map[string][]string `json:"_fields"`
	IncludeCounts bool                `json:"include_counts,omitempty"`
}

// andQuery is {"type":"and","queries":[...]}.
type andQuery struct {
	Type    string `json:"type"`
	Queries []any  `json:"queries"`
}

type objectTypeQuery struct {
	Type       string `json:"type"`
	ObjectType string `json:"object_type"`
}

// fieldCondition is a moment_range condition on a built-in date field.
type fieldCondition struct {
	Type      string       `json:"type"`
	Field     regularField `json:"field"`
	Condition momentRange  `json:"condition"`
}

type regularField struct {
	Type       string `json:"type"`
	ObjectType string `json:"object_type"`
	FieldName  string `json:"field_name"`
}

// momentRange bounds are null when open.
type momentRange struct {
	Type      string  `json:"type"`
	OnOrAfter *moment `json:"on_or_after"`
	Before    *moment `json:"before"`
}

type moment struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type sortField struct {
	Direction string       `json:"direction"`
	Field     regularField `json:"field"`
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
