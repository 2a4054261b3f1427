package activities

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/pagewise/pagewise/internal/storage"
)

// A serial batch leaves an index beside its pages (a parallel partition's pages are
// indexed in runs by the worker that wrote them: pending.go): for each page it wrote, what Finish
// would otherwise HEAD the page for (records, SHA-256), and the size and MD5 that tie
// the entry to the stored bytes. Finish takes an entry only for a listed object of that
// size whose ETag is that MD5; any other object (overwritten since, multipart, SSE-KMS)
// and any index that is stale, partial or forged costs a HEAD, as it did before indexes.
// Indexes are scaffolding: Finish deletes them once the manifest is published.

// indexFormat names an index's schema.
const indexFormat = "pagewise.index/v1"

// batchIndex is what an index object holds.
type batchIndex struct {
	Format string        `json:"format"`
	Pages  []indexedPage `json:"pages"` // the batch's pages, from its first, in order
}

// indexedPage is one page a batch wrote.
type indexedPage struct {
	Key     string `json:"key"`
	Records int    `json:"records"`
	Bytes   int64  `json:"bytes"`
	SHA256  string `json:"sha256"`
	MD5     string `json:"md5"`
}

// writeIndex writes the index of a batch whose first page is in.Seq. The index only
// spares Finish its HEADs, so a failure is logged and the batch's pages stand.
func (a *Activities) writeIndex(ctx context.Context, in PageInput, pages []indexedPage) {
	if len(pages) == 0 {
		return
	}
	body, err := json.Marshal(batchIndex{Format: indexFormat, Pages: pages})
	if err == nil {
		err = a.Store.Put(ctx, indexKey(in.Base, in.Partition, in.Seq), body, "application/json", nil)
	}
	if err != nil {
		a.logger().WarnContext(ctx, "batch index not written; Finish reads these pages' metadata one by one",
			"export_id", in.ExportID, "provider", in.Provider, "resource", in.Plan.Resource,
			"partition", in.Partition, "seq", in.Seq, "pages", len(pages), "error", err)
	}
}

// Bounds on an index Finish reads. A batch is at most 100 pages (the workflow's
// localTaskPages), about 25 KB of index; anything far larger is not one a batch wrote.
const (
	maxIndexPages = 1_000
	maxIndexBytes = 1 << 20
)

// pageIndexes gives Finish's walk of data/ the index entries for the keys it reaches.
// An index is read only once the walk reaches its batch's first page, and an entry is
// dropped once the walk passes its key: only the indexes around the walk are held,
// however many pages the export has.
type pageIndexes struct {
	a       *Activities
	base    string
	unread  []batchStart         // in key order of the batches' first pages
	entries map[string][]indexed // by page key: a batch retried with other pages leaves two
	used    int                  // pages described from an entry
}

// batchStart names an index by its batch's first page; indexKey gives its key.
type batchStart struct{ partition, seq int }

type indexed struct {
	PageObject
	md5 string
}

// openIndexes lists base's indexes, keys only. A failure to list or read an index is
// never retried here: the pages it covers are HEADed, and a store failing for the index
// fails those HEADs too, which are retried as any storage error is.
func (a *Activities) openIndexes(ctx context.Context, base string) *pageIndexes {
	x := &pageIndexes{a: a, base: base, entries: map[string][]indexed{}}
	err := a.Store.Walk(ctx, base+"/"+indexDir+"/", func(objs []storage.Object) error {
		for _, o := range objs {
			if p, seq, ok := parseIndexKey(base, o.Key); ok {
				x.unread = append(x.unread, batchStart{p, seq})
			}
		}
		return nil
	})
	if err != nil {
		a.logger().WarnContext(ctx, "batch indexes not listed; Finish reads every page's metadata", "base", base, "error", err)
		x.unread = nil
	}
	// Parsed keys have 3-digit partitions and 8-digit seqs, so this is also key order.
	slices.SortFunc(x.unread, func(p, q batchStart) int {
		if p.partition != q.partition {
			return p.partition - q.partition
		}
		return p.seq - q.seq
	})
	return x
}

// reach reads every index whose batch begins at or before key, the last one listed,
// 16 at a time.
func (x *pageIndexes) reach(ctx context.Context, key string) {
	n := 0
	for n < len(x.unread) && PageKey(x.base, x.unread[n].partition, x.unread[n].seq) <= key {
		n++
	}
	starts := x.unread[:n]
	x.unread = x.unread[n:]
	read := make([][]indexed, len(starts))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(16, len(starts)) {
		wg.Go(func() {
			for i := range next {
				read[i] = x.read(ctx, starts[i])
			}
		})
	}
	for i := range starts {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, pages := range read {
		for _, p := range pages {
			x.entries[p.Key] = append(x.entries[p.Key], p)
		}
	}
}

// read returns an index's entries, or none when it cannot be read or is not one a batch
// of this export wrote.
func (x *pageIndexes) read(ctx context.Context, at batchStart) []indexed {
	key := indexKey(x.base, at.partition, at.seq)
	out, err := x.load(ctx, key, at)
	if err != nil {
		x.a.logger().WarnContext(ctx, "batch index ignored; Finish reads its pages' metadata one by one",
			"index", x.a.Store.Location(key), "error", err)
		return nil
	}
	return out
}

func (x *pageIndexes) load(ctx context.Context, key string, at batchStart) ([]indexed, error) {
	body, err := x.a.Store.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer func() { _ = body.Close() }()
	b, err := io.ReadAll(io.LimitReader(body, maxIndexBytes+1))
	switch {
	case err != nil:
		return nil, err
	case len(b) > maxIndexBytes:
		return nil, errors.New("larger than any batch's index")
	}
	var idx batchIndex
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, err
	}
	if idx.Format != indexFormat || len(idx.Pages) == 0 || len(idx.Pages) > maxIndexPages {
		return nil, fmt.Errorf("format %q with %d pages is not a batch's index", idx.Format, len(idx.Pages))
	}
	out := make([]indexed, len(idx.Pages))
	for i, p := range idx.Pages {
		// A batch's pages are its partition's, numbered on from its first.
		partition, seq, ok := parsePageKey(x.base, p.Key)
		if !ok || partition != at.partition || seq != at.seq+i || p.Records < 1 || p.Bytes < 1 ||
			!isHex(p.SHA256, sha256.Size) || !isHex(p.MD5, md5.Size) {
			return nil, fmt.Errorf("entry %d (%.200q) is not page %d of the batch", i, p.Key, at.seq+i)
		}
		out[i] = indexed{PageObject{Key: p.Key, Partition: partition, Seq: seq, Records: p.Records, Bytes: p.Bytes, SHA256: p.SHA256}, p.MD5}
	}
	return out, nil
}

// isHex: s is size bytes in lower-case hex, as encode writes checksums.
func isHex(s string, size int) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == size && strings.ToLower(s) == s
}

// describe is o as an index entry describes it, when one describes exactly the listed
// bytes: the same size, and an MD5 equal to the listed ETag. Any entry that does will
// do, however many batches wrote the key.
func (x *pageIndexes) describe(o storage.Object) (PageObject, bool) {
	for _, e := range x.entries[o.Key] {
		if e.Bytes == o.Size && strings.EqualFold(e.md5, o.ETag) {
			x.used++
			return e.PageObject, true
		}
	}
	return PageObject{}, false
}

// pass drops the entries of every key up to key, which the walk has passed.
func (x *pageIndexes) pass(key string) {
	for k := range x.entries {
		if k <= key {
			delete(x.entries, k)
		}
	}
}

// dropIndexes deletes every object under base/index/ and nothing else: a retried Finish
// then HEADs every page.
func (a *Activities) dropIndexes(ctx context.Context, base string) error {
	prefix := base + "/" + indexDir + "/"
	return a.Store.Walk(ctx, prefix, func(objs []storage.Object) error {
		keys := make([]string, 0, len(objs))
		for _, o := range objs {
			if strings.HasPrefix(o.Key, prefix) {
				keys = append(keys, o.Key)
			}
		}
		for chunk := range slices.Chunk(keys, 1000) {
			if err := a.Store.Delete(ctx, chunk); err != nil {
				return err
			}
		}
		return nil
	})
}
