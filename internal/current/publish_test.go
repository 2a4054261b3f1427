package current

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
	"github.com/pagewise/pagewise/internal/table"
)

// hookStore runs a hook before each conditional write.
type hookStore struct {
	storage.Store
	beforePutIf func(key string) error
}

func (h *hookStore) PutIf(ctx context.Context, key string, body []byte, contentType, etag string) error {
	if h.beforePutIf != nil {
		if err := h.beforePutIf(key); err != nil {
			return err
		}
	}
	return h.Store.PutIf(ctx, key, body, contentType, etag)
}

func pointerBody(t *testing.T, store storage.Store) string {
	t.Helper()
	b, err := store.Get(context.Background(), pointerKey(root))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAnOlderRunIsRefused: a run older than the pointer's, or as old and another, does
// not publish over it; the run the pointer names finds itself published.
func TestAnOlderRunIsRefused(t *testing.T) { testAnOlderRunIsRefused(t, storagetest.NewMemory()) }

func testAnOlderRunIsRefused(t *testing.T, store storage.Store) {
	merge(t, store, run(20), Options{}, upv("a", 2))
	before := pointerBody(t, store)
	for _, r := range []Run{run(10), {ID: "other", ExtractedAt: at(20)}} {
		_, err := newMerge(t, store, r, Options{}, upv("a", 1)).Publish(context.Background())
		if !errors.Is(err, ErrSuperseded) {
			t.Errorf("run %s of %v: %v, want ErrSuperseded", r.ID, r.ExtractedAt, err)
		}
	}
	if pointerBody(t, store) != before {
		t.Fatal("a refused run moved the pointer")
	}
	res := merge(t, store, run(20), Options{}, upv("a", 2))
	if !res.Current.Already || res.Current.Generation != 1 {
		t.Errorf("the published run again: %+v, want already published in generation 1", res.Current)
	}
	if got := byID(t, store)["a"]; got.ExportID != "e20" {
		t.Errorf("a is from %s", got.ExportID)
	}
}

// TestACrashBeforePublishChangesNothing: a merge that stops after writing its generation
// and before moving the pointer leaves the previous generation current, whole; the next
// attempt writes the same objects under the same generation and publishes it.
func TestACrashBeforePublishChangesNothing(t *testing.T) {
	testACrashBeforePublishChangesNothing(t, storagetest.NewMemory())
}

func testACrashBeforePublishChangesNothing(t *testing.T, mem storage.Store) {
	merge(t, mem, run(10), Options{Format: table.FormatBoth}, upv("a", 1), upv("b", 1))
	before := byID(t, mem)
	crash := errors.New("killed")
	store := &hookStore{Store: mem, beforePutIf: func(key string) error {
		if key == pointerKey(root) {
			return crash
		}
		return nil
	}}
	changes := []change{upv("a", 2), del("b", at(15)), upv("c", 1)}
	if _, err := newMerge(t, store, run(20), Options{Format: table.FormatBoth}, changes...).Publish(context.Background()); !errors.Is(err, crash) {
		t.Fatalf("publish: %v", err)
	}
	written := objects(t, mem, genDir(root, 2)+"/")
	if len(written) < 5 {
		t.Fatalf("generation 2 holds %v before the crash", keys(written))
	}
	if p, _, _ := rows(t, mem, root); p.Generation != 1 {
		t.Fatalf("pointer at generation %d after the crash", p.Generation)
	}
	if after := byID(t, mem); !mapsEqualRows(before, after) {
		t.Fatalf("the table changed: %v", after)
	}
	res := merge(t, mem, run(20), Options{Format: table.FormatBoth}, changes...)
	if res.Current.Generation != 2 {
		t.Fatalf("the retry published generation %d, want 2", res.Current.Generation)
	}
	if again := objects(t, mem, genDir(root, 2)+"/"); !sameObjects(written, again) {
		t.Errorf("the retry wrote other objects: %v then %v", keys(written), keys(again))
	}
	if got := byID(t, mem); !got["b"].DeletedAt.Equal(at(15)) || string(got["a"].Record) != `{"id":"a","v":2}` {
		t.Errorf("after the retry: %v", got)
	}
}

func mapsEqualRows(a, b map[string]Row) bool {
	if !slices.Equal(keys(a), keys(b)) {
		return false
	}
	for k, r := range a {
		s := b[k]
		if r.ExportID != s.ExportID || !bytes.Equal(r.Record, s.Record) || !r.DeletedAt.Equal(s.DeletedAt) {
			return false
		}
	}
	return true
}

// TestPublishingRunsKeepTheirOrder: a run that an older one overtakes while it merges
// merges again on top of it; an older run that a newer one overtakes is refused, and its
// generation is collected by the next publish.
func TestPublishingRunsKeepTheirOrder(t *testing.T) {
	testPublishingRunsKeepTheirOrder(t, storagetest.NewMemory())
}

func testPublishingRunsKeepTheirOrder(t *testing.T, mem storage.Store) {
	merge(t, mem, run(10), Options{}, upv("a", 1))
	once := false
	store := &hookStore{Store: mem, beforePutIf: func(key string) error {
		if key == pointerKey(root) && !once {
			once = true
			merge(t, mem, run(15), Options{}, upv("b", 1)) // the older run publishes first
		}
		return nil
	}}
	res, err := newMerge(t, store, run(20), Options{}, upv("c", 1)).Publish(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(byID(t, mem)); !slices.Equal(got, []string{"a", "b", "c"}) || res.Current.Generation != 4 {
		t.Fatalf("ids %v in generation %d: the newer run must merge again on the older one's", got, res.Current.Generation)
	}

	once = false
	store.beforePutIf = func(key string) error {
		if key == pointerKey(root) && !once {
			once = true
			merge(t, mem, run(40), Options{}, upv("e", 1)) // the newer run publishes first
		}
		return nil
	}
	if _, err := newMerge(t, store, run(30), Options{}, upv("d", 1)).Publish(context.Background()); !errors.Is(err, ErrSuperseded) {
		t.Fatalf("the overtaken older run: %v, want ErrSuperseded", err)
	}
	if got := keys(byID(t, mem)); !slices.Equal(got, []string{"a", "b", "c", "e"}) {
		t.Fatalf("ids %v", got)
	}
	// Run 30's generation, 5, was doomed once run 40 published: gone by its collection or the next.
	merge(t, mem, run(50), Options{Keep: 2}, upv("f", 1))
	if left := objects(t, mem, genDir(root, 5)+"/"); len(left) != 0 {
		t.Errorf("the refused generation is still there: %v", keys(left))
	}
}

// TestRetention: the last Keep published generations stay, older ones and abandoned
// ones below the pointer go, a generation being written above it stays, and nothing
// outside the table's own gen- folders is touched.
func TestRetention(t *testing.T) { testRetention(t, storagetest.NewMemory()) }

func testRetention(t *testing.T, mem storage.Store) {
	ctx := context.Background()
	outside := []string{
		"pagewise/close/lead/e1/data/part-000/page-00000001.jsonl.gz",
		"pagewise/close/lead/watermark.json",
		"pagewise/close/lead/current/lead-2/gen-00000001/manifest.json",
		"pagewise/close/lead/current/lead/notes.txt",
		"pagewise/close/lead/current/lead/gen-x/manifest.json",
		"pagewise/close/lead/current/other/gen-00000001/manifest.json",
	}
	for _, k := range outside {
		if err := mem.Put(ctx, k, []byte("keep"), "text/plain", nil); err != nil {
			t.Fatal(err)
		}
	}
	opts := Options{Keep: 2, History: true}
	for i := 1; i <= 3; i++ {
		merge(t, mem, run(10*i), opts, upv(fmt.Sprintf("id%d", i), i))
	}
	// An abandoned claim (a merge that died) below the next pointer, and one in progress above it.
	if err := mem.Put(ctx, genDir(root, 4)+"/claim.json", []byte(`{}`), "application/json", nil); err != nil {
		t.Fatal(err)
	}
	merge(t, mem, run(40), opts, upv("id4", 4)) // generation 5
	store := &hookStore{Store: mem, beforePutIf: func(key string) error {
		if key == pointerKey(root) { // another merge claims a generation meanwhile
			return mem.Put(ctx, genDir(root, 99)+"/claim.json", []byte(`{}`), "application/json", nil)
		}
		return nil
	}}
	if _, err := newMerge(t, store, run(50), opts, upv("id5", 5)).Publish(ctx); err != nil { // generation 6
		t.Fatal(err)
	}
	var gens []int
	for k := range objects(t, mem, root+"/gen-") {
		if n, ok := genOf(root, k); ok && !slices.Contains(gens, n) {
			gens = append(gens, n)
		}
	}
	slices.Sort(gens)
	if !slices.Equal(gens, []int{5, 6, 99}) {
		t.Errorf("generations left %v, want [5 6 99]", gens)
	}
	var hist []int
	for k := range objects(t, mem, HistoryRoot(root)+"/gen-") {
		if n, ok := genOf(HistoryRoot(root), k); ok && !slices.Contains(hist, n) {
			hist = append(hist, n)
		}
	}
	slices.Sort(hist)
	if !slices.Equal(hist, []int{4, 5}) {
		t.Errorf("history generations left %v, want [4 5]", hist)
	}
	for _, k := range outside {
		if _, err := mem.Get(ctx, k); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	if got := len(byID(t, mem)); got != 5 {
		t.Errorf("%d rows, want 5", got)
	}
}

// TestAGenerationThatDoesNotMatchItsManifestFails: the next merge refuses a published
// generation whose part was changed, rather than build on it.
func TestAGenerationThatDoesNotMatchItsManifestFails(t *testing.T) {
	for name, damage := range map[string]func([]byte) []byte{
		"bytes":   func(b []byte) []byte { b[len(b)/2] ^= 0xff; return b },
		"cut":     func(b []byte) []byte { return b[:len(b)-9] },
		"foreign": func([]byte) []byte { return gz(t, `{"_pagewise_id":"a"}`+"\n") },
	} {
		t.Run(name, func(t *testing.T) {
			mem := storagetest.NewMemory()
			merge(t, mem, run(10), Options{}, upv("a", 1), upv("b", 1))
			key := partKey(root, 1, 0)
			b, _ := mem.Get(context.Background(), key)
			if err := mem.Put(context.Background(), key, damage(b), "", nil); err != nil {
				t.Fatal(err)
			}
			_, err := newMerge(t, mem, run(20), Options{}, upv("c", 1)).Publish(context.Background())
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), key) {
				t.Fatalf("merging on a damaged generation: %v, want ErrCorrupt naming %s", err, key)
			}
		})
	}
}

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := newGzip(&buf)
	_, _ = io.WriteString(zw, s)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestParquetGenerations: format parquet writes typed files beside the parts, every row
// with its own metadata, and the next generation keeps the columns' order and types.
func TestParquetGenerations(t *testing.T) {
	mem := storagetest.NewMemory()
	opts := Options{Format: table.FormatParquet, History: true}
	merge(t, mem, run(10), opts, up("a", `{"id":"a","n":1,"tags":["x"]}`), up("b", `{"id":"b","n":2}`))
	merge(t, mem, run(20), opts, up("c", `{"id":"c","n":3,"new":true}`), del("a", at(15)))
	p, m, _ := rows(t, mem, root)
	if m.Parquet == nil || len(m.Parquet.Files) != 1 || p.ParquetGlob == "" {
		t.Fatalf("manifest lists no Parquet files: %+v", m.Parquet)
	}
	body, _ := mem.Get(context.Background(), m.Parquet.Files[0].Key)
	got := parquetRows(t, body)
	if len(got) != 3 || got[0][table.ColID] != "a" || got[0][table.ColDeletedAt] != at(15).UnixMicro() ||
		got[1][table.ColDeletedAt] != nil || got[2][table.ColExportID] != "e20" || got[0][table.ColExportID] != "e10" {
		t.Fatalf("rows %v", got)
	}
	if got[2]["n"] != int64(3) || got[2]["new"] != true || got[1]["new"] != nil {
		t.Errorf("typed columns: %v", got)
	}
	schemaBody, _ := mem.Get(context.Background(), m.Parquet.Schema)
	var s table.Schema
	if err := json.Unmarshal(schemaBody, &s); err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range s.Columns {
		cols = append(cols, c.Name)
	}
	if !slices.Equal(cols, []string{"id", "n", "tags", "new"}) {
		t.Errorf("columns %v: the first generation's, then the new one", cols)
	}
	_, hm, _ := rows(t, mem, HistoryRoot(root))
	hb, _ := mem.Get(context.Background(), hm.Parquet.Files[0].Key)
	h := parquetRows(t, hb)
	if len(h) != 3 || h[0][table.ColValidTo] != at(15).UnixMicro() || h[2][table.ColValidFrom] != at(20).UnixMicro() {
		t.Errorf("history rows %v", h)
	}
}

func parquetRows(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	r := parquet.NewReader(f)
	defer func() { _ = r.Close() }()
	var out []map[string]any
	for {
		m := map[string]any{}
		if err := r.Read(&m); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
}

// TestForgedPointersAndManifestsAreRefused: a pointer or manifest that names objects
// outside the table's own generation is not followed: no merge reads another folder's
// data through it.
func TestForgedPointersAndManifestsAreRefused(t *testing.T) {
	ctx := context.Background()
	for name, forge := range map[string]func(t *testing.T, mem storage.Store){
		"pointer to another manifest": func(t *testing.T, mem storage.Store) {
			body := strings.Replace(pointerBody(t, mem), genDir(root, 1)+"/manifest.json", "pagewise/other/gen-00000001/manifest.json", 1)
			if err := mem.Put(ctx, pointerKey(root), []byte(body), "application/json", nil); err != nil {
				t.Fatal(err)
			}
		},
		"manifest listing another part": func(t *testing.T, mem storage.Store) {
			key := genDir(root, 1) + "/manifest.json"
			b, _ := mem.Get(ctx, key)
			b = bytes.Replace(b, []byte(partKey(root, 1, 0)), []byte("pagewise/close/lead/e1/data/part-000/page-00000001.jsonl.gz"), 1)
			if err := mem.Put(ctx, key, b, "application/json", nil); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			mem := storagetest.NewMemory()
			merge(t, mem, run(10), Options{}, upv("a", 1))
			forge(t, mem)
			_, err := newMerge(t, mem, run(20), Options{}, upv("b", 1)).Publish(ctx)
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("merging on it: %v, want ErrCorrupt", err)
			}
			if _, _, _, err := Read(ctx, mem, root); !errors.Is(err, ErrCorrupt) {
				t.Errorf("reading it: %v, want ErrCorrupt", err)
			}
		})
	}
}
