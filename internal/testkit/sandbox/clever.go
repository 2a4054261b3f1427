package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// Clever API v3.0 and v3.1: GET /v3.x/{resource}, bearer district token, items
// {"data":{...},"uri":...} in ascending id order, relative links. A next link is on every
// non-empty page, the last one included, so a walk ends on an empty page. A 429 has an empty
// body; a user token gets HTML. Both versions serve the same records: multi-role users (one
// user, several roles), which the v3.1 upgrade guide makes the norm. /events is the change
// log of the other resources (clever_events.go).
type clever struct {
	s        *Server
	district string
	// logged are the events Insert and Touch added, by index in the events table; guarded
	// by s.mu.
	logged map[int]loggedEvent
}

const (
	cleverMaxLimit = 10000
	cleverNominal  = 1200 // documented requests per minute per token, used for injected 429s
	cleverTime     = "2006-01-02T15:04:05.000Z"
)

var cleverID = regexp.MustCompile(`^[0-9a-f]{24}$`)

func newClever(s *Server) *clever {
	c := &clever{s: s}
	for _, name := range c.resources() {
		t := s.newTable(Clever, name, time.Millisecond)
		if _, set := s.opts.Sizes[Clever+"/districts"]; name == "districts" && !set {
			// "In practice this will only return the one district associated with the token."
			t.base = min(t.base, 1)
			t.createdAt = t.linear()
		}
		if name == "events" {
			// "Events are stored for a period of 30 days": the log covers the last 30 days
			// of the generated data.
			t.start = t.end.Add(-cleverEventDays * 24 * time.Hour)
			t.createdAt = t.linear()
		}
		mid, counter := t.salt&0xffffff, (t.salt>>24)%(1<<36)
		// ObjectId-like: creation seconds, a per-resource constant, then a counter. Created is
		// non-decreasing and the counter strictly increasing, so ids strictly increase.
		t.idAt = func(i int, c time.Time) string {
			return fmt.Sprintf("%08x%06x%010x", uint32(c.Unix()), mid, counter+uint64(i))
		}
		s.addTable(t)
	}
	// Every record belongs to the first district, as with a district token.
	c.district = fmt.Sprintf("%08x%016x", uint32(s.start.Unix()), saltOf(s.opts.Seed, "clever/district"))
	if d := s.table(Clever, "districts"); d.base > 0 {
		c.district = d.meta(0).id
	}
	return c
}

func (c *clever) resources() []string {
	return []string{"users", "sections", "schools", "terms", "districts", "courses", "resources", "events"}
}

func (c *clever) newestFirst(*table) bool { return false }

func (c *clever) credential(r *http.Request) string { return bearer(r) }

func cl(t time.Time) string { return t.UTC().Format(cleverTime) }

// ref is the id of a generated record of another resource, for cross references.
func (c *clever) ref(resource string, h uint64) string {
	t := c.s.table(Clever, resource)
	if t.base == 0 {
		return fmt.Sprintf("%08x%016x", uint32(h>>32), mix(h))
	}
	return t.meta(int(h % uint64(t.base))).id
}

func (c *clever) record(t *table, i int) obj {
	if t.name == "events" {
		return c.event(t, i)
	}
	m := t.meta(i)
	h := func(k uint64) uint64 { return t.h(i, k) }
	o := obj{{"id", m.id}}
	if t.name != "districts" {
		o = append(o, kv{"district", c.district})
	}
	switch t.name {
	case "users":
		first, last := personName(h(hA))
		o = append(o, kv{"email", emailOf(first, last, h(hB))},
			kv{"name", obj{{"first", first}, {"middle", ""}, {"last", last}}}, kv{"roles", c.roles(t, i)})
	case "schools":
		o = append(o, kv{"name", pick(lastNames, h(hA)) + " " + pick([]string{"Elementary", "Middle School", "High School"}, h(hB))},
			kv{"school_number", strconv.Itoa(100 + i)}, kv{"sis_id", "SCH" + strconv.Itoa(i+1)},
			kv{"low_grade", "Kindergarten"}, kv{"high_grade", "12"})
	case "sections":
		subject := pick([]string{"math", "science", "english/language arts", "social studies"}, h(hA))
		teacher := c.ref("users", h(hC))
		o = append(o, kv{"school", c.ref("schools", h(hB))}, kv{"name", title(subject) + " " + strconv.Itoa(i+1)},
			kv{"subject", subject}, kv{"grade", strconv.Itoa(int(1 + h(hD)%12))}, kv{"period", strconv.Itoa(int(1 + h(hE)%8))},
			kv{"term_id", c.ref("terms", h(hE))}, kv{"teacher", teacher}, kv{"teachers", []string{teacher}},
			kv{"students", []string{c.ref("users", h(hD)), c.ref("users", h(hA))}})
	case "terms":
		y := 2020 + int(h(hA)%5)
		o = append(o, kv{"name", fmt.Sprintf("%d-%d School Year", y, y+1)},
			kv{"start_date", fmt.Sprintf("%d-08-15", y)}, kv{"end_date", fmt.Sprintf("%d-06-15", y+1)})
	case "districts":
		o = append(o, kv{"name", pick(lastNames, h(hA)) + " Unified School District"}, kv{"state", "running"},
			kv{"sis_type", "clever"}, kv{"launch_date", m.created.Format(time.DateOnly)})
	case "courses":
		// The Course schema has no timestamps.
		subject := pick([]string{"Algebra", "Biology", "World History", "Spanish", "Chemistry"}, h(hA))
		return append(o, kv{"name", subject + " " + strconv.Itoa(int(1+h(hB)%3))}, kv{"number", "C" + strconv.Itoa(100+i)})
	case "resources":
		return append(o, kv{"resource_id", "res-" + strconv.Itoa(i+1)}, kv{"title", title(pick(lastNames, h(hA))) + " Reader"},
			kv{"roles", []string{"teacher", "student"}[:1+h(hB)%2]}, kv{"created", cl(m.created)}, kv{"updated", cl(m.updated)})
	}
	return append(o, kv{"created", cl(m.created)}, kv{"last_modified", cl(m.updated)})
}

// modifiedField is the record's last-change timestamp field, "" when its schema has none.
func modifiedField(resource string) string {
	switch resource {
	case "courses":
		return ""
	case "resources":
		return "updated"
	}
	return "last_modified"
}

// userRoles are a user's roles: most are students, one in ten teaches, one in thirty is a
// multi-role user who teaches and is also staff, one in forty a district admin who is also
// staff, and about one in six a student's contact.
func userRoles(t *table, i int) []string {
	switch h := t.h(i, hC); {
	case h%30 == 0:
		return []string{"teacher", "staff"}
	case h%10 == 0:
		return []string{"teacher"}
	case h%40 == 1:
		return []string{"district_admin", "staff"}
	case h%6 == 5:
		return []string{"contact"}
	}
	return []string{"student"}
}

func (c *clever) roles(t *table, i int) obj {
	h := func(k uint64) uint64 { return t.h(i, k) }
	school := c.ref("schools", h(hD))
	var out obj
	for _, role := range userRoles(t, i) {
		switch role {
		case "student":
			out = append(out, kv{role, obj{{"school", school}, {"grade", strconv.Itoa(int(1 + h(hE)%12))},
				{"sis_id", "S" + strconv.Itoa(i+1)}, {"student_number", strconv.Itoa(100000 + i)}}})
		case "teacher":
			out = append(out, kv{role, obj{{"school", school}, {"sis_id", "T" + strconv.Itoa(i+1)},
				{"teacher_number", strconv.Itoa(1000 + i)}}})
		case "staff":
			out = append(out, kv{role, obj{{"department", pick([]string{"Counseling", "Library", "Athletics"}, h(hE))},
				{"schools", []string{school}}, {"staff_id", "ST" + strconv.Itoa(i+1)}, {"title", "Coordinator"}}})
		case "district_admin":
			out = append(out, kv{role, obj{{"title", pick([]string{"Superintendent", "IT Director"}, h(hE))}}})
		case "contact":
			out = append(out, kv{role, obj{{"phone", fmt.Sprintf("555-%04d", h(hE)%10000)}, {"phone_type", "Cell"},
				{"sis_id", "P" + strconv.Itoa(i+1)}, {"student_relationships", []obj{{{"relationship", "Parent"},
					{"student", c.ref("users", h(hA))}, {"type", "Parent/Guardian"}}}}}})
		}
	}
	return out
}

// idOf reads an item's data.id, or a record's own id: an event record has both an id and a
// data object (the record it is about).
func (c *clever) idOf(rec map[string]json.RawMessage) string {
	var inner map[string]json.RawMessage
	if _, own := rec["id"]; !own && json.Unmarshal(rec["data"], &inner) == nil && inner != nil {
		rec = inner
	}
	var id string
	json.Unmarshal(rec["id"], &id)
	return id
}

func cleverError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, obj{{"message", msg}})
}

func (c *clever) unauthorized(w http.ResponseWriter) {
	cleverError(w, http.StatusUnauthorized, "Unauthorized: missing or invalid bearer token")
}

func (c *clever) setRate(w http.ResponseWriter, limit, remaining int, reset int64) {
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset, 10))
	h.Set("X-RateLimit-Bucket", "district:"+c.district)
}

func (c *clever) rateHeaders(w http.ResponseWriter, rs rateState) {
	if rs.budgeted {
		c.setRate(w, rs.limit, rs.remaining, ceilUnix(rs.reset))
	}
}

// rateLimited answers 429 with an empty body: everything is in the headers.
func (c *clever) rateLimited(w http.ResponseWriter, rs rateState) {
	limit := rs.limit
	if !rs.budgeted {
		limit = cleverNominal
	}
	c.setRate(w, limit, 0, ceilUnix(rs.now.Add(rs.delay)))
	w.WriteHeader(http.StatusTooManyRequests)
}

func (c *clever) serverError(w http.ResponseWriter, status int) {
	cleverError(w, status, "Internal Server Error")
}

func (c *clever) unsupported(w http.ResponseWriter, param string) {
	cleverError(w, http.StatusBadRequest, param+" is documented, but the sandbox does not implement it")
}
