package activities

import (
	"context"
	"encoding/json"
)

// A serial batch leaves an index beside its pages: for each page it wrote, what Finish
// would otherwise HEAD the page for (records, SHA-256), and the size and MD5 that tie
// the entry to the stored bytes.

// indexFormat names a batch index's schema.
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
