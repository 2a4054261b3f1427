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
