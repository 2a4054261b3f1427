package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Clio Manage API v4: GET /api/v4/{resource}.json, bearer token, fields selection,
// offset paging capped at 10,000 records, cursor paging with an absolute meta.paging.next.
type clio struct{ s *Server }

const (
	clioMaxLimit  = 200
	clioOffsetCap = 10000
	clioNominal   = 50 // documented requests per minute, used for injected 429s
	clioTime      = "2006-01-02T15:04:05-07:00"
)

var clioFields = map[string][]string{
	"contacts":   {"id", "etag", "name", "type", "primary_email_address", "created_at", "updated_at"},
	"matters":    {"id", "etag", "display_number", "description", "status", "created_at", "updated_at"},
	"activities": {"id", "etag", "type", "date", "quantity", "price", "total", "note", "created_at", "updated_at"},
}

func newClio(s *Server) *clio {
	for _, name := range []string{"contacts", "matters", "activities"} {
		t := s.newTable(Clio, name, time.Second)
		first := int64(10_000_000 + t.salt%1_000_000)
		// base + 5i + (0..4): strictly increasing, and inserted records continue the sequence.
		t.idAt = func(i int, _ time.Time) string {
			return strconv.FormatInt(first+5*int64(i)+int64(t.h(i, hID)%5), 10)
		}
		s.addTable(t)
	}
	return &clio{s}
}

func (c *clio) resources() []string { return []string{"contacts", "matters", "activities"} }

func (c *clio) newestFirst(*table) bool { return false }

func (c *clio) credential(r *http.Request) string { return bearer(r) }

func (c *clio) record(t *table, i int) obj {
	m := t.meta(i)
	id, _ := strconv.ParseInt(m.id, 10, 64)
	h := func(k uint64) uint64 { return t.h(i, k) }
	// The etag changes whenever the record does; Clio sends it as a quoted string.
	etag := fmt.Sprintf("%q", fmt.Sprintf("%016x", mix(t.salt^uint64(id)^uint64(m.updated.Unix()))))
	o := obj{{"id", id}, {"etag", etag}}
	switch t.name {
	case "contacts":
		first, last := personName(h(hA))
		if h(hB)%4 == 0 {
			co := companyName(h(hC))
			o = append(o, kv{"name", co}, kv{"type", "Company"},
				kv{"primary_email_address", "info@" + strings.ToLower(strings.Fields(co)[0]) + ".example.com"})
		} else {
			o = append(o, kv{"name", first + " " + last}, kv{"type", "Person"},
				kv{"primary_email_address", emailOf(first, last, h(hC))})
		}
	case "matters":
		_, last := personName(h(hA))
		o = append(o, kv{"display_number", fmt.Sprintf("%05d-%s", i+1, last)},
			kv{"description", last + " - " + pick(topics, h(hB))},
			kv{"status", pick([]string{"Open", "Pending", "Closed"}, h(hC))})
	case "activities":
		typ, qty, price := "TimeEntry", float64(1+h(hA)%32)/4, float64(150+h(hB)%350)
		if h(hC)%5 == 0 {
			typ, qty, price = "ExpenseEntry", float64(1+h(hA)%3), float64(h(hB)%20000)/100
		}
		o = append(o, kv{"type", typ}, kv{"date", m.created.Format(time.DateOnly)},
			kv{"quantity", qty}, kv{"price", price}, kv{"total", math.Round(qty*price*100) / 100},
			kv{"note", pick(topics, h(hD))})
	}
	return append(o, kv{"created_at", m.created.Format(clioTime)}, kv{"updated_at", m.updated.Format(clioTime)})
}

func (c *clio) idOf(rec map[string]json.RawMessage) string {
	var n json.Number
	if json.Unmarshal(rec["id"], &n) != nil {
		return ""
	}
	return n.String()
}

func (c *clio) serve(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/api/v4/"), ".json")
	t := c.s.table(Clio, name)
	if !ok || t == nil {
		clioError(w, http.StatusNotFound, "NotFound", "no route matches "+r.URL.Path)
		return
	}
	if r.Method != http.MethodGet {
		clioError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", r.Method+" is not supported on "+r.URL.Path)
		return
	}
	q := r.URL.Query()
	fields := []string{"id", "etag"}
	if f := q.Get("fields"); f != "" {
		fields = strings.Split(f, ",")
		known := map[string]bool{}
		for _, k := range clioFields[name] {
			known[k] = true
		}
		for _, k := range fields {
			if !known[k] {
				clioError(w, http.StatusBadRequest, "InvalidFields", fmt.Sprintf("invalid field %q for %s", k, name))
				return
			}
		}
	}
	limit := clioMaxLimit
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > clioMaxLimit {
			clioError(w, http.StatusBadRequest, "ArgumentError", fmt.Sprintf("limit must be an integer between 1 and %d", clioMaxLimit))
			return
		}
		limit = n
	}
	var pred func(int) bool
	since := q.Get("updated_since")
	if since != "" {
		at, err := time.Parse(time.RFC3339, since)
		if err != nil {
			clioError(w, http.StatusBadRequest, "ArgumentError", "updated_since must be an ISO 8601 timestamp")
			return
		}
		pred = func(i int) bool { return !t.meta(i).updated.Before(at) }
	}
	order := q.Get("order")
	_, hasOffset := q["offset"]
	cursorMode := !hasOffset && order == "id(asc)"
	if q.Has("page_token") && !cursorMode {
		clioError(w, http.StatusBadRequest, "ArgumentError", "page_token requires order=id(asc) and no offset")
		return
	}

	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	v := view{t: t, hi: t.count(), pred: pred}
	total := t.cached("count:"+since, func() any { return v.count() }).(int)
	paging := obj{}
	var idx []int
	if cursorMode {
		if tok := q.Get("page_token"); tok != "" {
			after, err := decodeClioToken(tok)
			if err != nil {
				clioError(w, http.StatusBadRequest, "ArgumentError", "invalid page_token")
				return
			}
			v.lo = sort.Search(t.count(), func(i int) bool {
				id, _ := strconv.ParseInt(t.meta(i).id, 10, 64)
				return id > after
			})
		}
		var more bool
		idx, more = v.page(0, limit)
		if more {
			next := cloneQuery(q)
			next.Set("page_token", base64.RawURLEncoding.EncodeToString([]byte("after:"+t.meta(idx[len(idx)-1]).id)))
			paging = append(paging, kv{"next", absURL(r, next)})
		}
	} else {
		offset, err := strconv.Atoi(q.Get("offset"))
		if q.Get("offset") == "" {
			offset, err = 0, nil
		}
		if err != nil || offset < 0 {
			clioError(w, http.StatusBadRequest, "ArgumentError", "offset must be a non-negative integer")
			return
		}
		if offset >= clioOffsetCap {
			clioError(w, http.StatusUnprocessableEntity, "ArgumentError",
				fmt.Sprintf("offset pagination is limited to %d records; use order=id(asc) without offset for cursor pagination", clioOffsetCap))
			return
		}
		switch order {
		case "", "id(asc)", "created_at(asc)":
		case "id(desc)", "created_at(desc)":
			v.desc = true
		case "updated_at(asc)", "updated_at(desc)":
			v.perm, v.desc = t.byUpdated(), order == "updated_at(desc)"
		default:
			clioError(w, http.StatusBadRequest, "ArgumentError", fmt.Sprintf("invalid order %q", order))
			return
		}
		// Records past the cap are unreachable: the page is cut at record 10,000.
		idx, _ = v.page(offset, min(limit, clioOffsetCap-offset))
		if offset > 0 {
			prev := cloneQuery(q)
			prev.Set("offset", strconv.Itoa(max(offset-limit, 0)))
			paging = append(paging, kv{"previous", absURL(r, prev)})
		}
		if n := offset + limit; n < min(total, clioOffsetCap) {
			next := cloneQuery(q)
			next.Set("offset", strconv.Itoa(n))
			paging = append(paging, kv{"next", absURL(r, next)})
		}
	}
	data := make([]obj, len(idx))
	for k, i := range idx {
		data[k] = c.record(t, i).pick(fields)
	}
	writeJSON(w, http.StatusOK, obj{{"data", data}, {"meta", obj{{"paging", paging}, {"records", total}}}})
}

func decodeClioToken(tok string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, err
	}
	s, ok := strings.CutPrefix(string(b), "after:")
	if !ok {
		return 0, fmt.Errorf("bad token")
	}
	return strconv.ParseInt(s, 10, 64)
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
