package sandbox

import (
	"net/http"
	"strings"
	"time"
)

// Custom objects belong to leads, and their list endpoint requires lead_id
// (https://developer.close.com/api/resources/custom-objects/list): an account's custom
// objects of one type are only reachable lead by lead.

// closeTypeID is custom object type i's id. It does not depend on Seed, so tests can name
// the discovered resources (custom_object.<type id>) before they build a sandbox; ids grow
// with i, as tied Close ids do.
func closeTypeID(i int) string {
	h := mix(0xc0ffee ^ uint64(i))
	return "cotype_" + encode62(uint64(i), 4) + encode62(h, 9) + encode62(mix(h), 9)
}

// objectTables adds one table of records per custom object type the account starts with.
// Without leads there is nowhere to put a custom object, so the tables are empty.
func (c *closeAPI) objectTables() {
	types, leads := c.s.table(Close, "custom_object_type"), c.s.table(Close, "lead")
	for i := range types.base {
		name := closeObjectPrefix + closeTypeID(i)
		t := c.s.newTable(Close, name, time.Millisecond)
		if leads.base == 0 {
			t.base = 0
		}
		c.layout(t, "custobj")
		c.s.addTable(t)
		c.names = append(c.names, name)
	}
}

// objectLead is the index of the lead record i of t belongs to: generated records spread
// evenly over the generated leads in index order, inserted ones round-robin.
func (c *closeAPI) objectLead(t *table, i int) int {
	leads := c.s.table(Close, "lead").base
	if leads == 0 {
		return -1
	}
	if i < t.base {
		return i * leads / t.base
	}
	return (i - t.base) % leads
}

// objectsOn lists the indices of t's records on lead j (the inverse of objectLead).
func (c *closeAPI) objectsOn(t *table, j int) []int {
	leads, n := c.s.table(Close, "lead").base, t.base
	var out []int
	if leads == 0 {
		return nil
	}
	for i := (j*n + leads - 1) / leads; i < ((j+1)*n+leads-1)/leads && i < n; i++ {
		out = append(out, i)
	}
	for i := n; i < t.count(); i++ {
		if (i-n)%leads == j {
			out = append(out, i)
		}
	}
	return out
}

// leadIndex finds a generated lead by id.
func (c *closeAPI) leadIndex(id string) (int, bool) {
	l := c.s.table(Close, "lead")
	byID := l.cached("index-by-id", func() any {
		m := make(map[string]int, l.base)
		for i := range l.base {
			m[l.meta(i).id] = i
		}
		return m
	}).(map[string]int)
	j, ok := byID[id]
	return j, ok
}

// customObjects is GET /api/v1/custom_object/: lead_id required, custom_object_type_id
// optional, no paging parameters.
func (c *closeAPI) customObjects(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lead := q.Get("lead_id")
	if lead == "" {
		closeFieldError(w, "lead_id", "This field is required.")
		return
	}
	var tables []*table
	for _, name := range c.names {
		if typ, ok := strings.CutPrefix(name, closeObjectPrefix); ok && (!q.Has("custom_object_type_id") || typ == q.Get("custom_object_type_id")) {
			tables = append(tables, c.s.table(Close, name))
		}
	}
	data := []obj{}
	if j, ok := c.leadIndex(lead); ok {
		for _, t := range tables {
			for _, i := range c.objectsOn(t, j) {
				data = append(data, c.record(t, i))
			}
		}
	}
	writeJSON(w, http.StatusOK, obj{{"data", data}, {"has_more", c.s.broken(Close, ContractHasMoreForever)}})
}

// customObjectType is GET /api/v1/custom_object_type/{id}/.
func (c *closeAPI) customObjectType(w http.ResponseWriter, id string) {
	t := c.s.table(Close, "custom_object_type")
	for i := range t.count() {
		if t.meta(i).id == id {
			writeJSON(w, http.StatusOK, c.record(t, i))
			return
		}
	}
	closeError(w, http.StatusNotFound, "Not found.")
}

// onePage answers a list whose reference documents no paging: every record, newest first.
// has_more stays in the answer, as on every Close list; breaking has-more-forever sets it.
func (c *closeAPI) onePage(w http.ResponseWriter, r *http.Request, t *table) {
	v := view{t: t, hi: t.count(), desc: true}
	idx, _ := v.page(0, t.count())
	out := obj{{"data", c.render(t, idx, r.URL.Query().Get("_fields"))}, {"has_more", c.s.broken(Close, ContractHasMoreForever)}}
	writeJSON(w, http.StatusOK, out)
}
