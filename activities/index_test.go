package activities

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// 250 records at 10 a page, in batches of 7: indexes from pages 1, 8, 15 and 22, which
// the memory store's 10-key listing pages cut across.
const (
	indexedRecords = 250
	indexedPages   = 25
	indexedBatch   = 7
)

var indexedStarts = []int{1, 8, 15, 22}

// batchedExport pages through every record in FetchPages batches of at most maxPages, as
// a serial export does.
func batchedExport(t *testing.T, a *Activities, maxPages int) Partition {
	t.Helper()
	p := Partition{ID: 0}
	for !p.Done {
		res, err := a.FetchPages(context.Background(), batchInput(p.Pages+1, p.Position, maxPages))
		if err != nil {
			t.Fatal(err)
		}
		p.Pages += res.Pages
		p.Records += res.Records
		p.Bytes += res.Bytes
		p.Position, p.Done = res.Next, res.Done
	}
	return p
}

// indexedExport is a serial export of indexedRecords, written and not yet finished.
func indexedExport(t *testing.T) (*Activities, *storagetest.Memory, Partition) {
	t.Helper()
	mem := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{listConnector{n: indexedRecords}}, Store: mem}
	claimed(t, a, onceBase, "")
	p := batchedExport(t, a, indexedBatch)
	if p.Pages != indexedPages || p.Records != indexedRecords {
		t.Fatalf("export wrote %+v, want %d pages of %d records", p, indexedPages, indexedRecords)
	}
	return a, mem, p
}

// watchedStore counts HEADs of page objects and index reads, and records deletes.
type watchedStore struct {
	*storagetest.Memory
	mu      sync.Mutex
	heads   map[string]int
	opened  map[string]int
	deleted []string
}

func watch(mem *storagetest.Memory) *watchedStore {
	return &watchedStore{Memory: mem, heads: map[string]int{}, opened: map[string]int{}}
}

func (s *watchedStore) Head(ctx context.Context, key string) (storage.Object, error) {
	if _, _, ok := parsePageKey(onceBase, key); ok {
		s.mu.Lock()
		s.heads[key]++
		s.mu.Unlock()
	}
	return s.Memory.Head(ctx, key)
}

func (s *watchedStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if strings.HasPrefix(key, onceBase+"/"+indexDir+"/") {
		s.mu.Lock()
		s.opened[key]++
		s.mu.Unlock()
	}
	return s.Memory.Open(ctx, key)
}

func (s *watchedStore) Delete(ctx context.Context, keys []string) error {
	s.mu.Lock()
	s.deleted = append(s.deleted, keys...)
	s.mu.Unlock()
	return s.Memory.Delete(ctx, keys)
}

func (s *watchedStore) headed() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer clear(s.heads)
	return maps.Clone(s.heads)
}

func manifestAt(t *testing.T, s storage.Store, key string) Manifest {
	t.Helper()
	body, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// headedObjects is what the manifest must list, read from each page object's own
// metadata, as Finish read it before indexes.
func headedObjects(t *testing.T, s storage.Store) []PageObject {
	t.Helper()
	ctx := context.Background()
	listed, err := s.List(ctx, onceBase+"/"+dataDir+"/")
	if err != nil {
		t.Fatal(err)
	}
	out := make([]PageObject, len(listed))
	for i, l := range listed {
		h, err := s.Head(ctx, l.Key)
		if err != nil {
			t.Fatal(err)
		}
		partition, seq, _ := parsePageKey(onceBase, l.Key)
		records, _ := strconv.Atoi(h.Metadata[metaRecords])
		out[i] = PageObject{Key: l.Key, Partition: partition, Seq: seq, Records: records, Bytes: h.Size, SHA256: h.Metadata[metaSHA256]}
	}
	return out
}

func keysUnder(t *testing.T, s storage.Store, prefix string) []string {
	t.Helper()
	objs, err := s.List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Key
	}
	return out
}

func indexKeys(starts ...int) []string {
	out := make([]string, len(starts))
	for i, s := range starts {
		out[i] = indexKey(onceBase, 0, s)
	}
	return out
}

// TestSerialBatchesWriteOneIndexEach: each batch indexes the pages it wrote, as their
// own metadata and the listing describe them.
func TestSerialBatchesWriteOneIndexEach(t *testing.T) {
	ctx := context.Background()
	_, mem, _ := indexedExport(t)
	if got := keysUnder(t, mem, onceBase+"/"+indexDir+"/"); !slices.Equal(got, indexKeys(indexedStarts...)) {
		t.Fatalf("indexes %v, want one a batch: %v", got, indexKeys(indexedStarts...))
	}
	listed, _ := mem.List(ctx, onceBase+"/"+dataDir+"/")
	headed := headedObjects(t, mem)
	var pages []indexedPage
	for _, key := range indexKeys(indexedStarts...) {
		body, _ := mem.Get(ctx, key)
		var idx batchIndex
		if err := json.Unmarshal(body, &idx); err != nil || idx.Format != indexFormat {
			t.Fatalf("%s: format %q (%v)", key, idx.Format, err)
		}
		pages = append(pages, idx.Pages...)
	}
	if len(pages) != indexedPages {
		t.Fatalf("indexes name %d pages, want %d", len(pages), indexedPages)
	}
	for i, p := range pages {
		h, l := headed[i], listed[i]
		if p.Key != h.Key || p.Records != h.Records || p.Bytes != h.Bytes || p.SHA256 != h.SHA256 || p.MD5 != l.ETag {
			t.Fatalf("index entry %+v; the page's metadata say %+v, its listed ETag %s", p, h, l.ETag)
		}
	}
}

// TestPagesWrittenOneAtATimeAreIndexedInRuns: a parallel partition's pages, each its own
// FetchPage and each run twice as after a crash, are indexed by the worker that wrote
// them, and Finish describes them all without a HEAD, as HEADs would.
func TestPagesWrittenOneAtATimeAreIndexedInRuns(t *testing.T) {
	for _, conn := range []provider.Connector{listConnector{n: indexedRecords}, emptyEnd{listConnector{n: indexedRecords}}} {
		pagesIndexedInRuns(t, conn)
	}
}

// emptyEnd ends on a page without records, as a short page cannot tell (Attio offsets).
type emptyEnd struct{ listConnector }

func (c emptyEnd) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	page, err := c.listConnector.Fetch(ctx, req)
	page.Done = len(page.Records) == 0
	return page, err
}

func pagesIndexedInRuns(t *testing.T, conn provider.Connector) {
	t.Helper()
	mem := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{conn}, Store: mem}
	claimed(t, a, onceBase, "")
	p := Partition{ID: 0}
	for !p.Done { // each page twice, as after a crash between its write and its completion
		in := PageInput{Resolved: Resolved{ExportID: "once", Provider: "fake", Plan: oncePlan, Base: onceBase}, Seq: p.Pages + 1, Position: p.Position}
		var res PageResult
		for range 2 {
			var err error
			if res, err = a.FetchPage(context.Background(), in); err != nil {
				t.Fatal(err)
			}
		}
		if res.Key != "" {
			p.Pages++
			p.Records += int64(res.Records)
			p.Bytes += res.Bytes
		}
		p.Position, p.Done = res.Next, res.Done
	}
	if got := keysUnder(t, mem, onceBase+"/"+indexDir+"/"); len(got) == 0 {
		t.Fatal("pages written one at a time left no index")
	}
	finishWithoutHeads(t, a, mem, p)
}

// finishWithoutHeads finishes p's export, fails if Finish HEADed a page or wrote other
// objects than the pages' own metadata describe, and returns the store it watched and
// the manifest.
func finishWithoutHeads(t *testing.T, a *Activities, mem *storagetest.Memory, p Partition) (*watchedStore, FinishResult, Manifest) {
	t.Helper()
	want := headedObjects(t, mem)
	s := watch(mem)
	a.Store = s
	res, err := finishOnce(t, a, p)
	if err != nil {
		t.Fatal(err)
	}
	if h := s.headed(); len(h) != 0 {
		t.Fatalf("Finish HEADed %d indexed pages: %v", len(h), h)
	}
	m := manifestAt(t, mem, res.ManifestKey)
	if !slices.Equal(m.Objects, want) {
		t.Fatalf("manifest from the indexes differs from the pages' own metadata:\n got %+v\nwant %+v", m.Objects, want)
	}
	return s, res, m
}

// A partition's run on one worker grows by consecutive pages (a page retried here
// replaces itself) and is handed out to index when full, at the partition's end, or when
// the next page here is not its next; a run idle for pendingIdle is dropped.
func TestPendingRuns(t *testing.T) {
	at := time.Unix(1_000, 0)
	in := func(partition, seq int) PageInput {
		return PageInput{Resolved: Resolved{Base: onceBase}, Partition: partition, Seq: seq}
	}
	page := func(seq int) *indexedPage { return &indexedPage{Key: PageKey(onceBase, 0, seq), Records: seq} }
	seqs := func(runs []*pendingRun) (out [][]int) {
		for _, r := range runs {
			var s []int
			for _, p := range r.pages {
				s = append(s, p.Records)
			}
			out = append(out, append([]int{r.first.Seq}, s...))
		}
		return out
	}
	var pd pending
	for seq := 1; seq < pendingPages; seq++ {
		if out := pd.add(in(0, seq), page(seq), false, at); len(out) != 0 {
			t.Fatalf("page %d handed out runs %v before the run was full", seq, seqs(out))
		}
	}
	if out := pd.add(in(0, pendingPages), page(pendingPages), false, at); len(out) != 1 || len(out[0].pages) != pendingPages || out[0].first.Seq != 1 {
		t.Fatalf("a full run: handed out %v", seqs(out))
	}
	pd.add(in(0, 101), page(101), false, at)
	pd.add(in(0, 102), page(102), false, at)
	pd.add(in(0, 102), &indexedPage{Records: 1002}, false, at) // 102 again, here
	pd.add(in(1, 7), page(7), false, at)                       // another partition's run
	if got := seqs(pd.add(in(0, 200), page(200), false, at)); !slices.Equal(got[0], []int{101, 101, 1002}) || len(got) != 1 {
		t.Fatalf("a gap handed out %v, want the run 101-102 with 102 as rewritten", got)
	}
	if got := seqs(pd.add(in(0, 201), page(201), true, at)); len(got) != 1 || !slices.Equal(got[0], []int{200, 200, 201}) {
		t.Fatalf("the partition's end handed out %v, want its run 200-201", got)
	}
	pd.add(in(0, 300), page(300), false, at)
	if got := seqs(pd.add(in(0, 301), nil, true, at)); len(got) != 1 || !slices.Equal(got[0], []int{300, 300}) {
		t.Fatalf("an end on a page without records handed out %v, want the run 300", got)
	}
	pd.add(in(2, 1), page(1), false, at.Add(pendingIdle+time.Second))
	if _, ok := pd.runs[onceBase+"#1"]; ok || len(pd.runs) != 1 {
		t.Fatalf("runs left %v: partition 1's, idle past pendingIdle, should be dropped", slices.Collect(maps.Keys(pd.runs)))
	}
}

// TestFinishDescribesIndexedPagesWithoutHeads: Finish describes every page of a serial
// export from its batches' indexes, with no HEAD, exactly as HEADs would.
func TestFinishDescribesIndexedPagesWithoutHeads(t *testing.T) {
	a, mem, p := indexedExport(t)
	s, _, m := finishWithoutHeads(t, a, mem, p)
	if m.Pages != indexedPages || m.Records != indexedRecords || m.Bytes != p.Bytes {
		t.Fatalf("manifest totals %d pages, %d records, %d bytes; want %d, %d, %d", m.Pages, m.Records, m.Bytes, indexedPages, indexedRecords, p.Bytes)
	}
	// A retried Finish, the indexes gone, HEADs every page and writes the same objects.
	res, err := finishOnce(t, a, p)
	if err != nil {
		t.Fatal(err)
	}
	if h := s.headed(); len(h) != indexedPages {
		t.Fatalf("Finish without indexes HEADed %d pages, want all %d", len(h), indexedPages)
	}
	if again := manifestAt(t, mem, res.ManifestKey); !slices.Equal(again.Objects, m.Objects) {
		t.Fatalf("manifest by HEAD differs from the one by index:\n got %+v\nwant %+v", again.Objects, m.Objects)
	}
}

// TestFinishHeadsPagesChangedAfterTheirIndex: a page written again after its batch's
// index, to another size or to the same size, is described by HEAD, as it now is.
func TestFinishHeadsPagesChangedAfterTheirIndex(t *testing.T) {
	ctx := context.Background()
	a, mem, p := indexedExport(t)
	shorter, longer := PageKey(onceBase, 0, 9), PageKey(onceBase, 0, 16)
	before, _ := mem.Head(ctx, shorter)
	page, _ := listConnector{n: indexedRecords}.Fetch(ctx, provider.Request{Plan: oncePlan, Position: provider.Position{Offset: 80}})
	written, err := a.write(ctx, batchInput(9, provider.Position{}, 1).PageInput, page.Records[:3])
	if err != nil {
		t.Fatal(err)
	}
	p.Records += 3 - 10
	p.Bytes += written.Bytes - before.Size
	// The same size, other bytes: a gzip header's modification time.
	body, _ := mem.Get(ctx, longer)
	body[4] ^= 1
	sum := sha256.Sum256(body)
	changed := hex.EncodeToString(sum[:])
	_ = mem.Put(ctx, longer, body, "application/x-ndjson", map[string]string{metaRecords: "10", metaSHA256: changed})

	s := watch(mem)
	a.Store = s
	res, err := finishOnce(t, a, p)
	if err != nil {
		t.Fatal(err)
	}
	if h := s.headed(); !maps.Equal(h, map[string]int{shorter: 1, longer: 1}) {
		t.Fatalf("HEADs %v, want the two changed pages once each", h)
	}
	m := manifestAt(t, mem, res.ManifestKey)
	if got := m.Objects[8]; got.Key != shorter || got.Records != 3 || got.SHA256 != written.SHA256 || got.Bytes != written.Bytes {
		t.Fatalf("page 9 in the manifest is %+v, want the 3 records written after the index (%+v)", got, written)
	}
	if got := m.Objects[15]; got.Key != longer || got.SHA256 != changed || got.Bytes != int64(len(body)) {
		t.Fatalf("page 16 in the manifest is %+v, want the rewritten object's sha256 %s", got, changed)
	}
}

// editIndex rewrites the stored index at key through edit.
func editIndex(key string, edit func(*batchIndex)) func(*testing.T, *storagetest.Memory) {
	return func(t *testing.T, mem *storagetest.Memory) {
		ctx := context.Background()
		body, err := mem.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		var idx batchIndex
		if err := json.Unmarshal(body, &idx); err != nil {
			t.Fatal(err)
		}
		edit(&idx)
		body, _ = json.Marshal(idx)
		_ = mem.Put(ctx, key, body, "application/json", nil)
	}
}

// moveIndex rewrites the index at from through edit and stores it at to.
func moveIndex(from, to string, edit func(*batchIndex)) func(*testing.T, *storagetest.Memory) {
	return func(t *testing.T, mem *storagetest.Memory) {
		editIndex(from, edit)(t, mem)
		body, _ := mem.Get(context.Background(), from)
		_ = mem.Delete(context.Background(), []string{from})
		_ = mem.Put(context.Background(), to, body, "application/json", nil)
	}
}

func putIndex(key, body string) func(*testing.T, *storagetest.Memory) {
	return func(_ *testing.T, mem *storagetest.Memory) {
		_ = mem.Put(context.Background(), key, []byte(body), "application/json", nil)
	}
}

// swapRecords moves records between the first two pages: the totals still agree, so
// only the entries' own check keeps them out of the manifest.
func swapRecords(idx *batchIndex) {
	idx.Pages[0].Records += 5
	idx.Pages[1].Records -= 5
}

// TestForgedIndexesChangeNothing: an index that is malformed, not a batch's, or
// describes other bytes is ignored, and the manifest is what the pages' own metadata say.
func TestForgedIndexesChangeNothing(t *testing.T) {
	from1, from8 := indexKey(onceBase, 0, 1), indexKey(onceBase, 0, 8)
	cases := []struct {
		name   string
		forge  func(*testing.T, *storagetest.Memory)
		headed int // pages Finish must HEAD
	}{
		{"bad JSON", putIndex(from1, `{"format":"pagewise.index/v1","pages":[{"key":`), 7},
		{"not JSON at all", putIndex(from1, "\x1f\x8b garbage"), 7},
		{"another format", editIndex(from1, func(idx *batchIndex) { idx.Format = "pagewise.index/v0"; swapRecords(idx) }), 7},
		{"an entry in another folder", editIndex(from8, func(idx *batchIndex) {
			idx.Pages[6].Key = PageKey("fake/items/other", 0, 14)
			swapRecords(idx)
		}), 7},
		{"an entry outside data/", editIndex(from8, func(idx *batchIndex) {
			idx.Pages[6].Key = onceBase + "/" + manifestName
			swapRecords(idx)
		}), 7},
		{"entries of another batch", editIndex(from8, func(idx *batchIndex) {
			idx.Pages[0], idx.Pages[1] = idx.Pages[1], idx.Pages[0]
			swapRecords(idx)
		}), 7},
		{"under another batch's key", moveIndex(from8, indexKey(onceBase, 0, 5), swapRecords), 7},
		{"a bad checksum", editIndex(from8, func(idx *batchIndex) { idx.Pages[3].SHA256 = "x"; swapRecords(idx) }), 7},
		{"wrong sizes", editIndex(from8, func(idx *batchIndex) {
			for i := range idx.Pages {
				idx.Pages[i].Bytes++
			}
			swapRecords(idx)
		}), 7},
		{"wrong MD5s", editIndex(from8, func(idx *batchIndex) {
			for i := range idx.Pages {
				idx.Pages[i].MD5 = strings.Repeat("0", 32)
			}
			swapRecords(idx)
		}), 7},
		{"larger than any batch's", func(t *testing.T, mem *storagetest.Memory) {
			editIndex(from8, swapRecords)(t, mem)
			body, _ := mem.Get(context.Background(), from8)
			_ = mem.Put(context.Background(), from8, append(body, bytes.Repeat([]byte(" "), maxIndexBytes)...), "application/json", nil)
		}, 7},
		{"not an index's key", putIndex(onceBase+"/"+indexDir+"/part-000/from-00000001.json.bak", `{"format":"pagewise.index/v1","pages":[]}`), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, mem, p := indexedExport(t)
			want := headedObjects(t, mem)
			c.forge(t, mem)
			s := watch(mem)
			a.Store = s
			res, err := finishOnce(t, a, p)
			if err != nil {
				t.Fatalf("a forged index failed the export: %v", err)
			}
			if m := manifestAt(t, mem, res.ManifestKey); !slices.Equal(m.Objects, want) {
				t.Fatalf("manifest differs from the pages' own metadata:\n got %+v\nwant %+v", m.Objects, want)
			}
			if h := s.headed(); len(h) != c.headed {
				t.Fatalf("HEADed %d pages, want %d (those of the forged index)", len(h), c.headed)
			}
			if got := keysUnder(t, mem, onceBase+"/"+indexDir+"/"); len(got) != 0 {
				t.Fatalf("index folder still holds %v", got)
			}
		})
	}
}

// TestFinishChecksAgainByHeadWhenAnIndexDisagrees: an entry that names the listed bytes
// but not their record count is its writer's word only; the tally's disagreement sends
// Finish back to HEADs, and the export finishes with the pages' own counts.
func TestFinishChecksAgainByHeadWhenAnIndexDisagrees(t *testing.T) {
	a, mem, p := indexedExport(t)
	want := headedObjects(t, mem)
	editIndex(indexKey(onceBase, 0, 8), func(idx *batchIndex) { idx.Pages[2].Records++ })(t, mem)
	s := watch(mem)
	a.Store = s
	res, err := finishOnce(t, a, p)
	if err != nil {
		t.Fatalf("an index's miscount failed the export: %v", err)
	}
	if m := manifestAt(t, mem, res.ManifestKey); !slices.Equal(m.Objects, want) {
		t.Fatalf("manifest differs from the pages' own metadata:\n got %+v\nwant %+v", m.Objects, want)
	}
	if h := s.headed(); len(h) != indexedPages {
		t.Fatalf("HEADed %d pages after the disagreement, want all %d", len(h), indexedPages)
	}
	// A bucket that truly disagrees still fails, as before indexes.
	p.Records++
	_, err = finishOnce(t, a, p)
	assertVerificationFailed(t, err, "partition 0: bucket holds 25 pages/250 records")
}

// TestFinishRemovesTheIndexesAndNothingElse: after the manifest is published every
// object under the export's index/ is gone, and only those (and the staged manifest and
// checkpoint, as before) were deleted.
func TestFinishRemovesTheIndexesAndNothingElse(t *testing.T) {
	ctx := context.Background()
	a, mem, p := indexedExport(t)
	prefix := onceBase + "/" + indexDir + "/"
	for _, key := range []string{
		prefix + "part-000/notes.txt",                               // not an index: deleted all the same
		onceBase + "/" + indexDir + "-notes.txt",                    // beside index/, not in it
		onceBase + "2/" + indexDir + "/part-000/from-00000001.json", // another folder's
		"fake/items/" + indexDir + "/part-000/from-00000001.json",
	} {
		_ = mem.Put(ctx, key, []byte("{}"), "application/json", nil)
	}
	before := keysUnder(t, mem, "")
	s := watch(mem)
	a.Store = s
	res, err := finishOnce(t, a, p)
	if err != nil {
		t.Fatal(err)
	}
	after := keysUnder(t, mem, "")
	for _, k := range before {
		if strings.HasPrefix(k, prefix) == slices.Contains(after, k) {
			t.Errorf("%s: in index/ %v, still there %v", k, strings.HasPrefix(k, prefix), slices.Contains(after, k))
		}
	}
	if !slices.Contains(after, res.ManifestKey) {
		t.Errorf("no manifest at %s", res.ManifestKey)
	}
	staged, checkpoint := onceBase+"/"+manifestName+stagedSuffix, onceBase+"/"+checkpointName
	for _, k := range s.deleted {
		if !strings.HasPrefix(k, prefix) && k != staged && k != checkpoint {
			t.Errorf("Finish deleted %s, outside %s", k, prefix)
		}
	}
}

// failingIndexPuts refuses every index, as a bucket might refuse one request.
type failingIndexPuts struct{ *storagetest.Memory }

func (s failingIndexPuts) Put(ctx context.Context, key string, body []byte, ct string, meta map[string]string) error {
	if strings.Contains(key, "/"+indexDir+"/") {
		return errors.New("connection reset by peer")
	}
	return s.Memory.Put(ctx, key, body, ct, meta)
}

// TestBatchWhoseIndexCannotBeWrittenKeepsItsPages: the index only spares Finish its
// HEADs, so a batch whose index is refused succeeds with every page, and Finish HEADs.
func TestBatchWhoseIndexCannotBeWrittenKeepsItsPages(t *testing.T) {
	_, indexed, want := indexedExport(t)
	mem := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{listConnector{n: indexedRecords}}, Store: mem}
	claimed(t, a, onceBase, "")
	a.Store = failingIndexPuts{mem}
	p := batchedExport(t, a, indexedBatch)
	if p != want {
		t.Fatalf("batches without their indexes wrote %+v, with them %+v", p, want)
	}
	if got := keysUnder(t, mem, onceBase+"/"+indexDir+"/"); len(got) != 0 {
		t.Fatalf("indexes %v were written", got)
	}
	if got, wantObjects := headedObjects(t, mem), headedObjects(t, indexed); !slices.Equal(got, wantObjects) {
		t.Fatalf("pages differ from those of batches with indexes:\n got %+v\nwant %+v", got, wantObjects)
	}
	s := watch(mem)
	a.Store = s
	if _, err := finishOnce(t, a, p); err != nil {
		t.Fatal(err)
	}
	if h := s.headed(); len(h) != indexedPages {
		t.Fatalf("HEADed %d pages, want all %d", len(h), indexedPages)
	}
}

// TestIndexesAreReadAsTheWalkReachesThem: an index is read once, when the walk reaches
// its batch's first page, and its entries are dropped as the walk passes them.
func TestIndexesAreReadAsTheWalkReachesThem(t *testing.T) {
	ctx := context.Background()
	a, mem, _ := indexedExport(t)
	s := watch(mem)
	a.Store = s
	x := a.openIndexes(ctx, onceBase)
	pages := func(from, to int) []string {
		var out []string
		for seq := from; seq <= to; seq++ {
			out = append(out, PageKey(onceBase, 0, seq))
		}
		return out
	}
	steps := []struct {
		upTo   int
		opened []int // indexes read so far, by first page
		held   []string
	}{
		{10, []int{1, 8}, pages(11, 14)},
		{20, []int{1, 8, 15}, pages(21, 21)},
		{25, []int{1, 8, 15, 22}, nil},
	}
	for _, st := range steps {
		last := PageKey(onceBase, 0, st.upTo)
		x.reach(ctx, last)
		x.pass(last)
		s.mu.Lock()
		opened := maps.Clone(s.opened)
		s.mu.Unlock()
		want := map[string]int{}
		for _, k := range indexKeys(st.opened...) {
			want[k] = 1
		}
		if !maps.Equal(opened, want) {
			t.Fatalf("walk at page %d: indexes read %v, want %v", st.upTo, opened, want)
		}
		if held := slices.Sorted(maps.Keys(x.entries)); !slices.Equal(held, st.held) {
			t.Fatalf("walk at page %d: entries held for %v, want %v", st.upTo, held, st.held)
		}
	}
}
