package clever

import "encoding/json"

// listResponse is the body of GET /v3.0/{resource}.
type listResponse struct {
	Data  []item `json:"data"`
	Links []link `json:"links"`
}

// item wraps each record; the export keeps only Data.
type item struct {
	Data json.RawMessage `json:"data"`
	URI  string          `json:"uri"`
}

// link is a paging link; URI is relative to the API host (/v3.0/users?starting_after=…).
type link struct {
	Rel string `json:"rel"`
	URI string `json:"uri"`
}
