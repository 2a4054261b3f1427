package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// cleverReq is one parsed list request.
type cleverReq struct {
	version, name string // "/v3.1", "users"
	limit         int
	after, before string
	role          string
}

func (c *clever) serve(w http.ResponseWriter, r *http.Request) {
	version, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	t := c.s.table(Clever, name)
	if t == nil {
		cleverError(w, http.StatusNotFound, "Resource not found: "+r.URL.Path)
		return
	}
	if r.Method != http.MethodGet {
		cleverError(w, http.StatusMethodNotAllowed, "Method not allowed")
		return
	}
	if c.s.users[bearer(r)] {
		// SSO user tokens cannot list; Clever may answer with a web page instead of JSON.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("<!DOCTYPE html>\n<html><head><title>Clever | Log in</title></head><body><h1>Log in to Clever</h1></body></html>\n"))
		return
	}
	req, ok := parseCleverReq(w, r.URL.Query())
	if !ok {
		return
	}
	req.version, req.name = "/"+version, name
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	if name == "districts" {
		// No paging parameters are documented here: every district (one per token) at once.
		v := view{t: t, hi: t.count()}
		idx, _ := v.page(0, t.count())
		c.write(w, r, req, t, idx, nil)
		return
	}
	c.list(w, r, req, t)
}

func parseCleverReq(w http.ResponseWriter, q url.Values) (cleverReq, bool) {
	req := cleverReq{limit: 100, after: q.Get("starting_after"), before: q.Get("ending_before"), role: q.Get("role")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil || n < 1:
			cleverError(w, http.StatusBadRequest, "limit must be a positive integer")
			return req, false
		case n > cleverMaxLimit:
			cleverError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("limit must be at most %d", cleverMaxLimit))
			return req, false
		}
		req.limit = n
	}
	if req.after != "" && req.before != "" {
		cleverError(w, http.StatusBadRequest, "starting_after and ending_before cannot be combined")
		return req, false
	}
	for _, id := range []string{req.after, req.before} {
		if id != "" && !cleverID.MatchString(id) {
			cleverError(w, http.StatusBadRequest, "invalid id "+strconv.Quote(id))
			return req, false
		}
	}
	if req.role != "" && !slices.Contains([]string{"contact", "district_admin", "staff", "student", "teacher"}, req.role) {
		cleverError(w, http.StatusBadRequest, "invalid role "+strconv.Quote(req.role))
		return req, false
	}
	return req, true
}

// list is range paging over ascending ids: starting_after, ending_before, role on users.
func (c *clever) list(w http.ResponseWriter, r *http.Request, req cleverReq, t *table) {
	n := t.count()
	v := view{t: t, hi: n}
	if req.role != "" {
		v.pred = func(i int) bool { return slices.Contains(userRoles(t, i), req.role) }
	}
	firstAbove := func(id string, orEqual bool) int {
		return sort.Search(n, func(i int) bool {
			x := t.meta(i).id
			return x > id || orEqual && x == id
		})
	}
	var idx []int
	switch {
	case req.before != "":
		// The records just before the id, still ascending.
		v.hi, v.desc = firstAbove(req.before, true), true
		idx, _ = v.page(0, req.limit)
		slices.Reverse(idx)
	case c.s.broken(Clever, ContractUnsorted):
		at := -1
		if req.after != "" {
			at = firstAbove(req.after, false) - 1
		}
		idx = shuffledAfter(&v, at, req.limit)
	default:
		if req.after != "" {
			v.lo = firstAbove(req.after, false)
		}
		idx, _ = v.page(0, req.limit)
	}
	c.write(w, r, req, t, idx, c.links(req, t, idx))
}

// shuffledAfter is ContractUnsorted: the limit records that follow index at (-1: none) in a
// fixed shuffle of the kept records, so next links keep working but ids are not ascending.
func shuffledAfter(v *view, at, limit int) []int {
	var kept []int
	if v.pred != nil {
		v.walk(func(i int) bool { kept = append(kept, i); return true })
	}
	n := v.hi - v.lo
	if kept != nil {
		n = len(kept)
	}
	sc, start := newScramble(n), 0
	if at >= 0 {
		p := at
		if kept != nil {
			p = sort.SearchInts(kept, at)
		}
		start = sc.pos(min(p, n-1)) + 1
	}
	var out []int
	for k := start; k < n && k < start+limit; k++ {
		if i := sc.at(k); kept != nil {
			out = append(out, kept[i])
		} else {
			out = append(out, i)
		}
	}
	return out
}

// links: next on every non-empty page; prev as the docs' example shows.
func (c *clever) links(req cleverReq, t *table, idx []int) []obj {
	base := req.version + "/" + req.name + "?limit=" + strconv.Itoa(req.limit)
	if req.role != "" {
		base += "&role=" + req.role
	}
	var links []obj
	next := ""
	switch {
	case req.after != "" && c.s.broken(Clever, ContractRepeatCursor):
		next = req.after
	case len(idx) > 0:
		next = t.meta(idx[len(idx)-1]).id
	case c.s.broken(Clever, ContractHasMoreForever) && t.count() > 0:
		next = max(req.after, t.meta(t.count()-1).id) // past the end: empty pages
	}
	if next != "" {
		links = append(links, obj{{"rel", "next"}, {"uri", base + "&starting_after=" + next}})
	}
	switch {
	case len(idx) == 0:
	case req.after != "":
		links = append(links, obj{{"rel", "prev"}, {"uri", base + "&ending_before=" + req.after}})
	case req.before != "":
		links = append(links, obj{{"rel", "prev"}, {"uri", base + "&ending_before=" + t.meta(idx[0]).id}})
	}
	return links
}

func (c *clever) write(w http.ResponseWriter, r *http.Request, req cleverReq, t *table, idx []int, links []obj) {
	links = append([]obj{{{"rel", "self"}, {"uri", r.URL.RequestURI()}}}, links...)
	data := make([]obj, len(idx))
	for k, i := range idx {
		rec := c.record(t, i)
		data[k] = obj{{"data", rec}, {"uri", req.version + "/" + req.name + "/" + rec.get("id").(string)}}
	}
	writeJSON(w, http.StatusOK, obj{{"data", data}, {"links", links}})
}
