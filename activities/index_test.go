package activities

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

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
// own metadata and the listing describe them; FetchPage, one page at a time, writes none.
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
	one := &Activities{Providers: oneProvider{listConnector{n: 25}}, Store: storagetest.NewMemory()}
	claimed(t, one, onceBase, "")
	exportTwice(t, one)
	if got := keysUnder(t, one.Store, onceBase+"/"+indexDir+"/"); len(got) != 0 {
		t.Fatalf("pages written one at a time left indexes %v", got)
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
// HEADs, so a batch whose index is refused succeeds with every page.
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

}
