package attio

import "encoding/json"

// listResponse is the body of GET /v2/notes and POST /v2/objects/{object}/records/query.
type listResponse struct {
	Data []json.RawMessage `json:"data"`
}

// queryRequest is the body of POST /v2/objects/{object}/records/query.
type queryRequest struct {
	Filter json.RawMessage `json:"filter,omitempty"`
	Sorts  []sortSpec      `json:"sorts"`
	Limit  int             `json:"limit"`
	Offset int             `json:"offset"`
}

type sortSpec struct {
	Direction string `json:"direction"`
	Attribute string `json:"attribute"`
}

// cursorResponse is the body of GET /v2/meetings.
type cursorResponse struct {
	Data       []json.RawMessage `json:"data"`
	Pagination struct {
		NextCursor *string `json:"next_cursor"`
	} `json:"pagination"`
}

// errorResponse is Attio's error body.
type errorResponse struct {
	StatusCode int    `json:"status_code"`
	Type       string `json:"type"`
	Code       string `json:"code"`
	Message    string `json:"message"`
}
