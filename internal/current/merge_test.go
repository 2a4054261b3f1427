package current

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/storage/storagetest"
	"github.com/pagewise/pagewise/internal/table"
)

// wantRow is what a row of the current table should say.
type wantRow struct {
	rec     string
	export  string
	deleted time.Time
}

func checkTable(t *testing.T, got map[string]Row, want map[string]wantRow) {
	t.Helper()
	if !slices.Equal(keys(got), keys(want)) {
		t.Fatalf("ids %v, want %v", keys(got), keys(want))
	}
	for id, w := range want {
		g := got[id]
		if string(g.Record) != w.rec || g.ExportID != w.export || !g.DeletedAt.Equal(w.deleted) {
			t.Errorf("%s: record %s from %s deleted %v; want %s from %s deleted %v", id, g.Record, g.ExportID, g.DeletedAt, w.rec, w.export, w.deleted)
		}
	}
}

// TestUpdatesDeletesAndReinserts: every record's latest version by id, deletes kept with
// their time, a deleted record that comes back live again, stale and unknown deletes
// changing nothing.
func TestUpdatesDeletesAndReinserts(t *testing.T) {
	store := storagetest.NewMemory()
	merge(t, store, run(10), Options{}, upv("a", 1), upv("b", 1), upv("c", 1))
	res := merge(t, store, run(20), Options{},
		upv("b", 2), upv("c", 1), del("a", at(15)), upv("d", 1))
	_, a1 := rec("a", 1)
	_, b2 := rec("b", 2)
	_, c1 := rec("c", 1)
	_, d1 := rec("d", 1)
	checkTable(t, byID(t, store), map[string]wantRow{
		"a": {a1, "e10", at(15)}, "b": {b2, "e20", time.Time{}}, "c": {c1, "e20", time.Time{}}, "d": {d1, "e20", time.Time{}},
	})
	want := Changes{Upserts: 3, Deletes: 1, Inserted: 1, Updated: 1, Unchanged: 1, Deleted: 1}
	if *res.Current.Changes != want {
		t.Errorf("changes %+v, want %+v", *res.Current.Changes, want)
	}
	if res.Current.Generation != 2 || res.Current.Rows != 4 || res.Current.Live != 3 || res.Current.Deleted != 1 {
		t.Errorf("result %+v", res.Current)
	}

	// a comes back; d's delete is older than the run that saw it; x was never seen.
	res = merge(t, store, run(30), Options{}, upv("a", 2), del("d", at(19)), del("x", at(29)), del("b", at(30)))
	_, a2 := rec("a", 2)
	checkTable(t, byID(t, store), map[string]wantRow{
		"a": {a2, "e30", time.Time{}}, "b": {b2, "e20", at(30)}, "c": {c1, "e20", time.Time{}}, "d": {d1, "e20", time.Time{}},
	})
	want = Changes{Upserts: 1, Deletes: 3, Undeleted: 1, Deleted: 1, Stale: 1, UnknownDeletes: 1}
	if *res.Current.Changes != want {
		t.Errorf("changes %+v, want %+v", *res.Current.Changes, want)
	}
}

// TestTies: of two upserts of one id in a run the later wins; a delete at the run's own
// start wins over its upsert; a delete later than the run's start wins too.
func TestTies(t *testing.T) {
	store := storagetest.NewMemory()
	merge(t, store, run(10), Options{}, upv("a", 1), upv("b", 1))
	res := merge(t, store, run(20), Options{},
		upv("a", 2), upv("c", 1), upv("a", 3), upv("c", 2), // repeated in the run
		upv("b", 2), del("b", at(20)), // tie: the delete wins
		del("e", at(25)), upv("e", 1), // a delete after the run began, added first
	)
	_, a3 := rec("a", 3)
	_, b2 := rec("b", 2)
	_, c2 := rec("c", 2)
	_, e1 := rec("e", 1)
	checkTable(t, byID(t, store), map[string]wantRow{
		"a": {a3, "e20", time.Time{}}, "b": {b2, "e20", at(20)}, "c": {c2, "e20", time.Time{}}, "e": {e1, "e20", at(25)},
	})
	if c := res.Current.Changes; c.Repeated != 2 || c.Inserted != 2 || c.Updated != 2 || c.Deleted != 2 {
		t.Errorf("changes %+v", *c)
	}
}

// TestDropDeleted: with DropDeleted the current table holds live records only; history
// keeps the deleted version.
func TestDropDeleted(t *testing.T) {
	store := storagetest.NewMemory()
	opts := Options{DropDeleted: true, History: true}
	merge(t, store, run(10), opts, upv("a", 1), upv("b", 1))
	res := merge(t, store, run(20), opts, del("a", at(15)))
	if got := keys(byID(t, store)); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("current table ids %v, want [b]", got)
	}
	if res.Current.Deleted != 0 || res.History.Deleted != 1 {
		t.Errorf("deleted rows: current %d, history %d; want 0 and 1", res.Current.Deleted, res.History.Deleted)
	}
}

// TestSweeps: a listing of every id deletes, at the sweep's time, the live records it
// does not list; a snapshot run's own records are its listing.
func TestSweeps(t *testing.T) {
	store := storagetest.NewMemory()
	merge(t, store, run(10), Options{}, upv("a", 1), upv("b", 1), upv("c", 1), upv("d", 1))
	merge(t, store, run(12), Options{}, del("d", at(11)))
	sweep := run(20)
	sweep.Sweep = true
	res := merge(t, store, sweep, Options{}, seenID("a"), seenID("x"), upv("c", 2))
	got := byID(t, store)
	if !got["a"].Live() || !got["c"].Live() || !got["b"].DeletedAt.Equal(at(20)) || !got["d"].DeletedAt.Equal(at(11)) {
		t.Fatalf("after the sweep: %+v", got)
	}
	if c := res.Current.Changes; c.Swept != 1 || c.Seen != 2 {
		t.Errorf("changes %+v, want 1 swept of 2 seen", *c)
	}

	snapshot := run(30)
	snapshot.Sweep = true
	merge(t, store, snapshot, Options{}, upv("b", 2), upv("e", 1))
	got = byID(t, store)
	for id, want := range map[string]time.Time{"a": at(30), "b": {}, "c": at(30), "d": at(11), "e": {}} {
		if !got[id].DeletedAt.Equal(want) {
			t.Errorf("%s deleted at %v, want %v", id, got[id].DeletedAt, want)
		}
	}
	m := newMerge(t, store, run(40), Options{})
	if err := m.Seen("a"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Seen on a run that is no sweep: %v, want ErrInvalid", err)
	}
}

// TestHistory: every version with the span it held, from the runs that saw it.
func TestHistory(t *testing.T) {
	store := storagetest.NewMemory()
	opts := Options{History: true}
	merge(t, store, run(10), opts, upv("a", 1), upv("b", 1))
	merge(t, store, run(20), opts, upv("a", 1), upv("b", 2)) // a unchanged: no version
	merge(t, store, run(30), opts, del("a", at(25)), upv("b", 3), upv("b", 4))
	merge(t, store, run(40), opts, upv("a", 2))
	_, _, hist := rows(t, store, HistoryRoot(root))
	type version struct {
		id, rec       string
		from, to, del time.Time
		export        string
	}
	var got []version
	for _, r := range hist {
		got = append(got, version{r.ID, string(r.Record), r.ValidFrom, r.ValidTo, r.DeletedAt, r.ExportID})
	}
	_, a1 := rec("a", 1)
	_, a2 := rec("a", 2)
	_, b1 := rec("b", 1)
	_, b2 := rec("b", 2)
	_, b4 := rec("b", 4)
	want := []version{
		{"a", a1, at(10), at(25), at(25), "e20"},
		{"a", a2, at(40), time.Time{}, time.Time{}, "e40"},
		{"b", b1, at(10), at(20), time.Time{}, "e10"},
		{"b", b2, at(20), at(30), time.Time{}, "e20"},
		{"b", b4, at(30), time.Time{}, time.Time{}, "e30"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("history:\n got %v\nwant %v", got, want)
	}
}

// TestMemoryIsBoundedBySpillRecords: however many changes and rows, the merge never holds
// more records than SpillRecords, and writes the same bytes as a merge that sorted
// everything in one batch.
func TestMemoryIsBoundedBySpillRecords(t *testing.T) {
	const n = 1_000
	rng := rand.New(rand.NewPCG(1, 2))
	var first, second []change
	for _, i := range rng.Perm(n) {
		first = append(first, upv(fmt.Sprintf("id-%05d", i), 1))
	}
	for range n / 2 {
		id := fmt.Sprintf("id-%05d", rng.IntN(n+n/4))
		switch rng.IntN(3) {
		case 0:
			second = append(second, del(id, at(15)))
		default:
			second = append(second, upv(id, rng.IntN(3)))
		}
	}
	outputs := map[int]map[string][]byte{}
	for _, limit := range []int{MinSpillRecords, 8, 50, 100_000} {
		store := storagetest.NewMemory()
		opts := Options{SpillRecords: limit, History: true, partBytes: 16 << 10}
		merge(t, store, run(10), opts, first...)
		m := newMerge(t, store, run(20), opts, second...)
		res, err := m.Publish(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if res.PeakHeld > limit || res.PeakHeld < min(limit, 4) {
			t.Errorf("spill records %d: the merge held %d records at once", limit, res.PeakHeld)
		}
		outputs[limit] = objects(t, store, root)
		if _, m, _ := rows(t, store, root); len(m.Parts) < 2 {
			t.Fatalf("%d parts: the test wants several", len(m.Parts))
		}
	}
	for limit, objs := range outputs {
		if !sameObjects(objs, outputs[100_000]) {
			t.Errorf("spill records %d wrote other objects than one batch did", limit)
		}
	}
}

func sameObjects(a, b map[string][]byte) bool {
	if !slices.Equal(keys(a), keys(b)) {
		return false
	}
	for k, v := range a {
		if string(v) != string(b[k]) {
			return false
		}
	}
	return true
}

// TestRowsAreSortedAndWhole: the rows of a generation come back in id order, records byte
// for byte, ids with characters JSON escapes.
func TestRowsAreSortedAndWhole(t *testing.T) {
	store := storagetest.NewMemory()
	ids := []string{"b", "a\"q", "a\\b", "ä", "10", "9", "z\n", "a"}
	var cs []change
	for i, id := range ids {
		cs = append(cs, up(id, fmt.Sprintf(`{"id": %d, "nested": {"x": [1, 2.50, "\u00e9"]}}`, i)))
	}
	merge(t, store, run(10), Options{partBytes: 100}, cs...)
	_, m, rs := rows(t, store, root)
	if len(m.Parts) < 3 {
		t.Errorf("%d parts, want one every row or two", len(m.Parts))
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.ID)
		i := slices.Index(ids, r.ID)
		if want := fmt.Sprintf(`{"id": %d, "nested": {"x": [1, 2.50, "\u00e9"]}}`, i); string(r.Record) != want {
			t.Errorf("%q: record %s, want %s", r.ID, r.Record, want)
		}
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	if !slices.Equal(got, sorted) {
		t.Errorf("ids in order %q, want %q", got, sorted)
	}
}

// TestBadInputIsRefusedWithoutRecordData: records that are not objects, ids that are
// empty or too long, runs and settings that can never merge.
func TestBadInputIsRefusedWithoutRecordData(t *testing.T) {
	store := storagetest.NewMemory()
	m := newMerge(t, store, run(10), Options{})
	for name, err := range map[string]error{
		"array":       m.Upsert("a", []byte(`["secret-value"]`), "p"),
		"broken":      m.Upsert("a", []byte(`{"k":"secret-value"`), "p"),
		"empty id":    m.Upsert("", []byte(`{}`), "p"),
		"long id":     m.Delete(strings.Repeat("x", MaxIDBytes+1), at(1)),
		"no time":     m.Delete("a", time.Time{}),
		"no id field": func() error { _, err := Field("id")([]byte(`{"name":"secret-value"}`)); return err }(),
	} {
		if !errors.Is(err, ErrInvalid) || strings.Contains(err.Error(), "secret-value") {
			t.Errorf("%s: %v, want ErrInvalid without the record", name, err)
		}
	}
	for name, f := range map[string]func() error{
		"run id":  func() error { _, err := New(store, root, Run{ID: "../x", ExtractedAt: t0}, Options{}); return err },
		"no time": func() error { _, err := New(store, root, Run{ID: "e1"}, Options{}); return err },
		"format":  func() error { _, err := New(store, root, run(1), Options{Format: "csv"}); return err },
		"spill":   func() error { _, err := New(store, root, run(1), Options{SpillRecords: 2}); return err },
		"root":    func() error { _, err := Root("../x", "lead"); return err },
		"abs":     func() error { _, err := Root("/x", "lead"); return err },
		"res":     func() error { _, err := Root("close/lead", "a/b"); return err },
	} {
		if err := f(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if r, err := Root("pagewise/close/lead", "lead"); err != nil || r != "pagewise/close/lead/current/lead" {
		t.Errorf("Root: %q, %v", r, err)
	}
}

// TestIDs: Field reads string and number ids at a path, Attio's nested one included.
func TestIDs(t *testing.T) {
	for _, c := range []struct {
		path []string
		rec  string
		want string
	}{
		{[]string{"id"}, `{"id": 12345678901234567890}`, "12345678901234567890"},
		{[]string{"id"}, `{"id":"lead_x"}`, "lead_x"},
		{[]string{"id", "record_id"}, `{"id":{"workspace_id":"w","record_id":"r-1"}}`, "r-1"},
		{[]string{"data", "id"}, `{"data":{"id":"5f"}}`, "5f"},
	} {
		got, err := Field(c.path...)([]byte(c.rec))
		if err != nil || got != c.want {
			t.Errorf("%v of %s: %q, %v; want %q", c.path, c.rec, got, err, c.want)
		}
	}
	for _, bad := range []string{`{"id":null}`, `{"id":{"x":1}}`, `{"id":true}`, `{"id":"x"}`} {
		if _, err := Field("id", "record_id")([]byte(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", bad, err)
		}
	}
}

// TestAddPages: a run's pages, as exports write them, become upserts with their page's
// key; a record without an id fails naming the page and the record's place, not its data.
func TestAddPages(t *testing.T) {
	store := storagetest.NewMemory()
	page := func(name string, lines ...string) table.Page {
		body := gz(t, strings.Join(lines, "\n")+"\n")
		return table.Page{Name: name, Open: func(context.Context) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(body)), nil
		}}
	}
	long := `{"id":{"record_id":"r3"},"text":"` + strings.Repeat("x", 200_000) + `"}`
	m := newMerge(t, store, run(10), Options{})
	err := m.AddPages(context.Background(), []table.Page{
		page("data/part-000/page-00000001.jsonl.gz", `{"id":{"record_id":"r2"},"v":1}`, `{"id":{"record_id":"r1"}}`),
		page("data/part-000/page-00000002.jsonl.gz", long),
	}, Field("id", "record_id"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := byID(t, store)
	if got["r2"].Page != "data/part-000/page-00000001.jsonl.gz" || string(got["r3"].Record) != long || len(got) != 3 {
		t.Errorf("rows %v", keys(got))
	}
	bad := newMerge(t, store, run(20), Options{})
	err = bad.AddPages(context.Background(), []table.Page{page("data/part-000/page-00000009.jsonl.gz", `{"id":{"record_id":"ok"}}`, `{"name":"secret-value"}`)}, Field("id", "record_id"))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "page-00000009.jsonl.gz, record 2") || strings.Contains(err.Error(), "secret") {
		t.Errorf("a record without an id: %v", err)
	}
}

// TestRowsRoundTrip: whatever an id, page or time holds, a row reads back as written.
func TestRowsRoundTrip(t *testing.T) {
	for _, r := range []Row{
		{ID: "plain", ExportID: "e1", ExtractedAt: t0, Page: "p", Record: []byte(`{}`)},
		{ID: "q\"u\\o\u0001te\u2028", ExportID: "e1", ExtractedAt: t0.Add(123), Page: "data/p\"1", DeletedAt: t0.Add(time.Hour), Record: []byte(`{"a":"}"}`)},
		{ID: "h", ExportID: "e", ExtractedAt: t0, ValidFrom: t0, ValidTo: t0.Add(1), DeletedAt: t0.Add(1), Record: []byte(`{"record":1}`)},
	} {
		for _, history := range []bool{false, true} {
			line := appendRow(nil, &r, history)
			got, err := parseRow(line[:len(line)-1], history)
			if !history {
				r.ValidFrom, r.ValidTo = time.Time{}, time.Time{}
			}
			if err != nil || got.ID != r.ID || got.ExportID != r.ExportID || !got.ExtractedAt.Equal(r.ExtractedAt) ||
				got.Page != r.Page || !got.DeletedAt.Equal(r.DeletedAt) || !got.ValidFrom.Equal(r.ValidFrom) ||
				!got.ValidTo.Equal(r.ValidTo) || string(got.Record) != string(r.Record) {
				t.Errorf("%s read back as %+v (%v)", line, got, err)
			}
			if !json.Valid(line) {
				t.Errorf("%s is not JSON", line)
			}
		}
	}
}
