package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Attio API v2: offset GET /v2/notes, offset POST /v2/objects/{object}/records/query (no
// has-more flag: a short page is the last, an exact multiple ends with an empty page), cursor
// GET /v2/meetings with pagination.next_cursor, and a 429 whose Retry-After is an HTTP date.
type attio struct {
	s         *Server
	workspace string
	objectIDs map[string]string
	member    string
}

const attioTime = "2006-01-02T15:04:05.000000000Z"

var attioObjects = []string{"people", "companies", "deals"}

func newAttio(s *Server) *attio {
	a := &attio{s: s, objectIDs: map[string]string{}}
	ws := saltOf(s.opts.Seed, "attio/workspace")
	a.workspace, a.member = uuid(ws, mix(ws)), uuid(mix(ws+1), mix(ws+2))
	for _, name := range a.resources() {
		t := s.newTable(Attio, name, time.Microsecond)
		t.idAt = func(i int, _ time.Time) string { return uuid(t.h(i, hID), t.h(i, hID2)) }
		s.addTable(t)
		a.objectIDs[name] = uuid(mix(t.salt), mix(t.salt+1))
	}
	return a
}

func (a *attio) resources() []string {
	return []string{"people", "companies", "deals", "notes", "meetings"}
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

func (a *attio) record(t *table, i int) obj {
	m := t.meta(i)
	h := func(k uint64) uint64 { return t.h(i, k) }
	// Attio values are lists of attribute-value objects; active_from moves when a value changes.
	value := func(typ string, fields ...kv) []obj {
		v := obj{{"active_from", at(m.updated)}, {"active_until", nil},
			{"created_by_actor", obj{{"type", "system"}, {"id", nil}}}}
		return []obj{append(append(v, fields...), kv{"attribute_type", typ})}
	}
	switch t.name {
	case "notes":
		first, last := personName(h(hA))
		return obj{{"id", obj{{"workspace_id", a.workspace}, {"note_id", m.id}}},
			{"parent_object", "people"}, {"parent_record_id", uuid(h(hB), h(hC))}, {"meeting_id", nil},
			{"title", "Call with " + first + " " + last},
			{"content_plaintext", "Discussed " + pick(topics, h(hD)) + "."},
			{"content_markdown", "Discussed **" + pick(topics, h(hD)) + "**."},
			{"tags", []any{}},
			{"created_by_actor", obj{{"type", "workspace-member"}, {"id", a.member}}},
			{"created_at", at(m.created)}}
	case "meetings":
		first, last := personName(h(hA))
		start := m.created.Add(time.Duration(h(hB)%(14*24)) * time.Hour).Truncate(time.Hour)
		return obj{{"id", obj{{"workspace_id", a.workspace}, {"meeting_id", m.id}}},
			{"title", title(pick(topics, h(hC)))},
			{"description", "Meeting with " + first + " " + last},
			{"is_all_day", false},
			{"start", obj{{"datetime", at(start)}, {"timezone", "UTC"}}},
			{"end", obj{{"datetime", at(start.Add(30 * time.Minute))}, {"timezone", "UTC"}}},
			{"participants", []obj{{{"email_address", emailOf(first, last, h(hD))}, {"is_organizer", true}, {"status", "accepted"}}}},
			{"linked_records", []any{}},
			{"created_at", at(m.created)},
			{"created_by_actor", obj{{"type", "system"}, {"id", nil}}}}
	}
	var values obj
	switch t.name {
	case "people":
		first, last := personName(h(hA))
		email := emailOf(first, last, h(hB))
		local, dom, _ := strings.Cut(email, "@")
		values = obj{
			{"name", value("personal-name", kv{"first_name", first}, kv{"last_name", last}, kv{"full_name", first + " " + last})},
			{"email_addresses", value("email-address", kv{"original_email_address", email}, kv{"email_address", email},
				kv{"email_domain", dom}, kv{"email_root_domain", dom}, kv{"email_local_specifier", local})},
			{"job_title", value("text", kv{"value", pick([]string{"Engineer", "Director", "Counsel", "Analyst"}, h(hC))})},
		}
	case "companies":
		dom := strings.ToLower(strings.Fields(a.name(t, i))[0]) + ".example.com"
		values = obj{
			{"name", value("text", kv{"value", a.name(t, i)})},
			{"domains", value("domain", kv{"domain", dom}, kv{"root_domain", dom})},
		}
	case "deals":
		values = obj{
			{"name", value("text", kv{"value", a.name(t, i)})},
			{"stage", value("status", kv{"status", obj{{"title", pick([]string{"Lead", "In Progress", "Won", "Lost"}, h(hC))}}})},
			{"value", value("currency", kv{"currency_value", int(h(hD) % 100000)}, kv{"currency_code", "USD"})},
		}
	}
	return obj{{"id", obj{{"workspace_id", a.workspace}, {"object_id", a.objectIDs[t.name]}, {"record_id", m.id}}},
		{"created_at", at(m.created)},
		{"web_url", "https://app.attio.com/sandbox/" + t.name + "/" + m.id + "/overview"},
		{"values", values}}
}

func (a *attio) idOf(rec map[string]json.RawMessage) string {
	var id map[string]string
	if json.Unmarshal(rec["id"], &id) != nil {
		return ""
	}
	for _, k := range []string{"record_id", "note_id", "meeting_id"} {
		if id[k] != "" {
			return id[k]
		}
	}
	return ""
}

func (a *attio) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/v2")
	method := http.MethodGet
	var serve func(w http.ResponseWriter, r *http.Request, t *table)
	var t *table
	switch {
	case path == "/notes":
		t, serve = a.s.table(Attio, "notes"), a.notes
	case path == "/meetings":
		t, serve = a.s.table(Attio, "meetings"), a.meetings
	case strings.HasPrefix(path, "/objects/") && strings.HasSuffix(path, "/records/query"):
		object := strings.TrimSuffix(strings.TrimPrefix(path, "/objects/"), "/records/query")
		for _, o := range attioObjects {
			if o == object {
				t = a.s.table(Attio, object)
			}
		}
		if t == nil {
			attioError(w, http.StatusNotFound, "invalid_request_error", "not_found", fmt.Sprintf("Object with slug/ID %q not found.", object))
			return
		}
		method, serve = http.MethodPost, a.query
	default:
		attioError(w, http.StatusNotFound, "invalid_request_error", "not_found", "no route for "+r.Method+" "+r.URL.Path)
		return
	}
	if r.Method != method {
		attioError(w, http.StatusMethodNotAllowed, "invalid_request_error", "method_not_allowed", r.Method+" is not allowed on "+r.URL.Path)
		return
	}
	a.s.mu.RLock()
	defer a.s.mu.RUnlock()
	serve(w, r, t)
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
		v.hi = 0 // generated meetings link no records
	}
	c := q.Get("cursor")
	if c != "" {
		var from, lim int
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
		v.lo = min(from, v.hi)
	}
	idx, more := v.page(0, limit)
	var next any
	switch {
	case c != "" && a.s.broken(Attio, ContractRepeatCursor):
		next = c
	case more:
		next = base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "mt:%d:%d", idx[len(idx)-1]+1, limit))
	}
	a.write(w, t, idx, obj{{"next_cursor", next}})
}

// query is offset paging with a JSON body: default and max limit 500. It is the "List
// records" endpoint, so it also spends the score-based limit (attio_score.go).
func (a *attio) query(w http.ResponseWriter, r *http.Request, t *table) {
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
	if err := a.filter(&v, body["filter"]); err != nil {
		attioError(w, http.StatusBadRequest, "invalid_request_error", "validation_type", "Invalid filter: "+err.Error())
		return
	}
	sorts, err := attioSorts(&v, body["sorts"])
	if err != nil {
		attioError(w, http.StatusBadRequest, "invalid_request_error", "validation_type", "Invalid sorts: "+err.Error())
		return
	}
	if !a.admitScore(w, r, attioScore(t, body["sorts"], body["filter"])) {
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
		msg = fmt.Sprintf("Query complexity score %d exceeds the per-query limit; reduce sorts and filters", score)
	}
	a.rateLimitedMsg(w, rateState{delay: delay, now: now}, msg)
	return false
}

func (a *attio) write(w http.ResponseWriter, t *table, idx []int, pagination obj) {
	data := make([]obj, len(idx))
	for k, i := range idx {
		data[k] = a.record(t, i)
	}
	out := obj{{"data", data}}
	if pagination != nil {
		out = append(out, kv{"pagination", pagination})
	}
	writeJSON(w, http.StatusOK, out)
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
