package sandbox

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

type cleverEvent struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Type    string    `json:"type"`
	Data    struct {
		Object   json.RawMessage            `json:"object"`
		Previous map[string]json.RawMessage `json:"previous_attributes"`
	} `json:"data"`
}

// walkEvents follows next links from the first page of /v3.1/events.
func walkEvents(t *testing.T, s *Server, url string) []cleverEvent {
	t.Helper()
	var out []cleverEvent
	for next := "/v3.1/events?limit=25"; next != ""; {
		var p cleverPage
		get(t, url+next, cleverAuth).decode(t, 200, &p)
		for _, it := range p.Data {
			var e cleverEvent
			if err := json.Unmarshal(it.Data, &e); err != nil {
				t.Fatal(err)
			}
			if it.URI != "/v3.1/events/"+e.ID || s.IDOf(Clever, it.Data) != e.ID {
				t.Fatalf("event %s has uri %q", e.ID, it.URI)
			}
			out = append(out, e)
		}
		if next = p.link("next"); len(p.Data) == 0 {
			next = ""
		}
	}
	return out
}

// byID indexes a resource's dataset by id.
func byID(s *Server, resource string) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for _, rec := range s.Dataset(Clever, resource) {
		out[s.IDOf(Clever, rec)] = rec
	}
	return out
}

// TestCleverEventsLog: 30 days of events, oldest first with ascending ids; created and
// updated events carry the record as its list serves it, deleted ones a record no list has.
func TestCleverEventsLog(t *testing.T) {
	s, ts := start(t, Options{Seed: 3, Records: 120})
	events := walkEvents(t, s, ts.URL)
	sameStrings(t, idsFromEvents(events), idsOf(s, Clever, s.Dataset(Clever, "events")))
	actions := map[string]int{}
	for k, e := range events {
		if k > 0 && (e.ID <= events[k-1].ID || e.Created.Before(events[k-1].Created)) {
			t.Fatalf("event %d (%s, %v) not after %s", k, e.ID, e.Created, events[k-1].ID)
		}
		if span := s.end.Sub(e.Created); span < 0 || span > cleverEventDays*24*time.Hour {
			t.Fatalf("event %s created %v, outside the 30 days before %v", e.ID, e.Created, s.end)
		}
		resource, action, _ := strings.Cut(e.Type, ".")
		actions[action]++
		var obj struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(e.Data.Object, &obj); err != nil || obj.ID == "" {
			t.Fatalf("event %s object %s", e.ID, e.Data.Object)
		}
		rec, exists := byID(s, resource)[obj.ID]
		switch {
		case action == "deleted" && exists:
			t.Fatalf("deleted %s %s is still listed", resource, obj.ID)
		case action != "deleted" && !bytes.Equal(rec, e.Data.Object):
			t.Fatalf("%s event object %s is not the listed record %s", e.Type, e.Data.Object, rec)
		case action == "updated" && len(e.Data.Previous) != 1:
			t.Fatalf("%s without previous_attributes", e.Type)
		}
	}
	if actions["created"] == 0 || actions["updated"] == 0 || actions["deleted"] == 0 {
		t.Fatalf("actions %v: want created, updated and deleted events", actions)
	}
}

func idsFromEvents(events []cleverEvent) []string {
	out := make([]string, len(events))
	for k, e := range events {
		out[k] = e.ID
	}
	return out
}

// TestCleverInsertAndTouchLogEvents: Insert logs created events and Touch updated ones with
// the record's previous last_modified, after every event before them.
func TestCleverInsertAndTouchLogEvents(t *testing.T) {
	clk := newClock()
	s, ts := start(t, Options{Seed: 3, Records: 40, Now: clk.Now})
	sections, modified := s.table(Clever, "sections"), map[string]time.Time{}
	for i := range sections.count() {
		modified[sections.meta(i).id] = sections.meta(i).updated
	}
	touched := s.Touch(Clever, "sections", 2)
	clk.Add(time.Minute)
	inserted := s.Insert(Clever, "users", 3)
	events := walkEvents(t, s, ts.URL)
	if len(events) != 45 {
		t.Fatalf("%d events, want 40 generated and 5 logged", len(events))
	}
	tail := events[40:]
	for k, e := range tail {
		var obj struct {
			ID           string    `json:"id"`
			LastModified time.Time `json:"last_modified"`
		}
		json.Unmarshal(e.Data.Object, &obj)
		switch {
		case k < 2 && (e.Type != "sections.updated" || obj.ID != touched[k] || !obj.LastModified.Equal(clk.Now().Add(-time.Minute))):
			t.Fatalf("event %d: %s of %s modified %v", k, e.Type, obj.ID, obj.LastModified)
		case k < 2 && string(e.Data.Previous["last_modified"]) != `"`+cl(modified[obj.ID])+`"`:
			t.Fatalf("previous_attributes %s, want last_modified %s", e.Data.Previous["last_modified"], cl(modified[obj.ID]))
		case k >= 2 && (e.Type != "users.created" || obj.ID != inserted[k-2] || !e.Created.Equal(clk.Now())):
			t.Fatalf("event %d: %s of %s at %v", k, e.Type, obj.ID, e.Created)
		}
	}
	// The log's own Insert adds events that are about no new record, and shifts nothing.
	s.Insert(Clever, "events", 1)
	s.Insert(Clever, "terms", 1)
	events = walkEvents(t, s, ts.URL)
	if last := events[len(events)-1]; len(events) != 47 || last.Type != "terms.created" {
		t.Fatalf("%d events ending with %s", len(events), last.Type)
	}
}

// TestCleverUsersHoldEveryRole: /users lists contacts, district admins, staff, students and
// teachers once each; role picks those holding it.
func TestCleverUsersHoldEveryRole(t *testing.T) {
	s, ts := start(t, Options{Seed: 5, Records: 400})
	held := map[string]int{}
	for _, rec := range s.Dataset(Clever, "users") {
		var u struct {
			Roles map[string]json.RawMessage `json:"roles"`
		}
		json.Unmarshal(rec, &u)
		for role := range u.Roles {
			held[role]++
		}
	}
	for _, role := range []string{"contact", "district_admin", "staff", "student", "teacher"} {
		var p cleverPage
		get(t, ts.URL+"/v3.1/users?limit=10000&role="+role, cleverAuth).decode(t, 200, &p)
		if held[role] == 0 || len(p.Data) != held[role] {
			t.Errorf("role %s: %d listed, %d hold it", role, len(p.Data), held[role])
		}
	}
}

// TestCleverNewListsFollowTheirReference: courses and resources page like the others;
// resources documents no count, events no count but a school filter the sandbox refuses.
func TestCleverNewListsFollowTheirReference(t *testing.T) {
	s, ts := start(t, Options{Seed: 5, Records: 12})
	for _, name := range []string{"courses", "resources"} {
		var p cleverPage
		get(t, ts.URL+"/v3.0/"+name+"?limit=5", cleverAuth).decode(t, 200, &p)
		if len(p.Data) != 5 || !strings.Contains(p.link("next"), "starting_after=") {
			t.Fatalf("%s: %d records, next %q", name, len(p.Data), p.link("next"))
		}
	}
	get(t, ts.URL+"/v3.0/resources?count=true", cleverAuth).decode(t, 200, &cleverPage{})
	get(t, ts.URL+"/v3.1/events?school=x", cleverAuth).contains(t, 400, "school")
	undoc := s.Stats().Undocumented
	if undoc["clever GET /v3.0/resources count"] != 1 || len(undoc) != 1 {
		t.Fatalf("undocumented %v", undoc)
	}
	var course map[string]any
	json.Unmarshal(s.Dataset(Clever, "courses")[0], &course)
	if keys := slices.Sorted(maps.Keys(course)); !slices.Equal(keys, []string{"district", "id", "name", "number"}) {
		t.Fatalf("course fields %v, want the Course schema's", keys)
	}
}
