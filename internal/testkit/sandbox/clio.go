package sandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
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
	"calendar_entries": {"id", "etag", "summary", "description", "location", "start_at", "end_at", "all_day",
		"created_at", "updated_at"},
}

func newClio(s *Server) *clio {
	for _, name := range clioResources {
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

var clioResources = []string{"contacts", "matters", "activities", "calendar_entries"}

func (c *clio) resources() []string { return clioResources }

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
	case "calendar_entries":
		start := m.created.Add(time.Duration(1+h(hA)%(21*24)) * time.Hour).Truncate(time.Hour)
		_, last := personName(h(hB))
		o = append(o, kv{"summary", title(pick(topics, h(hC)))}, kv{"description", "With " + last},
			kv{"location", pick([]string{"Office", "Courthouse", "Video call"}, h(hD))},
			kv{"start_at", start.Format(clioTime)}, kv{"end_at", start.Add(time.Hour).Format(clioTime)},
			kv{"all_day", false})
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
