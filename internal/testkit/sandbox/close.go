package sandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Close API v1: HTTP Basic (API key, empty password); _skip/_limit lists with has_more and a
// per-resource max _skip; date_created filters; runs of records that share one date_created
// (bulk imports); cursor paging on the Events API and on Advanced Filtering.
type closeAPI struct {
	s     *Server
	org   string
	users []string
	names []string // table names in Resources order
}

const (
	closeTime     = "2006-01-02T15:04:05.000000-07:00"
	closeMaxLimit = 100
	closeNominal  = 20 // documented example: requests per second per key, used for injected 429s
	slots62       = 62 * 62 * 62 * 62
)

func newCloseAPI(s *Server) *closeAPI {
	c := &closeAPI{s: s}
	org := saltOf(s.opts.Seed, "close/org")
	c.org = "orga_" + encode62(org, 9) + encode62(mix(org), 9) + encode62(mix(org+1), 4)
	for k := range 3 {
		u := mix(org + uint64(10+k))
		c.users = append(c.users, "user_"+encode62(u, 9)+encode62(mix(u), 9)+encode62(mix(u+1), 4))
	}
	for _, l := range closeLists {
		t := s.newTable(Close, closeTableName(l.path), time.Millisecond)
		t.base = s.closeSize(l)
		c.layout(t, l.prefix)
		if l.path == "custom_object_type" {
			t.idAt = func(i int, _ time.Time) string { return closeTypeID(i) }
		}
		s.addTable(t)
		c.names = append(c.names, t.name)
	}
	c.objectTables()
	return c
}

// layout gives t its timestamps and ids. Events keep 30 days of history, newest first;
// everything else comes in runs of tied date_created values (bulk imports).
func (c *closeAPI) layout(t *table, prefix string) {
	tie := c.s.opts.CloseTieRun
	if t.name == "event" {
		t.start, t.maxAge = t.end.Add(-30*24*time.Hour), 0
		t.createdAt = t.linear()
		t.idAt = func(i int, _ time.Time) string { return closeID(prefix, t.h(i, hID)%slots62, t, i) }
	} else {
		c.blocks(t, tie)
		t.idAt = func(i int, _ time.Time) string {
			if p := i % (2 * tie); p < tie {
				return closeID(prefix, tieSlot(p, tie, t.h(i, hID)), t, i)
			}
			return closeID(prefix, t.h(i, hID)%slots62, t, i)
		}
	}
	t.batchID = func(i, pos, n int, _ time.Time) string {
		return closeID(prefix, tieSlot(pos, n, t.h(i, hID)), t, i)
	}
}

// blocks lays records out in blocks of 2*tie: the first tie records of a block share one
// date_created (a bulk import), the rest have distinct ones. Times stay non-decreasing.
func (c *closeAPI) blocks(t *table, tie int) {
	size := 2 * tie
	n := max((t.base+size-1)/size, 1)
	d := max(t.end.Sub(t.start)/time.Duration(n), time.Duration(tie+1)*time.Millisecond)
	gap := d / time.Duration(tie+1)
	t.createdAt = func(i int) time.Time {
		b, p := i/size, i%size
		at := t.start.Add(d * time.Duration(b))
		if p >= tie {
			at = at.Add(gap * time.Duration(p-tie+1))
		}
		return at.Truncate(time.Millisecond)
	}
}

// tieSlot gives record pos of an n-record tie group a 4-character prefix in its own slice of
// the base62 range, so ids look random yet sort in index order within the group: the order by
// (date_created, id) is then exactly index order.
func tieSlot(pos, n int, h uint64) uint64 {
	if n > slots62 {
		n = slots62
		pos = min(pos, n-1)
	}
	width := uint64(slots62 / n)
	return uint64(pos)*width + h%width
}

func closeID(prefix string, slot uint64, t *table, i int) string {
	return prefix + "_" + encode62(slot, 4) + encode62(t.h(i, hID2), 9) + encode62(t.h(i, hE), 9)
}

func (c *closeAPI) resources() []string { return c.names }

// newestFirst: lists default to -date_created (ties by id descending), as do events.
func (c *closeAPI) newestFirst(*table) bool { return true }

func (c *closeAPI) credential(r *http.Request) string {
	user, pass, ok := r.BasicAuth()
	if !ok || pass != "" {
		return ""
	}
	return user
}

func ct(t time.Time) string { return t.UTC().Format(closeTime) }

// leadOf is a generated lead for records that point at one; it ignores inserted leads so a
// record's content never depends on later changes.
func (c *closeAPI) leadOf(h uint64) (id, name string) {
	l := c.s.table(Close, "lead")
	if l.base == 0 {
		return "lead_" + encode62(h, 9) + encode62(mix(h), 9) + "0000", companyName(h)
	}
	j := int(h % uint64(l.base))
	return l.meta(j).id, companyName(l.h(j, hA))
}

func (c *closeAPI) record(t *table, i int) obj {
	m := t.meta(i)
	h := func(k uint64) uint64 { return t.h(i, k) }
	user := c.users[h(hD)%uint64(len(c.users))]
	o := obj{{"id", m.id}, {"organization_id", c.org}}
	switch t.name {
	case "lead":
		o = append(o, c.leadFields(m, h, user)...)
	case "contact":
		o = append(o, c.contactFields(h, user)...)
	case "opportunity":
		o = append(o, c.opportunityFields(m, h, user)...)
	case "activity":
		o = append(o, c.activityFields(pick(closeActivityTypes, h(hC)), m, h, user)...)
	case "event":
		lead, _ := c.leadOf(h(hB))
		object := pick([]string{"lead", "contact", "opportunity", "activity.note"}, h(hC))
		action := pick([]string{"created", "updated", "updated", "deleted"}, h(hA))
		changed := []string{}
		if action == "updated" {
			changed = []string{pick([]string{"name", "status_id", "description"}, h(hE))}
		}
		// The event format of https://developer.close.com/api/resources/events: data is the
		// object as the API returns it (null when deleted), previous_data the changed fields'
		// old values.
		var data, previous any
		if action != "deleted" {
			data = obj{{"id", lead}, {"organization_id", c.org}}
		}
		if action == "updated" {
			previous = obj{{changed[0], nil}}
		}
		return obj{{"id", m.id}, {"date_created", ct(m.created)}, {"date_updated", ct(m.updated)},
			{"organization_id", c.org}, {"object_type", object}, {"object_id", lead}, {"lead_id", lead},
			{"action", action}, {"user_id", user}, {"request_id", "req_" + encode62(h(hE), 9)}, {"api_key_id", nil},
			{"changed_fields", changed}, {"data", data}, {"previous_data", previous},
			{"meta", obj{{"request_method", "POST"}, {"request_path", "/api/v1/" + object + "/"}}}}
	default:
		o = append(o, c.fields(t, i, m, h, user)...)
	}
	return append(o, kv{"date_created", ct(m.created)}, kv{"date_updated", ct(m.updated)})
}

func (c *closeAPI) idOf(rec map[string]json.RawMessage) string {
	var id string
	json.Unmarshal(rec["id"], &id)
	return id
}

func (c *closeAPI) serve(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/api/v1/")
	path, slash := strings.CutSuffix(rest, "/")
	l, listed := closeListAt(path)
	typeID, byID := strings.CutPrefix(path, "custom_object_type/")
	switch {
	case rest == "data/search/":
		if r.Method != http.MethodPost {
			closeError(w, http.StatusMethodNotAllowed, "Method \""+r.Method+"\" not allowed.")
			return
		}
		c.s.mu.RLock()
		defer c.s.mu.RUnlock()
		c.search(w, r)
		return
	case !listed && path != "custom_object" && !(byID && typeID != "" && !strings.Contains(typeID, "/")):
		closeError(w, http.StatusNotFound, "Not found: "+r.URL.Path)
		return
	case !slash:
		// Django's APPEND_SLASH: list endpoints live under a trailing slash.
		u := *r.URL
		u.Path += "/"
		http.Redirect(w, r, u.RequestURI(), http.StatusMovedPermanently)
		return
	case r.Method != http.MethodGet:
		closeError(w, http.StatusMethodNotAllowed, "Method \""+r.Method+"\" not allowed.")
		return
	}
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	t := c.s.table(Close, closeTableName(path))
	switch {
	case path == "custom_object":
		c.customObjects(w, r)
	case !listed:
		c.customObjectType(w, typeID)
	case path == "event":
		c.events(w, r, t)
	case l.onePage:
		c.onePage(w, r, t)
	default:
		c.list(w, r, t)
	}
}

// list is offset paging: _skip/_limit/_fields everywhere, and the filters and _order_by
// each list documents (close_list.go). Everything else was dropped by the pipeline.
func (c *closeAPI) list(w http.ResponseWriter, r *http.Request, t *table) {
	q := r.URL.Query()
	limit, ok := closeInt(w, q.Get("_limit"), "_limit", closeMaxLimit, 1, closeMaxLimit)
	if !ok {
		return
	}
	skip, ok := closeInt(w, q.Get("_skip"), "_skip", 0, 0, -1)
	if !ok {
		return
	}
	if maxSkip := c.s.opts.CloseMaxSkip; skip > maxSkip {
		closeError(w, http.StatusBadRequest, fmt.Sprintf(
			"_skip too large: max_skip = %d for %s, got _skip = %d. Paginate deeper with date_created filters.", maxSkip, t.name, skip))
		return
	}
	v := view{t: t, hi: t.count(), desc: true}
	if !c.listFilters(w, q, &v) {
		return
	}
	idx, more := v.page(skip, limit)
	if c.s.broken(Close, ContractHasMoreForever) {
		more = true
	}
	out := obj{{"data", c.render(t, idx, q.Get("_fields"))}, {"has_more", more}}
	if t.name == "opportunity" {
		// A documented aggregate over all matches, regardless of paging.
		out = append(out, kv{"total_results", c.total(&v, q)})
	}
	writeJSON(w, http.StatusOK, out)
}

func (c *closeAPI) render(t *table, idx []int, fields string) []obj {
	data := make([]obj, len(idx))
	for k, i := range idx {
		data[k] = c.record(t, i)
		// Unknown names in _fields are ignored, as Close does.
		if fields != "" {
			data[k] = closePick(data[k], strings.Split(fields, ","))
		}
	}
	return data
}

func parseCloseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", s)
}

func timeOp(op string, at time.Time, get func(int) time.Time) func(int) bool {
	return func(i int) bool {
		x := get(i)
		switch op {
		case "gte":
			return !x.Before(at)
		case "gt":
			return x.After(at)
		case "lt":
			return x.Before(at)
		case "lte":
			return !x.After(at)
		}
		return x.Equal(at)
	}
}

func all(preds []func(int) bool) func(int) bool {
	if len(preds) == 0 {
		return nil
	}
	return func(i int) bool {
		for _, p := range preds {
			if !p(i) {
				return false
			}
		}
		return true
	}
}

// closeInt parses an optional integer parameter in [lo, hi] (hi < 0: unbounded).
func closeInt(w http.ResponseWriter, s, name string, def, lo, hi int) (int, bool) {
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		closeFieldError(w, name, "Enter a whole number.")
	case n < lo:
		closeFieldError(w, name, fmt.Sprintf("Ensure this value is greater than or equal to %d.", lo))
	case hi >= 0 && n > hi:
		closeFieldError(w, name, fmt.Sprintf("Ensure this value is less than or equal to %d.", hi))
	default:
		return n, true
	}
	return 0, false
}

func closeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, obj{{"error", msg}})
}

func closeFieldError(w http.ResponseWriter, field, msg string) {
	writeJSON(w, http.StatusBadRequest, obj{{"errors", []any{}}, {"field-errors", obj{{field, msg}}}})
}

func (c *closeAPI) unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="Close API"`)
	closeError(w, http.StatusUnauthorized, "The API key you provided is invalid. Send it as the Basic auth user name with an empty password.")
}

func resetSeconds(d time.Duration) float64 { return math.Ceil(d.Seconds()*1000) / 1000 }

func (c *closeAPI) rateHeaders(w http.ResponseWriter, rs rateState) {
	if rs.budgeted {
		w.Header().Set("RateLimit", c.rateLimit(rs.limit, rs.remaining, resetSeconds(rs.reset.Sub(rs.now))))
	}
}

// rateLimit is the RateLimit header value; its pairs are seen separated by "," and by ";".
func (c *closeAPI) rateLimit(limit, remaining int, reset float64) string {
	sep := ", "
	if c.s.opts.CloseRateLimitSemicolons {
		sep = "; "
	}
	return fmt.Sprintf("limit=%d%sremaining=%d%sreset=%s", limit, sep, remaining, sep, strconv.FormatFloat(reset, 'f', -1, 64))
}

func (c *closeAPI) rateLimited(w http.ResponseWriter, rs rateState) {
	limit := rs.limit
	if !rs.budgeted {
		limit = closeNominal
	}
	reset := resetSeconds(rs.delay)
	w.Header().Set("RateLimit", c.rateLimit(limit, 0, reset))
	writeJSON(w, http.StatusTooManyRequests, obj{{"error", obj{
		{"rate_reset", reset}, {"message", "API call count exceeded for this period"},
		{"rate_limit", limit}, {"rate_window", rs.window.Seconds()}, {"rate_limit_type", "key"}}}})
}

func (c *closeAPI) serverError(w http.ResponseWriter, status int) {
	closeError(w, status, "Internal server error")
}
