package sandbox

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// fieldPaths checks that records carry fields, given as dotted paths ("id.record_id";
// "links[].rel" for every element of an array). A path through an array counts only where
// the array has elements, so each must meet a non-empty one somewhere in the records.
type fieldPaths struct {
	missing map[string]int
	seen    map[string]bool
}

func newFieldPaths() *fieldPaths {
	return &fieldPaths{missing: map[string]int{}, seen: map[string]bool{}}
}

func (f *fieldPaths) check(rec any, paths ...string) {
	for _, p := range paths {
		f.walk(rec, p, p)
	}
}

func (f *fieldPaths) walk(v any, path, full string) {
	name, rest, _ := strings.Cut(path, ".")
	m, ok := v.(map[string]any)
	if !ok {
		f.missing[full]++
		return
	}
	each := strings.HasSuffix(name, "[]")
	got, ok := m[strings.TrimSuffix(name, "[]")]
	switch {
	case !ok:
		f.missing[full]++
	case each:
		list, _ := got.([]any)
		for _, el := range list {
			f.seen[full] = true
			f.walk(el, rest, full)
		}
	case rest != "":
		f.walk(got, rest, full)
	default:
		f.seen[full] = true
	}
}

// report fails t for every path some record lacks or no record showed.
func (f *fieldPaths) report(t *testing.T, what string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		switch {
		case f.missing[p] > 0:
			t.Errorf("%s: %d records lack %s", what, f.missing[p], p)
		case !f.seen[p]:
			t.Errorf("%s: no record shows %s", what, p)
		}
	}
}

func decodeAll(t *testing.T, raws []json.RawMessage) []map[string]any {
	t.Helper()
	out := make([]map[string]any, len(raws))
	for k, r := range raws {
		if err := json.Unmarshal(r, &out[k]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// attioFields are each list endpoint's record fields as the response schema in Attio's
// OpenAPI document lists them (../shared/specs/attio/out.openapi.yaml, Attio API 2.0.0).
var attioFields = map[string][]string{
	"people": {"id.workspace_id", "id.object_id", "id.record_id", "created_at", "web_url", "values"},
	"list.sales_pipeline": {"id.workspace_id", "id.list_id", "id.entry_id", "parent_record_id", "parent_object",
		"created_at", "entry_values"},
	"notes": {"id.workspace_id", "id.note_id", "parent_object", "parent_record_id", "title", "meeting_id",
		"content_plaintext", "content_markdown", "tags", "created_by_actor.id", "created_by_actor.type", "created_at"},
	"tasks": {"id.workspace_id", "id.task_id", "content_plaintext", "deadline_at", "is_completed",
		"linked_records[].target_object_id", "linked_records[].target_record_id", "assignees[].referenced_actor_type",
		"assignees[].referenced_actor_id", "created_by_actor.id", "created_by_actor.type", "created_at"},
	"meetings": {"id.workspace_id", "id.meeting_id", "title", "description", "is_all_day", "start.datetime",
		"start.timezone", "end.datetime", "end.timezone", "participants[].status", "participants[].is_organizer",
		"participants[].email_address", "linked_records[].object_slug", "linked_records[].object_id",
		"linked_records[].record_id", "created_at", "created_by_actor.id", "created_by_actor.type"},
	"workspace_members": {"id.workspace_id", "id.workspace_member_id", "first_name", "last_name", "avatar_url",
		"email_address", "created_at", "access_level"},
}

// attioValueFields are every field of an attribute value, per attribute_type, from the same
// document's value schemas.
var attioValueFields = map[string][]string{
	"actor-reference":  {"referenced_actor_type", "referenced_actor_id"},
	"checkbox":         {"value"},
	"currency":         {"currency_value", "currency_code"},
	"date":             {"value"},
	"domain":           {"domain", "root_domain"},
	"email-address":    {"original_email_address", "email_address", "email_domain", "email_root_domain", "email_local_specifier"},
	"record-reference": {"target_object", "target_record_id"},
	"interaction":      {"interaction_type", "interacted_at", "owner_actor.id", "owner_actor.type"},
	"location": {"line_1", "line_2", "line_3", "line_4", "locality", "region", "postcode", "country_code",
		"latitude", "longitude"},
	"number":        {"value"},
	"personal-name": {"first_name", "last_name", "full_name"},
	"phone-number":  {"original_phone_number", "country_code", "phone_number"},
	"status": {"status.id.workspace_id", "status.id.object_id", "status.id.attribute_id", "status.id.status_id",
		"status.title", "status.is_archived", "status.celebration_enabled", "status.target_time_in_status"},
	"rating":    {"value"},
	"select":    {"option.id.workspace_id", "option.id.object_id", "option.id.attribute_id", "option.id.option_id", "option.title", "option.is_archived"},
	"text":      {"value"},
	"timestamp": {"value"},
}

var attioValueCommon = []string{"active_from", "active_until", "created_by_actor.id", "created_by_actor.type", "attribute_type"}

// TestAttioRecordsAreWhole: every record the sandbox serves carries every field its
// endpoint's response schema lists, and every attribute value every field its type lists;
// between them the objects and lists use every attribute type the schema knows.
func TestAttioRecordsAreWhole(t *testing.T) {
	s, _ := start(t, Options{Records: 60})
	types := map[string]bool{}
	resources := []string{"people", "companies", "deals", "invoices", "list.sales_pipeline", "list.recruiting",
		"notes", "tasks", "meetings", "workspace_members"}
	for _, r := range resources {
		paths := attioFields[r]
		switch {
		case strings.HasPrefix(r, "list."):
			paths = attioFields["list.sales_pipeline"]
		case paths == nil:
			paths = attioFields["people"]
		}
		f := newFieldPaths()
		for _, rec := range decodeAll(t, s.Dataset(Attio, r)) {
			f.check(rec, paths...)
			values, _ := rec["values"].(map[string]any)
			if values == nil {
				values, _ = rec["entry_values"].(map[string]any)
			}
			for attr, list := range values {
				for _, v := range list.([]any) {
					typ, _ := v.(map[string]any)["attribute_type"].(string)
					want, known := attioValueFields[typ]
					if !known {
						t.Errorf("%s.%s: attribute_type %q is not one the schema lists", r, attr, typ)
						continue
					}
					types[typ] = true
					vf := newFieldPaths()
					vf.check(v, append(slices.Clone(attioValueCommon), want...)...)
					vf.report(t, r+"."+attr, append(slices.Clone(attioValueCommon), want...)...)
				}
			}
		}
		f.report(t, r, paths...)
	}
	for typ := range attioValueFields {
		if !types[typ] {
			t.Errorf("no record has a %s value", typ)
		}
	}
}

// cleverFields are each list's record fields as Clever's own specs list them
// (../shared/specs/clever: v3.0.yml for the lists read from /v3.0, v3.1.yml for users,
// v3.1-events.yml for events), Clever/swagger-api.
var cleverFields = map[string][]string{
	"districts": {"district_contact.district", "district_contact.email", "district_contact.id",
		"district_contact.name.first", "district_contact.name.last", "district_contact.name.middle",
		"district_contact.title", "error", "id", "last_sync", "launch_date", "login_methods", "mdr_number", "name",
		"nces_id", "pause_end", "pause_start", "portal_url", "sis_type", "state"},
	"schools": {"created", "district", "ext", "high_grade", "id", "last_modified", "location.address", "location.city",
		"location.lat", "location.lon", "location.state", "location.zip", "low_grade", "mdr_number", "name", "nces_id",
		"phone", "principal.email", "principal.name", "school_number", "sis_id", "state_id"},
	"sections": {"course", "created", "district", "ext", "grade", "id", "last_modified", "name", "period", "school",
		"section_number", "sis_id", "students", "subject", "teacher", "teachers", "term_id"},
	"courses":   {"district", "id", "name", "number"},
	"terms":     {"district", "end_date", "id", "name", "start_date"},
	"resources": {"created", "district", "id", "resource_id", "roles", "title", "updated"},
	"users": {"created", "district", "email", "id", "last_modified", "lms_status.synced_in_lms", "name.first",
		"name.last", "name.middle", "roles"},
	"events": {"created", "id", "type", "data.object.id"},
}

// cleverRoleFields are every field of each role object of a v3.1 user.
var cleverRoleFields = map[string][]string{
	"contact": {"legacy_id", "phone", "phone_type", "sis_id", "student_relationships[].relationship",
		"student_relationships[].student", "student_relationships[].type"},
	"district_admin": {"legacy_id", "title"},
	"staff": {"credentials.district_username", "department", "ext", "legacy_id", "roles", "schools", "staff_id",
		"title"},
	"student": {"created", "credentials.district_username", "disability.disability_code",
		"disability.disability_status", "disability.disability_type", "dob", "ell_status", "enrollments[].end_date",
		"enrollments[].school", "enrollments[].start_date", "ext", "frl_status", "gender", "gifted_status", "grade",
		"graduation_year", "hispanic_ethnicity", "home_language", "home_language_code", "iep_status", "last_modified",
		"legacy_id", "location.address", "location.city", "location.lat", "location.lon", "location.state",
		"location.zip", "preferred_name.first", "preferred_name.last", "preferred_name.middle", "race", "school",
		"schools", "section_504_status", "sis_id", "state_id", "student_number"},
	"teacher": {"created", "credentials.district_username", "district", "ext", "last_modified", "legacy_id",
		"name.first", "name.last", "name.middle", "school", "schools", "sis_id", "state_id", "teacher_number", "title"},
}

// TestCleverRecordsAreWhole: every record the sandbox serves carries every field its list's
// schema gives, and each role of a user every field of that role's schema; every role occurs.
func TestCleverRecordsAreWhole(t *testing.T) {
	s, _ := start(t, Options{Records: 300})
	for resource, paths := range cleverFields {
		f := newFieldPaths()
		roles := map[string]*fieldPaths{}
		for _, rec := range decodeAll(t, s.Dataset(Clever, resource)) {
			f.check(rec, paths...)
			rs, _ := rec["roles"].(map[string]any)
			for role, v := range rs {
				if roles[role] == nil {
					roles[role] = newFieldPaths()
				}
				if cleverRoleFields[role] == nil {
					t.Errorf("%s has a role %q the schema does not list", resource, role)
				}
				roles[role].check(v, cleverRoleFields[role]...)
			}
		}
		f.report(t, resource, paths...)
		if resource != "users" {
			continue
		}
		for role, want := range cleverRoleFields {
			if roles[role] == nil {
				t.Errorf("no user has the %s role", role)
				continue
			}
			roles[role].report(t, "users roles."+role, want...)
		}
	}
}
