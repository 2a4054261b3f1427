package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Attio API v2: offset GET /v2/notes and /v2/tasks, offset POST records and entries queries
// (no has-more flag: a short page is the last, an exact multiple ends with an empty page),
// cursor GET /v2/meetings with pagination.next_cursor, one-page GET /v2/objects, /v2/lists
// and /v2/workspace_members, and a 429 whose Retry-After is an HTTP date.
type attio struct {
	s         *Server
	workspace string
	objectIDs map[string]string
	lists     []attioList
	member    string
}

const attioTime = "2006-01-02T15:04:05.000000000Z"

func newAttio(s *Server) *attio {
	a := &attio{s: s, objectIDs: map[string]string{}, lists: slices.Clone(attioLists)}
	ws := saltOf(s.opts.Seed, "attio/workspace")
	a.workspace, a.member = uuid(ws, mix(ws)), uuid(mix(ws+1), mix(ws+2))
	for _, name := range a.resources() {
		t := s.newTable(Attio, name, time.Microsecond)
		t.idAt = func(i int, _ time.Time) string { return uuid(t.h(i, hID), t.h(i, hID2)) }
		s.addTable(t)
		a.objectIDs[name] = uuid(mix(t.salt), mix(t.salt+1))
	}
	for k := range a.lists {
		a.lists[k].id = a.objectIDs[attioListPrefix+a.lists[k].slug]
	}
	return a
}

// resources are the tables, named as an account export names them: objects by api_slug,
// list entries list.<api_slug>.
func (a *attio) resources() []string {
	names := []string{"people", "companies", "deals", "invoices", "notes", "meetings", "tasks", "workspace_members"}
	for _, l := range attioLists {
		names = append(names, attioListPrefix+l.slug)
	}
	return names
}

func (a *attio) newestFirst(*table) bool { return false }

func (a *attio) credential(r *http.Request) string { return bearer(r) }

func at(t time.Time) string { return t.UTC().Format(attioTime) }

// name is the value the sandbox's "name" filter compares against.
func (a *attio) name(t *table, i int) string {
	switch t.name {
	case "people":
		first, last := personName(t.h(i, hA))
		return first + " " + last
	case "companies":
		return companyName(t.h(i, hA))
	default:
		return pick(topics, t.h(i, hA)) + " - " + companyName(t.h(i, hB))
	}
}

func (a *attio) idOf(rec map[string]json.RawMessage) string {
	var id map[string]string
	if json.Unmarshal(rec["id"], &id) != nil {
		return ""
	}
	for _, k := range []string{"record_id", "note_id", "meeting_id", "task_id", "entry_id", "workspace_member_id"} {
		if id[k] != "" {
			return id[k]
		}
	}
	return ""
}

// attioHandler answers one endpoint; t is its table (nil for the one-page catalog lists).
type attioHandler func(w http.ResponseWriter, r *http.Request, t *table)

func (a *attio) serve(w http.ResponseWriter, r *http.Request) {
	method, t, serve, missing := a.route(strings.TrimPrefix(r.URL.Path, "/v2"))
	switch {
	case missing != "":
		attioError(w, http.StatusNotFound, "invalid_request_error", "not_found", missing)
		return
	case serve == nil:
		attioError(w, http.StatusNotFound, "invalid_request_error", "not_found", "no route for "+r.Method+" "+r.URL.Path)
		return
	case r.Method != method:
		attioError(w, http.StatusMethodNotAllowed, "invalid_request_error", "method_not_allowed", r.Method+" is not allowed on "+r.URL.Path)
		return
	}
	a.s.mu.RLock()
	defer a.s.mu.RUnlock()
	serve(w, r, t)
}

// route maps a path to its method, table and handler; missing is Attio's 404 message for
// an object or list the workspace does not have.
func (a *attio) route(path string) (method string, t *table, serve attioHandler, missing string) {
	get := func(name string, h attioHandler) (string, *table, attioHandler, string) {
		return http.MethodGet, a.s.table(Attio, name), h, ""
	}
	switch path {
	case "/notes":
		return get("notes", a.notes)
	case "/meetings":
		return get("meetings", a.meetings)
	case "/tasks":
		return get("tasks", a.tasks)
	case "/workspace_members":
		return get("workspace_members", a.members)
	case "/objects":
		return get("", a.objects)
	case "/lists":
		return get("", a.listsPage)
	}
	if object, ok := cutAround(path, "/objects/", "/records/query"); ok {
		if !slices.ContainsFunc(attioObjects, func(o attioObject) bool { return o.slug == object }) {
			return "", nil, nil, fmt.Sprintf("Object with slug/ID %q not found.", object)
		}
		return http.MethodPost, a.s.table(Attio, object), a.recordsQuery, ""
	}
	if list, ok := cutAround(path, "/lists/", "/entries/query"); ok {
		if t = a.listTable(list); t == nil {
			return "", nil, nil, fmt.Sprintf("List with slug/ID %q not found.", list)
		}
		return http.MethodPost, t, a.entriesQuery, ""
	}
	return "", nil, nil, ""
}

// cutAround returns what lies between prefix and suffix, when path has both.
func cutAround(path, prefix, suffix string) (string, bool) {
	mid, ok := strings.CutPrefix(path, prefix)
	if !ok || !strings.HasSuffix(mid, suffix) {
		return "", false
	}
	mid = strings.TrimSuffix(mid, suffix)
	return mid, mid != "" && !strings.Contains(mid, "/")
}

// notes is offset paging with query parameters: default limit 10, max 50, and the
// documented parent_object/parent_record_id filters.
func (a *attio) notes(w http.ResponseWriter, r *http.Request, t *table) {
	q := r.URL.Query()
	limit, ok := attioInt(w, q.Get("limit"), "limit", 10, 1, 50)
	if !ok {
		return
	}
	offset, ok := attioInt(w, q.Get("offset"), "offset", 0, 0, -1)
	if !ok {
		return
	}
	var preds []func(int) bool
	for _, f := range []string{"parent_object", "parent_record_id"} {
		if want := q.Get(f); q.Has(f) {
			preds = append(preds, func(i int) bool { return a.record(t, i).get(f) == want })
		}
	}
	v := view{t: t, hi: t.count(), pred: all(preds)}
	a.write(w, t, a.offsetPage(&v, offset, limit), nil)
}

// offsetPage is one offset page; under ContractHasMoreForever a page that would be short is
// filled with the last records again, so the short page that ends a walk never comes.
func (a *attio) offsetPage(v *view, offset, limit int) []int {
	idx, _ := v.page(offset, limit)
	if len(idx) == limit || !a.s.broken(Attio, ContractHasMoreForever) {
		return idx
	}
	at, n := v.positional()
	if n == 0 {
		return idx
	}
	out := make([]int, limit)
	for k := range out {
		out[k] = at(((n-limit+k)%n + n) % n)
	}
	return out
}

// meetings is cursor paging: default limit 50, max 200. The cursor remembers the limit it was
// issued for, and a request that changes it is refused rather than silently misread.
func (a *attio) meetings(w http.ResponseWriter, r *http.Request, t *table) {
	q := r.URL.Query()
	limit, ok := attioInt(w, q.Get("limit"), "limit", 50, 1, 200)
	if !ok {
		return
	}
	if q.Has("linked_object") != q.Has("linked_record_id") {
		attioError(w, http.StatusBadRequest, "invalid_request_error", "validation_type",
			"linked_object and linked_record_id must be provided together")
		return
	}
	v := view{t: t, hi: t.count()}
	if q.Has("linked_object") {
		object, id := q.Get("linked_object"), q.Get("linked_record_id")
		v.pred = func(i int) bool {
			return slices.ContainsFunc(a.meetingLinks(t, i), func(l obj) bool {
				return (l.get("object_slug") == object || l.get("object_id") == object) && l.get("record_id") == id
			})
		}
	}
	c := q.Get("cursor")
	from, pad := 0, 0
	if c != "" {
		var lim int
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err == nil {
			_, err = fmt.Sscanf(string(b), "mt:%d:%d", &from, &lim)
		}
		if err != nil || from < 0 {
			attioError(w, http.StatusBadRequest, "invalid_request_error", "validation_type", "cursor is not valid")
			return
		}
		if lim != limit {
			attioError(w, http.StatusBadRequest, "invalid_request_error", "validation_type",
				fmt.Sprintf("cursor was issued for limit=%d; keep limit and filters identical between requests", lim))
			return
		}
		v.lo, pad = min(from, v.hi), len(b)
	}
	idx, more := v.page(0, limit)
	growing := a.s.broken(Attio, ContractGrowingCursor)
	if (growing || a.s.broken(Attio, ContractEndless)) && v.hi > 0 && v.pred == nil {
		// Past the end, fresh meetings (indices past the table) for ever.
		for k := max(from, v.hi); len(idx) < limit; k++ {
			idx = append(idx, k)
		}
		more = true
	}
	var next any
	switch {
	case c != "" && a.s.broken(Attio, ContractRepeatCursor):
		next = c
	case more:
		cur := fmt.Sprintf("mt:%d:%d", idx[len(idx)-1]+1, limit)
		if growing {
			cur += ":" + strings.Repeat("x", max(256, 2*pad))
		}
		next = base64.RawURLEncoding.EncodeToString([]byte(cur))
	}
	a.write(w, t, idx, obj{{"next_cursor", next}})
}

// recordsQuery and entriesQuery are offset paging with a JSON body: default limit 500 and,
// no maximum being documented, 500 at most (the stricter reading). Both spend the
// score-based limit (attio_score.go), as the rate-limit guide says of List records and List
// entries. Records filter on created_at, record_id and name; entries on created_at.
func (a *attio) recordsQuery(w http.ResponseWriter, r *http.Request, t *table) {
	a.query(w, r, t, "created_at", "record_id", "name")
}

func (a *attio) entriesQuery(w http.ResponseWriter, r *http.Request, t *table) {
	a.query(w, r, t, "created_at")
}

func (a *attio) query(w http.ResponseWriter, r *http.Request, t *table, attrs ...string) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	body := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(raw)) > 0 && json.Unmarshal(raw, &body) != nil {
		attioError(w, http.StatusBadRequest, "invalid_request_error", "validation_type", "Body payload validation error: expected a JSON object")
		return
	}
	limit, ok := attioBodyInt(w, body["limit"], "limit", 500, 1, 500)
	if !ok {
		return
	}
	offset, ok := attioBodyInt(w, body["offset"], "offset", 0, 0, -1)
	if !ok {
		return
	}
	v := view{t: t, hi: t.count()}
	if err := a.filter(&v, body["filter"], attrs); err != nil {
		attioError(w, http.StatusBadRequest, "invalid_request_error", "validation_type", "Invalid filter: "+err.Error())
		return
	}
	sorts, err := attioSorts(&v, body["sorts"])
	if err != nil {
		attioError(w, http.StatusBadRequest, "invalid_request_error", "validation_type", "Invalid sorts: "+err.Error())
		return
	}
	if !a.admitScore(w, r, attioScore(t, body["sorts"], body["filter"], limit)) {
		return
	}
	v.shuffle = sorts > 0 && a.s.broken(Attio, ContractUnsorted)
	a.write(w, t, a.offsetPage(&v, offset, limit), nil)
}

// admitScore spends a query's score, or answers Attio's 429 with an HTTP-date Retry-After.
func (a *attio) admitScore(w http.ResponseWriter, r *http.Request, score int) bool {
	now := a.s.now()
	delay, tooComplex := a.s.scores.spend(bearer(r), score, now)
	if delay <= 0 {
		return true
	}
	a.s.stats.overScore(Attio)
	msg := "Rate limit exceeded, please try again later"
	if tooComplex {
		msg = fmt.Sprintf("Query complexity score %d exceeds the per-query limit of %d; reduce the query's complexity and try again",
			score, a.s.scores.perQuery)
	}
	a.rateLimitedMsg(w, rateState{delay: delay, now: now}, msg)
	return false
}

func (a *attio) write(w http.ResponseWriter, t *table, idx []int, pagination obj) {
	data := make([]obj, len(idx))
	for k, i := range idx {
		if i >= t.count() {
			data[k] = a.fresh(t, i)
			continue
		}
		data[k] = a.record(t, i)
	}
	out := obj{{"data", data}}
	if pagination != nil {
		out = append(out, kv{"pagination", pagination})
	}
	writeJSON(w, http.StatusOK, out)
}

// fresh is a record past the end of t, for an API that never ends (ContractEndless): a
// generated record's fields under an id no other record has.
func (a *attio) fresh(t *table, i int) obj {
	rec := slices.Clone(a.record(t, i%t.count()))
	for k := range rec {
		if rec[k].k == "id" {
			id := slices.Clone(rec[k].v.(obj))
			id[len(id)-1].v = uuid(mix(t.salt^uint64(i)), mix(uint64(i)))
			rec[k].v = id
		}
	}
	return rec
}

// attioInt parses an optional query integer in [lo, hi] (hi < 0: unbounded).
func attioInt(w http.ResponseWriter, s, name string, def, lo, hi int) (int, bool) {
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	return attioRange(w, n, err, name, lo, hi)
}

func attioBodyInt(w http.ResponseWriter, raw json.RawMessage, name string, def, lo, hi int) (int, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return def, true
	}
	var n int
	err := json.Unmarshal(raw, &n)
	return attioRange(w, n, err, name, lo, hi)
}

func attioRange(w http.ResponseWriter, n int, err error, name string, lo, hi int) (int, bool) {
	if err != nil || n < lo || (hi >= 0 && n > hi) {
		msg := fmt.Sprintf("%s must be an integer >= %d", name, lo)
		if hi >= 0 {
			msg = fmt.Sprintf("%s must be an integer between %d and %d", name, lo, hi)
		}
		attioError(w, http.StatusBadRequest, "invalid_request_error", "validation_type", msg)
		return 0, false
	}
	return n, true
}

func attioError(w http.ResponseWriter, status int, typ, code, msg string) {
	writeJSON(w, status, obj{{"status_code", status}, {"type", typ}, {"code", code}, {"message", msg}})
}

func (a *attio) unauthorized(w http.ResponseWriter) {
	attioError(w, http.StatusUnauthorized, "auth_error", "unauthorized", "Authentication failed: missing or invalid bearer token")
}

// Attio documents no rate-limit headers on successful answers.
func (a *attio) rateHeaders(http.ResponseWriter, rateState) {}

func (a *attio) rateLimited(w http.ResponseWriter, rs rateState) {
	a.rateLimitedMsg(w, rs, "Rate limit exceeded, please try again later")
}

func (a *attio) rateLimitedMsg(w http.ResponseWriter, rs rateState, msg string) {
	// An HTTP date has whole seconds: round up so the client is never early.
	w.Header().Set("Retry-After", time.Unix(ceilUnix(rs.now.Add(rs.delay)), 0).UTC().Format(http.TimeFormat))
	attioError(w, http.StatusTooManyRequests, "rate_limit_error", "rate_limit_exceeded", msg)
}

func (a *attio) unsupported(w http.ResponseWriter, param string) {
	attioError(w, http.StatusBadRequest, "invalid_request_error", "validation_type",
		param+" is documented, but the sandbox does not implement it")
}

func (a *attio) serverError(w http.ResponseWriter, status int) {
	attioError(w, status, "api_error", "internal_server_error", "An unexpected error occurred")
}
