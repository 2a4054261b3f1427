package clio

import "encoding/json"

// listResponse is the body of a v4 index action (GET /api/v4/{resource}.json).
type listResponse struct {
	Data []json.RawMessage `json:"data"`
	Meta struct {
		Paging struct {
			Previous string `json:"previous"`
			// Next is an absolute URL carrying a page_token (cursor) or offset; absent on the last page.
			Next string `json:"next"`
		} `json:"paging"`
		// Records is the total number of records matching the request.
		Records *int `json:"records"`
	} `json:"meta"`
}

// errorResponse is Clio's error body.
type errorResponse struct {
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}
