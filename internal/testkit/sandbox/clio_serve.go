package sandbox

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// serve is an index action: fields, limit, the required filter that picks the table,
// updated_since/created_since, scope, then cursor paging (order=id(asc), no offset) or
// limited offset paging.
func (c *clio) serve(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/api/v4/"), ".json")
	a := c.byPath[path]
	if !ok || a == nil {
		clioError(w, http.StatusNotFound, "NotFound", "no route matches "+r.URL.Path)
		return
	}
	if r.Method != http.MethodGet {
		clioError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", r.Method+" is not supported on "+r.URL.Path)
		return
	}
	if !c.version(w, r) {
		return
	}
	q := r.URL.Query()
	t, ok := c.selected(w, q, a)
	if !ok {
		return
	}
	sels, ok := c.fieldList(w, q, a)
	if !ok {
		return
	}
	limit, ok := clioLimit(w, q, a)
	if !ok {
		return
	}
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	v, ok := c.window(w, q, t)
	if !ok || !c.scope(w, q, a, &v) || !c.hide(w, q, a, &v) {
		return
	}
	c.answer(w, r, q, a, &v, sels, limit)
}

// answer pages by cursor (the paging guide: order=id(asc) and no offset; an action that
// documents page_token but no order, without offset) or else by limited offset.
func (c *clio) answer(w http.ResponseWriter, r *http.Request, q url.Values, a *clioAction, v *view, sels []clioSel, limit int) {
	_, hasOffset := q["offset"]
	byID := q.Get("order") == "id(asc)" || (a.unordered && !c.s.opts.ClioUnorderedOffset)
	cursorMode := !hasOffset && byID
	if q.Has("page_token") && !cursorMode {
		clioError(w, http.StatusBadRequest, "ArgumentError", "page_token requires order=id(asc) and no offset")
		return
	}
	total := c.total(v, q)
	page := c.offsetPage
	if cursorMode {
		page = c.cursorPage
	}
	idx, paging, ok := page(w, r, q, v, limit, total)
	if !ok {
		return
	}
	data := make([]obj, len(idx))
	for k, i := range idx {
		data[k] = c.render(v.t, i, sels)
	}
	meta := obj{{"paging", paging}}
	if !c.s.opts.ClioOmitTotal {
		meta = append(meta, kv{"records", total})
	}
	writeJSON(w, http.StatusOK, obj{{"data", data}, {"meta", meta}})
}

// clioVersions are the minor versions the reference lists (Minor Versions,
// https://docs.developers.clio.com/api-reference/#section/Minor-Versions); the last is the
// default.
var clioVersions = []string{"4.0.4", "4.0.5", "4.0.6", "4.0.7", "4.0.8", "4.0.9", "4.0.10", "4.0.12", "4.0.13"}

// version answers an X-API-VERSION the reference does not list with 410 Gone, and names
// the version used on every other answer, as Clio does.
func (c *clio) version(w http.ResponseWriter, r *http.Request) bool {
	v := r.Header.Get("X-API-VERSION")
	switch {
	case v == "":
		v = clioVersions[len(clioVersions)-1]
	case !slices.Contains(clioVersions, v):
		clioError(w, http.StatusGone, "Gone", fmt.Sprintf("API version %q is invalid or no longer supported", v))
		return false
	}
	w.Header().Set("X-API-VERSION", v)
	return true
}

// selected is the action's table, chosen by its required filter where it has one.
func (c *clio) selected(w http.ResponseWriter, q url.Values, a *clioAction) (*table, bool) {
	if a.by == "" {
		return c.s.table(Clio, a.path), true
	}
	var allowed []string
	for _, s := range a.tables {
		if q.Get(a.by) == s.value {
			return c.s.table(Clio, s.table), true
		}
		allowed = append(allowed, s.value)
	}
	clioError(w, http.StatusBadRequest, "ArgumentError",
		fmt.Sprintf("%s is required: one of %s", a.by, strings.Join(allowed, ", ")))
	return nil, false
}

func clioLimit(w http.ResponseWriter, q url.Values, a *clioAction) (int, bool) {
	most := clioMaxLimit
	if a.maxLimit > 0 {
		most = a.maxLimit
	}
	if !q.Has("limit") {
		return most, true
	}
	n, err := strconv.Atoi(q.Get("limit"))
	if err != nil || n < 1 || n > most {
		clioError(w, http.StatusBadRequest, "ArgumentError", fmt.Sprintf("limit must be an integer between 1 and %d", most))
		return 0, false
	}
	return n, true
}

// scope: children (the default) of the root folder, or all its descendants. The sandbox
// puts one record in four directly in the root folder.
func (c *clio) scope(w http.ResponseWriter, q url.Values, a *clioAction, v *view) bool {
	if !a.scoped {
		return true
	}
	switch q.Get("scope") {
	case "descendants":
		return true
	case "", "children":
		t := v.t
		also(v, func(i int) bool { return t.h(i, hE)%4 == 0 })
		return true
	}
	clioError(w, http.StatusBadRequest, "ArgumentError", "scope must be children or descendants")
	return false
}

// hide leaves out the records an action's hiding parameter hides unless it is true.
func (c *clio) hide(w http.ResponseWriter, q url.Values, a *clioAction, v *view) bool {
	h := a.hides
	if h == nil {
		return true
	}
	switch q.Get(h.param) {
	case "true":
		return true
	case "", "false":
		t := v.t
		also(v, func(i int) bool { return !h.hidden(t, i) })
		return true
	}
	clioError(w, http.StatusBadRequest, "ArgumentError", h.param+" must be true or false")
	return false
}

// also narrows v's predicate by p.
func also(v *view, p func(int) bool) {
	if prev := v.pred; prev != nil {
		v.pred = func(i int) bool { return prev(i) && p(i) }
		return
	}
	v.pred = p
}

// window applies updated_since (a predicate) and created_since (an index range: index order
// is creation order). Both keep records at or after the time. ContractIgnoreWindow skips them.
func (c *clio) window(w http.ResponseWriter, q url.Values, t *table) (view, bool) {
	v := view{t: t, hi: t.count()}
	for _, p := range []string{"updated_since", "created_since"} {
		if !q.Has(p) {
			continue
		}
		at, err := time.Parse(time.RFC3339, q.Get(p))
		if err != nil {
			clioError(w, http.StatusBadRequest, "ArgumentError", p+" must be an ISO 8601 timestamp")
			return v, false
		}
		switch {
		case c.s.broken(Clio, ContractIgnoreWindow):
		case p == "created_since":
			v.lo, v.hi = createdRange(t, "gte", at, v.lo, v.hi)
		default:
			also(&v, func(i int) bool { return !t.meta(i).updated.Before(at) })
		}
	}
	return v, true
}

func (c *clio) total(v *view, q url.Values) int {
	if v.pred == nil {
		return v.count()
	}
	key := fmt.Sprintf("count:%d:%d:%s:%s:%s", v.lo, v.hi, q.Get("updated_since"), q.Get("scope"), hideKey(q))
	return v.t.cached(key, func() any { return v.count() }).(int)
}

// cursorPage follows page_token ("after:<id>", or "at:<n>" over the shuffled order of
// ContractUnsorted); paging.next is absent on the last page.
func (c *clio) cursorPage(w http.ResponseWriter, r *http.Request, q url.Values, v *view, limit, _ int) ([]int, obj, bool) {
	t := v.t
	tok, pos := q.Get("page_token"), 0
	if tok != "" {
		kind, n, err := decodeClioToken(tok)
		if err != nil {
			clioError(w, http.StatusBadRequest, "ArgumentError", "invalid page_token")
			return nil, nil, false
		}
		if kind == "at" {
			pos = int(n)
		} else {
			v.lo = max(v.lo, sort.Search(t.count(), func(i int) bool { return clioID(t, i) > n }))
			v.hi = max(v.hi, v.lo)
		}
	}
	v.shuffle = c.s.broken(Clio, ContractUnsorted)
	idx, next, more := v.resume(pos, limit)
	var nextTok string
	switch {
	case tok != "" && c.s.broken(Clio, ContractRepeatCursor):
		nextTok = tok
	case more && v.shuffle:
		nextTok = clioToken("at", int64(next))
	case more:
		nextTok = clioToken("after", clioID(t, idx[len(idx)-1]))
	case c.s.broken(Clio, ContractHasMoreForever):
		nextTok = clioToken("after", clioID(t, t.count()-1)) // past the end: empty pages
	}
	if nextTok == "" {
		return idx, obj{}, true
	}
	return idx, obj{{"next", absURL(r, withParam(q, "page_token", nextTok))}}, true
}

// offsetPage is limited offset paging: custom orders, never past record 10,000.
func (c *clio) offsetPage(w http.ResponseWriter, r *http.Request, q url.Values, v *view, limit, total int) ([]int, obj, bool) {
	offset, err := strconv.Atoi(q.Get("offset"))
	if q.Get("offset") == "" {
		offset, err = 0, nil
	}
	if err != nil || offset < 0 {
		clioError(w, http.StatusBadRequest, "ArgumentError", "offset must be a non-negative integer")
		return nil, nil, false
	}
	if offset >= clioOffsetCap {
		clioError(w, http.StatusUnprocessableEntity, "ArgumentError",
			fmt.Sprintf("offset pagination is limited to %d records; use order=id(asc) without offset for cursor pagination", clioOffsetCap))
		return nil, nil, false
	}
	switch order := q.Get("order"); order {
	case "", "id(asc)", "created_at(asc)":
	case "id(desc)", "created_at(desc)":
		v.desc = true
	case "updated_at(asc)", "updated_at(desc)":
		if v.lo > 0 || v.hi < v.t.count() {
			// created_since narrowed index positions; over a permutation it must be a predicate.
			lo, hi, pred := v.lo, v.hi, v.pred
			v.pred = func(i int) bool { return i >= lo && i < hi && (pred == nil || pred(i)) }
			v.lo, v.hi = 0, v.t.count()
		}
		v.perm, v.desc = v.t.byUpdated(), order == "updated_at(desc)"
	default:
		clioError(w, http.StatusBadRequest, "ArgumentError", fmt.Sprintf("invalid order %q", order))
		return nil, nil, false
	}
	// Records past the cap are unreachable: the page is cut at record 10,000.
	idx, _ := v.page(offset, min(limit, clioOffsetCap-offset))
	paging := obj{}
	if offset > 0 {
		paging = append(paging, kv{"previous", absURL(r, withParam(q, "offset", strconv.Itoa(max(offset-limit, 0))))})
	}
	next := offset + limit
	if offset > 0 && c.s.broken(Clio, ContractRepeatCursor) {
		next = offset
	}
	if next < clioOffsetCap && (next < total || c.s.broken(Clio, ContractHasMoreForever)) {
		paging = append(paging, kv{"next", absURL(r, withParam(q, "offset", strconv.Itoa(next)))})
	}
	return idx, paging, true
}

// hideKey is the hiding parameters a request sends, for the count cache.
func hideKey(q url.Values) string {
	var out string
	for _, a := range clioActions {
		if a.hides != nil {
			out += q.Get(a.hides.param) + ","
		}
	}
	return out
}

func clioID(t *table, i int) int64 {
	if i < 0 {
		return 0
	}
	id, _ := strconv.ParseInt(t.meta(i).id, 10, 64)
	return id
}

func clioToken(kind string, n int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatInt(n, 10)))
}

func decodeClioToken(tok string) (kind string, n int64, err error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", 0, err
	}
	kind, num, _ := strings.Cut(string(b), ":")
	if kind != "after" && kind != "at" {
		return "", 0, fmt.Errorf("bad token")
	}
	n, err = strconv.ParseInt(num, 10, 64)
	return kind, n, err
}

func withParam(q url.Values, k, v string) url.Values {
	out := cloneQuery(q)
	out.Set(k, v)
	return out
}
