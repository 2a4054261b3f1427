package attio

import "encoding/json"

// listResponse is the body of the offset endpoints: notes, tasks, workspace members and the
// records and entries queries.
type listResponse struct {
	Data []json.RawMessage `json:"data"`
}

// queryRequest is the body of POST /v2/objects/{object}/records/query and
// POST /v2/lists/{list}/entries/query.
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

// objectsResponse is the part of GET /v2/objects that names objects.
type objectsResponse struct {
	Data []struct {
		ID struct {
			ObjectID string `json:"object_id"`
		} `json:"id"`
		APISlug *string `json:"api_slug"`
	} `json:"data"`
}

// listsResponse is the part of GET /v2/lists that names lists.
type listsResponse struct {
	Data []struct {
		ID struct {
			ListID string `json:"list_id"`
		} `json:"id"`
		APISlug string `json:"api_slug"`
	} `json:"data"`
}

// errorResponse is Attio's error body.
type errorResponse struct {
	StatusCode int    `json:"status_code"`
	Type       string `json:"type"`
	Code       string `json:"code"`
	Message    string `json:"message"`
}
