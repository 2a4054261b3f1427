package sandbox

import (
	"encoding/json"
	"slices"
	"testing"
)

type attioID struct {
	ObjectID string `json:"object_id"`
	ListID   string `json:"list_id"`
}

// GET /v2/objects and GET /v2/lists name what the workspace holds, with the ids its records
// and entries carry; a parameter neither documents is dropped and counted.
func TestAttioObjectsAndLists(t *testing.T) {
	s, ts := start(t, Options{Records: 5})
	var objects struct {
		Data []struct {
			ID      attioID `json:"id"`
			APISlug string  `json:"api_slug"`
		}
	}
	get(t, ts.URL+"/v2/objects?limit=1", attioAuth).decode(t, 200, &objects)
	var slugs []string
	for _, o := range objects.Data {
		slugs = append(slugs, o.APISlug)
		var rec struct{ ID attioID }
		json.Unmarshal(s.Dataset(Attio, o.APISlug)[0], &rec)
		if rec.ID.ObjectID != o.ID.ObjectID {
			t.Errorf("%s records carry object_id %s, the object says %s", o.APISlug, rec.ID.ObjectID, o.ID.ObjectID)
		}
	}
	if !slices.Equal(slugs, []string{"people", "companies", "deals", "invoices"}) {
		t.Errorf("objects %v", slugs)
	}
	var lists struct {
		Data []struct {
			ID           attioID  `json:"id"`
			APISlug      string   `json:"api_slug"`
			ParentObject []string `json:"parent_object"`
		}
	}
	get(t, ts.URL+"/v2/lists", attioAuth).decode(t, 200, &lists)
	if len(lists.Data) != 2 {
		t.Fatalf("%d lists, want 2", len(lists.Data))
	}
	for _, l := range lists.Data {
		var e struct {
			ID           attioID
			ParentObject string `json:"parent_object"`
		}
		json.Unmarshal(s.Dataset(Attio, "list."+l.APISlug)[0], &e)
		if e.ID.ListID != l.ID.ListID || e.ParentObject != l.ParentObject[0] {
			t.Errorf("list %s (%s, %v): entry has %s, %s", l.APISlug, l.ID.ListID, l.ParentObject, e.ID.ListID, e.ParentObject)
		}
	}
	if n := s.Stats().Undocumented["attio GET /v2/objects limit"]; n != 1 {
		t.Errorf("undocumented limit counted %d times", n)
	}
}

// Entries page by offset in a POST body, by list slug or id, and filter on created_at only.
func TestAttioEntriesQuery(t *testing.T) {
	s, ts := start(t, Options{Sizes: map[string]int{"attio/list.recruiting": 120}})
	all := s.Dataset(Attio, "list.recruiting")
	var sizes []int
	var ids []string
	for offset := 0; ; offset += 50 {
		var p struct{ Data []json.RawMessage }
		call(t, "POST", ts.URL+"/v2/lists/recruiting/entries/query", attioAuth, map[string]any{"limit": 50, "offset": offset}).decode(t, 200, &p)
		sizes = append(sizes, len(p.Data))
		ids = append(ids, idsOf(s, Attio, p.Data)...)
		if len(p.Data) < 50 {
			break
		}
	}
	if !slices.Equal(sizes, []int{50, 50, 20}) {
		t.Fatalf("page sizes %v", sizes)
	}
	sameStrings(t, ids, idsOf(s, Attio, all))
	var e struct {
		ID        attioID
		CreatedAt string `json:"created_at"`
	}
	json.Unmarshal(all[100], &e)
	var p struct{ Data []json.RawMessage }
	filter := map[string]any{"created_at": map[string]string{"$gte": e.CreatedAt}}
	call(t, "POST", ts.URL+"/v2/lists/"+e.ID.ListID+"/entries/query", attioAuth, map[string]any{"filter": filter}).decode(t, 200, &p)
	sameStrings(t, idsOf(s, Attio, p.Data), idsOf(s, Attio, all[100:]))
	call(t, "POST", ts.URL+"/v2/lists/recruiting/entries/query", attioAuth, map[string]any{"filter": map[string]any{"record_id": "x"}}).contains(t, 400, "unknown attribute")
	call(t, "POST", ts.URL+"/v2/lists/recruiting/entries/query", attioAuth, map[string]any{"limit": 501}).contains(t, 400, "limit")
	call(t, "POST", ts.URL+"/v2/lists/hiring/entries/query", attioAuth, nil).contains(t, 404, "not_found")
	get(t, ts.URL+"/v2/lists/recruiting/entries/query", attioAuth).contains(t, 405, "method_not_allowed")
}

type attioTask struct {
	ID struct {
		TaskID string `json:"task_id"`
	}
	IsCompleted   bool `json:"is_completed"`
	LinkedRecords []struct {
		Object string `json:"target_object_id"`
		Record string `json:"target_record_id"`
	} `json:"linked_records"`
}

// Tasks page by offset in the query, oldest first unless sort says otherwise, and honour
// is_completed and the linked record pair; assignee is documented but refused.
func TestAttioTasks(t *testing.T) {
	s, ts := start(t, Options{Sizes: map[string]int{"attio/tasks": 130}})
	all := s.Dataset(Attio, "tasks")
	var p struct{ Data []json.RawMessage }
	get(t, ts.URL+"/v2/tasks", attioAuth).decode(t, 200, &p)
	sameStrings(t, idsOf(s, Attio, p.Data), idsOf(s, Attio, all)) // default limit 500
	get(t, ts.URL+"/v2/tasks?limit=50&offset=100&sort=created_at:asc", attioAuth).decode(t, 200, &p)
	sameStrings(t, idsOf(s, Attio, p.Data), idsOf(s, Attio, all[100:]))
	get(t, ts.URL+"/v2/tasks?limit=1&sort=created_at:desc", attioAuth).decode(t, 200, &p)
	sameStrings(t, idsOf(s, Attio, p.Data), idsOf(s, Attio, all[129:]))

	var tasks []attioTask
	done := 0
	for _, raw := range all {
		var tk attioTask
		json.Unmarshal(raw, &tk)
		tasks = append(tasks, tk)
		if tk.IsCompleted {
			done++
		}
	}
	get(t, ts.URL+"/v2/tasks?is_completed=true", attioAuth).decode(t, 200, &p)
	if len(p.Data) != done || done == 0 || done == len(all) {
		t.Errorf("is_completed=true gave %d tasks, %d of %d are done", len(p.Data), done, len(all))
	}
	link := tasks[7].LinkedRecords[0]
	get(t, ts.URL+"/v2/tasks?linked_object="+link.Object+"&linked_record_id="+link.Record, attioAuth).decode(t, 200, &p)
	sameStrings(t, idsOf(s, Attio, p.Data), []string{tasks[7].ID.TaskID})

	for q, want := range map[string]string{
		"limit=501": "limit", "sort=created_at": "sort", "is_completed=maybe": "is_completed",
		"linked_object=people": "together", "assignee=null": "does not implement",
	} {
		get(t, ts.URL+"/v2/tasks?"+q, attioAuth).contains(t, 400, want)
	}
}

// Workspace members come in one answer, whatever a client asks.
func TestAttioWorkspaceMembers(t *testing.T) {
	s, ts := start(t, Options{Sizes: map[string]int{"attio/workspace_members": 30}})
	var p struct{ Data []json.RawMessage }
	get(t, ts.URL+"/v2/workspace_members?limit=5", attioAuth).decode(t, 200, &p)
	sameStrings(t, idsOf(s, Attio, p.Data), idsOf(s, Attio, s.Dataset(Attio, "workspace_members")))
	if len(p.Data) != 30 || s.Stats().Undocumented["attio GET /v2/workspace_members limit"] != 1 {
		t.Errorf("%d members; undocumented %v", len(p.Data), s.Stats().Undocumented)
	}
}
