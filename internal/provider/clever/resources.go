package clever

import (
	"context"
	"slices"

	"github.com/pagewise/pagewise/internal/provider"
)

// resource is one row of the table every Clever resource comes from.
type resource struct {
	name string
	path string // the documented list endpoint
	ref  string // where the path and its parameters are documented
	// filters are the documented query parameters an export may pass on, besides the
	// paging ones (limit, starting_after, ending_before) and count, which it never sends.
	filters []string
	// unpaged lists document no paging parameter: one page holds everything.
	unpaged bool
	// events is the Events API: since keeps the events created at or after it.
	events bool
}

// Clever's own OpenAPI files list each endpoint's parameters; paging itself is
// https://dev.clever.com/docs/paging-and-limits (limit at most 10,000, then rel=next links).
const (
	refV30    = "https://github.com/Clever/swagger-api/blob/master/v3.0.yml"
	refV31    = "https://github.com/Clever/swagger-api/blob/master/v3.1.yml"
	refEvents = "https://github.com/Clever/swagger-api/blob/master/v3.1-events.yml"
)

// table is every resource, in Catalog order. Adding one is a row here, its sandbox endpoint
// and a conformance Case.
var table = []resource{
	// "In practice this will only return the one district associated with the bearer
	// token"; only count is documented there.
	{name: "districts", path: "/v3.0/districts", ref: refV30, unpaged: true},
	{name: "schools", path: "/v3.0/schools", ref: refV30},
	// Users follow the v3.x upgrade guide ("Update all user-related API calls to use
	// /v3.1/users", https://dev.clever.com/docs/api-v3-upgrade-guide). Without role every
	// user comes once, whatever its roles (contacts and district admins included).
	{name: "users", path: "/v3.1/users", ref: refV31, filters: []string{"role"}},
	{name: "sections", path: "/v3.0/sections", ref: refV30},
	{name: "courses", path: "/v3.0/courses", ref: refV30},
	{name: "terms", path: "/v3.0/terms", ref: refV30},
	{name: "resources", path: "/v3.0/resources", ref: refV30},
	// v3.1 like users, so users.* events carry the user objects /v3.1/users lists
	// (https://dev.clever.com/docs/events-api). school and record_type are not offered: the
	// reference does not say what values record_type takes.
	{name: "events", path: "/v3.1/events", ref: refEvents, events: true},
}

// roles are the values the users reference documents for role.
var roles = []string{"contact", "district_admin", "staff", "student", "teacher"}

func rowOf(name string) (resource, bool) {
	i := slices.IndexFunc(table, func(r resource) bool { return r.name == name })
	if i < 0 {
		return resource{}, false
	}
	return table[i], true
}

// Resources lists the resources Validate accepts, sorted.
func Resources() []string {
	names := make([]string, len(table))
	for k, r := range table {
		names[k] = r.name
	}
	slices.Sort(names)
	return names
}

// Catalog is every resource an account export takes: the table's rows. Clever has no
// custom objects, so nothing is discovered and no request is made.
func (c *Connector) Catalog(context.Context) ([]provider.Resource, error) {
	out := make([]provider.Resource, len(table))
	for k, r := range table {
		out[k] = provider.Resource{Name: r.name, Strategy: provider.StrategyCursor, Endpoint: "GET " + r.path,
			Reference: r.ref, Incremental: r.events}
	}
	return out, nil
}
