package attio

import (
	"regexp"
	"slices"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// kind is how a resource is listed.
type kind int

const (
	kindNotes    kind = iota + 1 // GET /v2/notes, limit/offset in the query
	kindRecords                  // POST /v2/objects/{object}/records/query, limit/offset in the body
	kindMeetings                 // GET /v2/meetings, limit/cursor
	kindTasks                    // GET /v2/tasks, limit/offset in the query
	kindEntries                  // POST /v2/lists/{list}/entries/query, limit/offset in the body
	kindMembers                  // GET /v2/workspace_members, one page
)

// shape is what one kind sends and what Validate allows and fills in for it.
type shape struct {
	endpoint  string // documented method and path
	reference string // the reference page that documents it and every parameter sent
	strategy  string
	// maxPage is the largest limit; 0 means the endpoint documents no paging parameter.
	maxPage int
	filters []string
	// query means the endpoint takes a filter body: the user's query and since (created_at).
	query bool
}

const refBase = "https://docs.attio.com/rest-api/endpoint-reference/"

// shapes: where a reference gives a default limit and no maximum (records, entries, tasks),
// the default is the connector's maximum, the stricter reading.
var shapes = map[kind]shape{
	kindNotes: {"GET /v2/notes", refBase + "notes/list-notes", provider.StrategyOffset, 50,
		[]string{"parent_object", "parent_record_id"}, false},
	kindRecords: {"POST /v2/objects/{object}/records/query", refBase + "records/list-records", provider.StrategyOffset, 500, nil, true},
	// Only linked_object and linked_record_id are verified on the meetings reference; the
	// other filters seen in a third-party summary of it are not sent.
	kindMeetings: {"GET /v2/meetings", refBase + "meetings/list-meetings", provider.StrategyCursor, 200,
		[]string{"linked_object", "linked_record_id"}, false},
	kindTasks: {"GET /v2/tasks", refBase + "tasks/list-tasks", provider.StrategyOffset, 500,
		[]string{"linked_object", "linked_record_id", "assignee", "is_completed"}, false},
	kindEntries: {"POST /v2/lists/{list}/entries/query", refBase + "entries/list-entries", provider.StrategyOffset, 500, nil, true},
	kindMembers: {"GET /v2/workspace_members", refBase + "workspace-members/list-workspace-members", provider.StrategyCursor, 0, nil, false},
}

type tableRow struct {
	name string
	kind kind
}

// table is the catalog's own rows: what every workspace has besides its objects and lists.
// Adding a resource is one row here (a new kind also needs a shape and a Fetch case).
var table = []tableRow{
	{"meetings", kindMeetings},
	{"notes", kindNotes},
	{"tasks", kindTasks},
	{"workspace_members", kindMembers},
}

// listPrefix starts a list's resource name: its entries are list.<api_slug>, one folder per
// list beside the others, never nested.
const listPrefix = "list."

// slugShape is an api_slug ("formatted in snake case"); idShape is an object or list id.
var (
	slugShape = regexp.MustCompile(`^[a-z0-9][a-z0-9_]*$`)
	idShape   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// identifies reports whether s can name an object or list in a path: a slug or an id.
func identifies(s string) bool { return slugShape.MatchString(s) || idShape.MatchString(s) }

// target is what a resource name resolves to: its kind and, for records and entries, the
// object or list it names in the path.
type target struct {
	kind  kind
	ident string
}

// resolve maps a resource name to its target; the zero target means not an attio resource.
// Objects and lists are found in the account, so any name of their documented shape is
// accepted here (the standard people, companies, deals, users and workspaces among them),
// and Fetch fails non-retryably if Attio says it does not exist.
func (c *Connector) resolve(resource string) target {
	for _, r := range table {
		if r.name == resource {
			return target{kind: r.kind}
		}
	}
	if list, ok := strings.CutPrefix(resource, listPrefix); ok {
		if identifies(list) {
			return target{kindEntries, list}
		}
		return target{}
	}
	if identifies(resource) || slices.Contains(c.cfg.Objects, resource) {
		return target{kindRecords, resource}
	}
	return target{}
}

// isTableName reports whether name is one of the table's rows, which a discovered object
// must not shadow.
func isTableName(name string) bool {
	return slices.ContainsFunc(table, func(r tableRow) bool { return r.name == name })
}

// endpointOf is t's endpoint with the object or list filled in.
func endpointOf(t target) string {
	e := shapes[t.kind].endpoint
	e = strings.Replace(e, "{object}", t.ident, 1)
	return strings.Replace(e, "{list}", t.ident, 1)
}
