package current

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/pagewise/pagewise/internal/storage"
)

const root = "pagewise/close/lead/current/lead"

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// at is t0 plus minutes.
func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

// run is the run of id e<minutes> that started at(minutes).
func run(minutes int) Run {
	return Run{ID: fmt.Sprintf("e%d", minutes), ExtractedAt: at(minutes), Watermark: at(minutes - 5)}
}

// change is one input of a merge.
type change struct {
	kind kind
	id   string
	rec  string
	at   time.Time
}

func up(id, rec string) change              { return change{kind: kindUpsert, id: id, rec: rec} }
func del(id string, t time.Time) change     { return change{kind: kindDelete, id: id, at: t} }
func seenID(id string) change               { return change{kind: kindSeen, id: id} }
func rec(id string, v int) (string, string) { return id, fmt.Sprintf(`{"id":%q,"v":%d}`, id, v) }

// upv is an upsert of {"id":id,"v":v}.
func upv(id string, v int) change { return up(rec(id, v)) }

// newMerge adds changes to a merge of run.
func newMerge(t testing.TB, store storage.Store, run Run, opts Options, changes ...change) *Merge {
	t.Helper()
	if opts.TempDir == "" {
		opts.TempDir = t.TempDir()
	}
	m, err := New(store, root, run, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	for i, c := range changes {
		switch c.kind {
		case kindUpsert:
			err = m.Upsert(c.id, []byte(c.rec), fmt.Sprintf("data/part-000/page-%08d.jsonl.gz", i/10+1))
		case kindDelete:
			err = m.Delete(c.id, c.at)
		case kindSeen:
			err = m.Seen(c.id)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// merge merges and publishes changes as run.
func merge(t testing.TB, store storage.Store, run Run, opts Options, changes ...change) Result {
	t.Helper()
	res, err := newMerge(t, store, run, opts, changes...).Publish(context.Background())
	if err != nil {
		t.Fatalf("merging %s: %v", run.ID, err)
	}
	return res
}

// rows reads the published generation of the table at r.
func rows(t testing.TB, store storage.Store, r string) (Pointer, Manifest, []Row) {
	t.Helper()
	p, m, found, err := Read(context.Background(), store, r)
	if err != nil || !found {
		t.Fatalf("reading %s: found %v, %v", r, found, err)
	}
	var out []Row
	err = Rows(context.Background(), store, m, func(row *Row) error {
		c := *row
		c.Record = bytes.Clone(row.Record)
		out = append(out, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, m, out
}

// byID is the current table's rows by id.
func byID(t testing.TB, store storage.Store) map[string]Row {
	t.Helper()
	_, _, rs := rows(t, store, root)
	out := map[string]Row{}
	for _, r := range rs {
		out[r.ID] = r
	}
	return out
}

// objects is every object under prefix with its body.
func objects(t testing.TB, store storage.Store, prefix string) map[string][]byte {
	t.Helper()
	list, err := store.List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, o := range list {
		if out[o.Key], err = store.Get(context.Background(), o.Key); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func newGzip(w io.Writer) *gzip.Writer { return gzip.NewWriter(w) }
