package sandbox

import (
	"fmt"
	"time"
)

// Clever's Events API (https://dev.clever.com/docs/events-api, Clever/swagger-api
// v3.1-events.yml): GET /v3.x/events pages like the other lists, oldest first. An event is
// {"id","created","type":"<resource>.<created|updated|deleted>","data":{"object":{...}}};
// updated events add data.previous_attributes. The generated log spans the last 30 days of
// the generated data; Insert and Touch append created and updated events at the clock's now.

const cleverEventDays = 30

// cleverEventTypes are the record types the generated log covers, users most often.
var cleverEventTypes = []string{"users", "users", "users", "sections", "sections", "schools", "terms", "courses", "resources"}

var cleverActions = []string{"created", "updated", "updated", "deleted"}

// loggedEvent is an event Insert or Touch caused: the record's table and index, and for an
// update the time the record was last modified before it.
type loggedEvent struct {
	resource, action string
	index            int
	prev             time.Time
}

// recorded appends one event per record Insert created or Touch updated; callers hold the
// server's write lock. The events table itself logs nothing.
func (c *clever) recorded(t *table, action string, idx []int, prev []time.Time) {
	log := c.s.table(Clever, "events")
	if t.name == "events" || log == nil || len(idx) == 0 {
		return
	}
	if c.logged == nil {
		c.logged = map[int]loggedEvent{}
	}
	at := log.count()
	for k, i := range idx {
		e := loggedEvent{resource: t.name, action: action, index: i}
		if prev != nil {
			e.prev = prev[k]
		}
		c.logged[at+k] = e
	}
	log.insert(c.s.now(), len(idx))
}

// eventOf is what event i of the log is about. Other events (generated ones, and those
// Insert adds to the log itself) draw a type and a record of that type's generated ones; one
// whose type has none, or a deletion, is about a record that no longer exists (index -1).
func (c *clever) eventOf(t *table, i int) loggedEvent {
	if e, ok := c.logged[i]; ok {
		return e
	}
	e := loggedEvent{resource: pick(cleverEventTypes, t.h(i, hA)), action: pick(cleverActions, t.h(i, hB)), index: -1}
	if target := c.s.table(Clever, e.resource); target.base > 0 && e.action != "deleted" {
		e.index = int(t.h(i, hC) % uint64(target.base))
		e.prev = target.meta(e.index).created
	}
	return e
}

func (c *clever) event(t *table, i int) obj {
	m, e := t.meta(i), c.eventOf(t, i)
	object := c.eventObject(t, i, e)
	data := obj{{"object", object}}
	switch field := modifiedField(e.resource); {
	case e.action != "updated":
	case field != "":
		data = append(data, kv{"previous_attributes", obj{{field, cl(e.prev)}}})
	default: // no timestamp to show: the name it had
		data = append(data, kv{"previous_attributes", obj{{"name", fmt.Sprintf("%v (before)", object.get("name"))}}})
	}
	return obj{{"id", m.id}, {"created", cl(m.created)}, {"type", e.resource + "." + e.action}, {"data", data}}
}

// eventObject is the record the event is about, as the record's own list serves it now. A
// deleted record is a generated one under an id no list serves.
func (c *clever) eventObject(t *table, i int, e loggedEvent) obj {
	if e.index >= 0 {
		return c.record(c.s.table(Clever, e.resource), e.index)
	}
	gone := fmt.Sprintf("%08x%06x%010x", uint32(t.meta(i).created.Unix()), 0xdeadbe, t.h(i, hD)%(1<<36))
	target := c.s.table(Clever, e.resource)
	if target.base == 0 {
		return obj{{"id", gone}, {"district", c.district}}
	}
	rec := c.record(target, int(t.h(i, hC)%uint64(target.base)))
	return append(obj{{"id", gone}}, rec[1:]...)
}
