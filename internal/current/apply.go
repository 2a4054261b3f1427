package current

import (
	"bytes"
	"strings"
	"time"
)

// tableMerge applies a run's sorted changes to a table's previous generation, an id at a
// time, and yields the next generation's rows in order.
//
// Every version of a record has a time: the start of the run that returned it, or when
// it was deleted. A change older than the version a table holds is stale and ignored; at
// equal times a delete wins over an upsert, and of two upserts of one run the later wins.
type tableMerge struct {
	run     Run
	at      int64 // the run's start, unix nanoseconds
	history bool
	drop    bool // leave deleted records out (current table only)
	prev    *genReader
	changes *runMerge
	mem     *gauge
	stats   Changes
}

// rows yields the generation's rows; an error is yielded once, last.
func (t *tableMerge) rows(yield func(*Row, error) bool) {
	for {
		id, ok, err := t.nextID()
		if err != nil {
			yield(nil, err)
			return
		}
		if !ok || !t.group(id, yield) {
			return
		}
	}
}

// nextID is the least id either input holds next.
func (t *tableMerge) nextID() (string, bool, error) {
	p, err := t.prev.peek()
	if err != nil {
		return "", false, err
	}
	e := t.changes.peek()
	switch {
	case p == nil && e == nil:
		return "", false, nil
	case p == nil:
		return e.id, true, nil
	case e == nil || strings.Compare(p.ID, e.id) <= 0:
		return p.ID, true, nil
	}
	return e.id, true, nil
}

// group merges one id: its rows in the previous generation (one; history: its versions
// in order), then the run's changes to it. It reports whether to go on.
func (t *tableMerge) group(id string, yield func(*Row, error) bool) bool {
	emit := func(r *Row) bool {
		ok := yield(r, nil)
		t.mem.give(1)
		return ok
	}
	var st *Row // the version the id holds now; counted while held
	for {
		p, err := t.prev.peek()
		if err != nil {
			yield(nil, err)
			return false
		}
		if p == nil || p.ID != id {
			break
		}
		_, _ = t.prev.next()
		if st != nil && !emit(st) { // an earlier version (history)
			return false
		}
		st = p
	}
	seen := false
	for e := t.changes.peek(); e != nil && e.id == id; e = t.changes.peek() {
		e, err := t.changes.next()
		if err != nil {
			yield(nil, err)
			return false
		}
		var closed *Row
		st, closed, seen = t.apply(st, e, seen)
		if closed != nil && !emit(closed) {
			return false
		}
	}
	if t.run.Sweep && st != nil && st.Live() && !seen && st.ExtractedAt.UnixNano() < t.at {
		t.remove(st, t.run.ExtractedAt)
		t.stats.Swept++
	}
	switch {
	case st == nil:
		return true
	case t.drop && !st.Live():
		t.mem.give(1)
		return true
	}
	return emit(st)
}

// apply is one change to the version st (nil: none). It returns the version after it, a
// version it closed (history keeps it as a row of its own), and whether a sweep listed
// the id. The change's record becomes the version's or is let go.
func (t *tableMerge) apply(st *Row, e *entry, seen bool) (next, closed *Row, _ bool) {
	drop := func() { t.mem.give(1) }
	switch e.kind {
	case kindSeen:
		drop()
		return st, nil, true
	case kindDelete:
		switch {
		case st == nil:
			t.stats.UnknownDeletes++
		case !st.Live() || e.at < st.ExtractedAt.UnixNano():
			t.stats.Stale++ // deleted already, or seen alive after the delete
		default:
			t.remove(st, time.Unix(0, e.at).UTC())
			t.stats.Deleted++
		}
		drop()
		return st, nil, seen
	}
	switch {
	case st == nil:
		t.stats.Inserted++
		return t.version(e), nil, seen
	case e.at < st.at().UnixNano():
		t.stats.Stale++
		drop()
		return st, nil, seen
	case !st.Live():
		t.stats.Undeleted++
		return t.version(e), t.closeOrDrop(st), seen
	}
	again := st.ExportID == t.run.ID && st.ExtractedAt.UnixNano() == t.at
	if again {
		t.stats.Repeated++
	}
	if bytes.Equal(st.Record, e.record) {
		if !again {
			t.stats.Unchanged++
		}
		st.ExportID, st.ExtractedAt, st.Page = t.run.ID, t.run.ExtractedAt, e.page
		drop()
		return st, nil, seen
	}
	if !again {
		t.stats.Updated++
	}
	if t.history && st.ValidFrom.UnixNano() != t.at {
		st.ValidTo = t.run.ExtractedAt
		return t.version(e), st, seen
	}
	// The version began in this run (or there is no history): the later record wins.
	v := t.version(e)
	v.ValidFrom = st.ValidFrom
	t.mem.give(1)
	return v, nil, seen
}

// closeOrDrop is a replaced version: a row of its own in history, let go otherwise.
func (t *tableMerge) closeOrDrop(st *Row) *Row {
	if t.history {
		return st
	}
	t.mem.give(1)
	return nil
}

// version is the run's record as a new version.
func (t *tableMerge) version(e *entry) *Row {
	r := &Row{ID: e.id, ExportID: t.run.ID, ExtractedAt: t.run.ExtractedAt, Page: e.page, Record: e.record}
	if t.history {
		r.ValidFrom = t.run.ExtractedAt
	}
	return r
}

// remove marks st deleted at at; in history its version ends then.
func (t *tableMerge) remove(st *Row, at time.Time) {
	st.DeletedAt = at
	if t.history {
		st.ValidTo = at
	}
}
