package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
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

// record renders one record with every field its response schema lists: v3.0.yml for the
// lists the connector reads from /v3.0, v3.1.yml for users (Clever/swagger-api). Fields the
// schema marks nullable are null in some records, as a district's data leaves them out.
func (c *clever) record(t *table, i int) obj {
	if t.name == "events" {
		return c.event(t, i)
	}
	m := t.meta(i)
	h := func(k uint64) uint64 { return t.h(i, k) }
	stamps := obj{{"created", cl(m.created)}, {"last_modified", cl(m.updated)}}
	switch t.name {
	case "districts":
		first, last := personName(h(hB))
		return obj{{"id", m.id}, {"name", pick(lastNames, h(hA)) + " Unified School District"},
			{"district_contact", obj{{"district", m.id}, {"email", emailOf(first, last, h(hC))},
				{"id", c.ref("users", h(hC))}, {"name", cleverName(first, last)}, {"title", "Technology Director"}}},
			{"error", ""}, {"last_sync", cl(m.updated)}, {"launch_date", m.created.Format(time.DateOnly)},
			{"login_methods", []string{"clever", "google"}[:1+h(hD)%2]}, {"mdr_number", nullable(h(hE), fmt.Sprint(1000000+h(hE)%9000000))},
			{"nces_id", nullable(h(hF), fmt.Sprint(100000+h(hF)%900000))}, {"pause_end", nil}, {"pause_start", nil},
			{"portal_url", "https://clever.com/in/" + strings.ToLower(pick(lastNames, h(hA)))},
			{"sis_type", "clever"}, {"state", "running"}}
	case "schools":
		first, last := personName(h(hC))
		return append(obj{{"id", m.id}, {"district", c.district},
			{"name", pick(lastNames, h(hA)) + " " + pick([]string{"Elementary", "Middle School", "High School"}, h(hB))},
			{"ext", obj{}}, {"high_grade", "12"}, {"low_grade", "Kindergarten"},
			{"location", cleverLocation(h(hD))}, {"mdr_number", nullable(h(hE), fmt.Sprint(2000000+i))},
			{"nces_id", nullable(h(hF), fmt.Sprint(300000+i))}, {"phone", nullable(h(hG), fmt.Sprintf("555-%04d", h(hG)%10000))},
			{"principal", obj{{"email", emailOf(first, last, h(hD))}, {"name", first + " " + last}}},
			{"school_number", strconv.Itoa(100 + i)}, {"sis_id", "SCH" + strconv.Itoa(i+1)},
			{"state_id", nullable(h(hE), "ST-"+strconv.Itoa(i+1))}}, stamps...)
	case "sections":
		subject := pick([]string{"math", "science", "english/language arts", "social studies"}, h(hA))
		teacher := c.ref("users", h(hC))
		return append(obj{{"id", m.id}, {"district", c.district}, {"course", c.ref("courses", h(hF))},
			{"ext", obj{}}, {"grade", strconv.Itoa(int(1 + h(hD)%12))}, {"name", title(subject) + " " + strconv.Itoa(i+1)},
			{"period", strconv.Itoa(int(1 + h(hE)%8))}, {"school", c.ref("schools", h(hB))},
			{"section_number", nullable(h(hG), strconv.Itoa(int(h(hG)%90+10)))}, {"sis_id", "SEC" + strconv.Itoa(i+1)},
			{"students", []string{c.ref("users", h(hD)), c.ref("users", h(hA))}}, {"subject", subject},
			{"teacher", teacher}, {"teachers", []string{teacher}}, {"term_id", c.ref("terms", h(hE))}}, stamps...)
	case "terms":
		// The Term schema has no timestamps.
		y := 2020 + int(h(hA)%5)
		return obj{{"id", m.id}, {"district", c.district}, {"name", fmt.Sprintf("%d-%d School Year", y, y+1)},
			{"start_date", fmt.Sprintf("%d-08-15", y)}, {"end_date", fmt.Sprintf("%d-06-15", y+1)}}
	case "courses":
		// The Course schema has no timestamps.
		subject := pick([]string{"Algebra", "Biology", "World History", "Spanish", "Chemistry"}, h(hA))
		return obj{{"id", m.id}, {"district", c.district}, {"name", subject + " " + strconv.Itoa(int(1+h(hB)%3))},
			{"number", "C" + strconv.Itoa(100+i)}}
	case "resources":
		return obj{{"id", m.id}, {"district", c.district}, {"resource_id", "res-" + strconv.Itoa(i+1)},
			{"title", title(pick(lastNames, h(hA))) + " Reader"}, {"roles", []string{"teacher", "student"}[:1+h(hB)%2]},
			{"created", cl(m.created)}, {"updated", cl(m.updated)}}
	}
	// users (v3.1)
	first, last := personName(h(hA))
	return append(obj{{"id", m.id}, {"district", c.district}, {"email", emailOf(first, last, h(hB))},
		{"lms_status", obj{{"synced_in_lms", h(hF)%2 == 0}}}, {"name", cleverName(first, last)},
		{"roles", c.roles(t, i, first, last)}}, stamps...)
}

// modifiedField is the record's last-change timestamp field, "" when its schema has none.
func modifiedField(resource string) string {
	switch resource {
	case "courses", "terms":
		return ""
	case "resources":
		return "updated"
	}
	return "last_modified"
}

// nullable is v, or null for one record in five: a field the district left out.
func nullable(h uint64, v string) any {
	if h%5 == 0 {
		return nil
	}
	return v
}

func cleverName(first, last string) obj {
	return obj{{"first", first}, {"last", last}, {"middle", ""}}
}

func cleverLocation(h uint64) obj {
	return obj{{"address", fmt.Sprintf("%d School Road", 1+h%900)}, {"city", pick(cities, h)}, {"lat", nil}, {"lon", nil},
		{"state", "CA"}, {"zip", fmt.Sprintf("9%04d", h%10000)}}
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

// roles is a user's roles object, every field of each role's schema.
func (c *clever) roles(t *table, i int, first, last string) obj {
	h := func(k uint64) uint64 { return t.h(i, k) }
	m := t.meta(i)
	school := c.ref("schools", h(hD))
	username := obj{{"district_username", strings.ToLower(first[:1] + last)}}
	var out obj
	for _, role := range userRoles(t, i) {
		legacy := fmt.Sprintf("%08x%016x", uint32(m.created.Unix()), mix(h(hE)^uint64(len(role))))
		switch role {
		case "student":
			out = append(out, kv{role, obj{{"created", cl(m.created)}, {"credentials", username},
				{"disability", obj{{"disability_code", nil}, {"disability_status", "N"}, {"disability_type", nil}}},
				{"dob", fmt.Sprintf("%d/%d/%d", 1+h(hF)%12, 1+h(hG)%28, 2005+h(hE)%12)}, {"ell_status", "N"},
				{"enrollments", []obj{{{"end_date", nil}, {"school", school}, {"start_date", cl(m.created)}}}},
				{"ext", obj{}}, {"frl_status", pick([]string{"Free", "Reduced", "Paid"}, h(hF))},
				{"gender", pick([]string{"M", "F", "X"}, h(hG))}, {"gifted_status", "N"},
				{"grade", strconv.Itoa(int(1 + h(hE)%12))}, {"graduation_year", strconv.Itoa(int(2025 + h(hE)%12))},
				{"hispanic_ethnicity", pick([]string{"Y", "N"}, h(hF))}, {"home_language", "English"},
				{"home_language_code", "eng"}, {"iep_status", nullable(h(hG), "N")}, {"last_modified", cl(m.updated)},
				{"legacy_id", legacy}, {"location", cleverLocation(h(hG))},
				{"preferred_name", obj{{"first", first}, {"last", nil}, {"middle", nil}}},
				{"race", pick([]string{"Asian", "Black or African American", "Caucasian", "Two or More Races", "Unknown"}, h(hG))},
				{"school", school}, {"schools", []string{school}}, {"section_504_status", "N"},
				{"sis_id", "S" + strconv.Itoa(i+1)}, {"state_id", nullable(h(hF), "SS"+strconv.Itoa(i+1))},
				{"student_number", strconv.Itoa(100000 + i)}}})
		case "teacher":
			out = append(out, kv{role, obj{{"created", cl(m.created)}, {"credentials", username}, {"district", c.district},
				{"ext", obj{}}, {"last_modified", cl(m.updated)}, {"legacy_id", legacy}, {"name", cleverName(first, last)},
				{"school", school}, {"schools", []string{school}}, {"sis_id", "T" + strconv.Itoa(i+1)},
				{"state_id", nullable(h(hF), "TS"+strconv.Itoa(i+1))}, {"teacher_number", strconv.Itoa(1000 + i)},
				{"title", nullable(h(hG), "Teacher")}}})
		case "staff":
			out = append(out, kv{role, obj{{"credentials", username},
				{"department", pick([]string{"Counseling", "Library", "Athletics"}, h(hE))}, {"ext", obj{}},
				{"legacy_id", legacy}, {"roles", []string{"staff"}}, {"schools", []string{school}},
				{"staff_id", "ST" + strconv.Itoa(i+1)}, {"title", "Coordinator"}}})
		case "district_admin":
			out = append(out, kv{role, obj{{"legacy_id", legacy}, {"title", pick([]string{"Superintendent", "IT Director"}, h(hE))}}})
		case "contact":
			out = append(out, kv{role, obj{{"legacy_id", legacy}, {"phone", fmt.Sprintf("555-%04d", h(hE)%10000)},
				{"phone_type", "Cell"}, {"sis_id", "P" + strconv.Itoa(i+1)}, {"student_relationships", []obj{{{"relationship", "Parent"},
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
