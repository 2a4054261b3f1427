package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Clio Manage API v4: GET /api/v4/{action}.json, bearer token, fields selection,
// offset paging capped at 10,000 records, cursor paging with an absolute meta.paging.next.
type clio struct {
	s       *Server
	names   []string               // tables, in clioActions order
	actions map[string]*clioAction // by table name
	byPath  map[string]*clioAction
	wholes  map[string][]clioSel // by action path: what naming every field gets
}

const (
	clioMaxLimit  = 200
	clioOffsetCap = 10000
	clioNominal   = 50 // documented requests per minute, used for injected 429s
	clioTime      = "2006-01-02T15:04:05-07:00"
)

func newClio(s *Server) *clio {
	c := &clio{s: s, actions: map[string]*clioAction{}, byPath: map[string]*clioAction{}, wholes: map[string][]clioSel{}}
	for _, a := range clioActions {
		c.byPath[a.path] = a
		c.wholes[a.path] = c.whole(a)
		names := a.tableNames()
		first := int64(10_000_000 + saltOf(s.opts.Seed, Clio+"/"+a.path)%1_000_000)
		for k, name := range names {
			c.addTable(name, first, k, len(names))
			c.actions[name] = a
			c.names = append(c.names, name)
		}
	}
	return c
}

// addTable gives table k of an action's n tables ids first + 5(n·i + k) + (0..4): strictly
// increasing, inserted records continue the sequence, and tables sharing one action (matter
// and contact notes) never share an id.
func (c *clio) addTable(name string, first int64, k, n int) {
	t := c.s.newTable(Clio, name, time.Second)
	t.idAt = func(i int, _ time.Time) string {
		return strconv.FormatInt(first+5*int64(n*i+k)+int64(t.h(i, hID)%5), 10)
	}
	c.s.addTable(t)
}

func (c *clio) resources() []string { return c.names }

func (c *clio) newestFirst(*table) bool { return false }

func (c *clio) credential(r *http.Request) string { return bearer(r) }

// record is the record as a request naming every field gets it (see whole).
func (c *clio) record(t *table, i int) obj {
	return c.render(t, i, c.wholes[c.actions[t.name].path])
}

// render is the record with the fields sels name, in the schema's order.
func (c *clio) render(t *table, i int, sels []clioSel) obj {
	m := t.meta(i)
	r := clioRecord{t: t, i: i, m: m, special: clioSpecial(t, i, m)}
	return r.render(c.actions[t.name].schema, sels)
}

func (c *clio) idOf(rec map[string]json.RawMessage) string {
	var n json.Number
	if json.Unmarshal(rec["id"], &n) != nil {
		return ""
	}
	return n.String()
}

func clioError(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, obj{{"error", obj{{"type", typ}, {"message", msg}}}})
}

func (c *clio) unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="Clio"`)
	clioError(w, http.StatusUnauthorized, "AuthenticationError", "missing or invalid access token")
}

func (c *clio) rateHeaders(w http.ResponseWriter, rs rateState) {
	if !rs.budgeted {
		return
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(rs.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(rs.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(ceilUnix(rs.reset), 10))
}

func (c *clio) rateLimited(w http.ResponseWriter, rs rateState) {
	limit := rs.limit
	if !rs.budgeted {
		limit = clioNominal
	}
	h := w.Header()
	h.Set("Retry-After", strconv.FormatInt(rs.seconds(), 10))
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(ceilUnix(rs.reset), 10))
	clioError(w, http.StatusTooManyRequests, "RateLimited",
		fmt.Sprintf("rate limit exceeded; retry in %d seconds", rs.seconds()))
}

func (c *clio) serverError(w http.ResponseWriter, status int) {
	clioError(w, status, "InternalServerError", "an unexpected error occurred")
}

func (c *clio) unsupported(w http.ResponseWriter, param string) {
	clioError(w, http.StatusBadRequest, "ArgumentError", param+" is documented, but the sandbox does not implement it")
}

// Helpers shared by the providers.

func bearer(r *http.Request) string {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(tok)
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// absURL is the request's own URL with a new query, built from the Host the client used.
func absURL(r *http.Request, q url.Values) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.Path + "?" + q.Encode()
}

// ceilUnix is t in whole Unix seconds, rounded up so a client waiting until then is not early.
func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}
