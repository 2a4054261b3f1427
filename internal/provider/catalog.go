package provider

import "context"

// Resource is one row of a connector's catalog: a resource an account export takes.
type Resource struct {
	// Name is the export input's resource, and the folder an account export writes it to.
	Name string `json:"name"`
	// Strategy is the paging strategy an account export uses for it (Validate's default).
	Strategy string `json:"strategy"`
	// Endpoint is the documented method and path, e.g. "GET /api/v4/contacts.json".
	Endpoint string `json:"endpoint"`
	// Reference is the reference page that documents the endpoint and the parameters sent.
	Reference string `json:"reference"`
	// Incremental is true when since (and so incremental runs) narrows the request through
	// a filter the reference documents for the endpoint; otherwise every run is whole.
	Incremental bool `json:"incremental"`
	// Discovered is true for resources found in the account itself (custom objects, lists).
	Discovered bool `json:"discovered,omitempty"`
	// Within names the resource whose records include every one of this one's (Close's
	// activity_call is part of activity): an account export of all takes that one instead,
	// so no record is written twice. Named on its own, it exports as any other.
	Within string `json:"within,omitempty"`
	// Refused is the API's refusal (403, 404: a plan without the feature, a key without the
	// scope) to list a kind of discovered resources, on a row named for the kind: an
	// account export records it as that kind's failure and exports the rest.
	Refused string `json:"refused,omitempty"`
}

// Cataloger lists what an account holds. Every connector implements it.
type Cataloger interface {
	// Catalog is every resource an account export takes, in a stable order: the
	// connector's own table first, then what it discovers in the account through
	// documented list endpoints (Attio objects and lists, Close custom object types).
	// Errors are *Error, like Fetch's.
	Catalog(ctx context.Context) ([]Resource, error)
}
