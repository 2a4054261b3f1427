package sandbox

import (
	"net/http"
	"slices"
)

// The sandbox workspace's objects (GET /v2/objects) and lists (GET /v2/lists). The standard
// users and workspaces objects are not enabled in it, so a query of them is Attio's 404.
var attioObjects = []attioObject{
	{"people", "Person", "People"},
	{"companies", "Company", "Companies"},
	{"deals", "Deal", "Deals"},
	{"invoices", "Invoice", "Invoices"}, // a custom object
}

type attioObject struct{ slug, singular, plural string }

type attioList struct {
	slug, name, parent string
	stages             []string
	id                 string // set by newAttio
}

var attioLists = []attioList{
	{slug: "sales_pipeline", name: "Sales pipeline", parent: "companies", stages: []string{"Lead", "Qualified", "Won", "Lost"}},
	{slug: "recruiting", name: "Recruiting", parent: "people", stages: []string{"Applied", "Interview", "Offer", "Hired"}},
}

// attioListPrefix starts the table name of a list's entries: the resource name an account
// export uses for them, so Dataset takes it.
const attioListPrefix = "list."

func (a *attio) listOf(tableName string) attioList {
	k := slices.IndexFunc(a.lists, func(l attioList) bool { return attioListPrefix+l.slug == tableName })
	return a.lists[k]
}

// listTable finds a list's entries by api_slug or list_id, as the path takes either.
func (a *attio) listTable(ident string) *table {
	for _, l := range a.lists {
		if ident == l.slug || ident == l.id {
			return a.s.table(Attio, attioListPrefix+l.slug)
		}
	}
	return nil
}

// objects answers GET /v2/objects: every object, no paging.
func (a *attio) objects(w http.ResponseWriter, _ *http.Request, _ *table) {
	data := make([]obj, len(attioObjects))
	for k, o := range attioObjects {
		data[k] = obj{{"id", obj{{"workspace_id", a.workspace}, {"object_id", a.objectIDs[o.slug]}}},
			{"api_slug", o.slug}, {"singular_noun", o.singular}, {"plural_noun", o.plural},
			{"created_at", at(a.s.start)}}
	}
	writeJSON(w, http.StatusOK, obj{{"data", data}})
}

// listsPage answers GET /v2/lists: every list, no paging.
func (a *attio) listsPage(w http.ResponseWriter, _ *http.Request, _ *table) {
	data := make([]obj, len(a.lists))
	for k, l := range a.lists {
		data[k] = obj{{"id", obj{{"workspace_id", a.workspace}, {"list_id", l.id}}},
			{"api_slug", l.slug}, {"name", l.name}, {"parent_object", []string{l.parent}},
			{"workspace_access", "full-access"}, {"workspace_member_access", []obj{}},
			{"created_by_actor", obj{{"type", "workspace-member"}, {"id", a.member}}},
			{"created_at", at(a.s.start)}}
	}
	writeJSON(w, http.StatusOK, obj{{"data", data}})
}
