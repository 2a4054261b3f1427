package current

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/table"
)

// Table names, as pointers and manifests give them.
const (
	TableCurrent = "current"
	TableHistory = "history"
)

// Pointer is current.json: the published generation of a table. It is replaced only by
// a conditional write, by a run newer than the one it names.
type Pointer struct {
	Format     string `json:"format"`
	Table      string `json:"table"`
	Generation int    `json:"generation"`
	// Manifest is the generation's manifest key; Glob matches its JSONL parts and
	// nothing else, ParquetGlob its Parquet files.
	Manifest    string `json:"manifest"`
	Glob        string `json:"glob"`
	ParquetGlob string `json:"parquet_glob,omitempty"`
	// Run is the newest run merged in: only a later one may publish over it.
	Run  Run   `json:"run"`
	Rows int64 `json:"rows"`
}

// Manifest describes one generation; it is written after every object it lists.
type Manifest struct {
	Format     string `json:"format"`
	Table      string `json:"table"`
	Generation int    `json:"generation"`
	// Base is the generation this one was merged from (0: none), Run the run merged in,
	// Runs how many runs the table holds so far.
	Base      int       `json:"base"`
	Run       Run       `json:"run"`
	Runs      int       `json:"runs"`
	Watermark time.Time `json:"watermark,omitzero"`
	Options   Options   `json:"options"`
	// Rows are every row, Live those whose record exists (history: versions that hold now).
	Rows    int64   `json:"rows"`
	Live    int64   `json:"live"`
	Deleted int64   `json:"deleted"`
	Changes Changes `json:"changes"`
	// Parts are the JSONL parts in id order; Glob matches them.
	Parts   []Object `json:"parts"`
	Glob    string   `json:"glob"`
	Parquet *Parquet `json:"parquet,omitempty"`
}

// Object is one object of a generation, as stored.
type Object struct {
	Key    string `json:"key"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
	md5    string // the body's, to check a single PUT's ETag against
}

// Parquet is a generation's Parquet files and their schema (schema.json's key).
type Parquet struct {
	Schema string   `json:"schema"`
	Glob   string   `json:"glob"`
	Files  []Object `json:"files"`
}

// Changes counts what a merge did to a table.
type Changes struct {
	// Upserts, Deletes and Seen are the run's changes as added.
	Upserts int64 `json:"upserts"`
	Deletes int64 `json:"deletes"`
	Seen    int64 `json:"seen,omitempty"`
	// Inserted are new ids, Updated records whose content changed, Unchanged records seen
	// again as they were, Undeleted deleted records seen again.
	Inserted  int64 `json:"inserted"`
	Updated   int64 `json:"updated"`
	Unchanged int64 `json:"unchanged"`
	Undeleted int64 `json:"undeleted"`
	// Deleted came from deletes, Swept from a sweep that did not list them.
	Deleted int64 `json:"deleted"`
	Swept   int64 `json:"swept"`
	// Stale are changes older than the version the table holds; UnknownDeletes deletes
	// of ids the table never held; Repeated upserts of an id the run had upserted already.
	Stale          int64 `json:"stale"`
	UnknownDeletes int64 `json:"unknown_deletes"`
	Repeated       int64 `json:"repeated"`
}

// Read finds a table's published generation: its pointer and manifest. found is false
// before the first publish.
func Read(ctx context.Context, store storage.Store, root string) (p Pointer, m Manifest, found bool, err error) {
	p, _, found, err = readPointer(ctx, store, root)
	if err != nil || !found {
		return p, m, found, err
	}
	m, err = readGeneration(ctx, store, root, p.Generation)
	return p, m, true, err
}

// Rows calls fn with every row of a generation in order, checking each part's rows,
// bytes and SHA-256 against the manifest as it goes. Row.Record is valid during fn only.
func Rows(ctx context.Context, store storage.Store, m Manifest, fn func(*Row) error) error {
	r := newGenReader(ctx, store, m, nil)
	defer r.close()
	for {
		row, err := r.next()
		if err != nil || row == nil {
			return err
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}

// readPointer reads current.json and the ETag it had: read between two HEADs that agree,
// so the ETag a publish is conditioned on is the body's.
func readPointer(ctx context.Context, store storage.Store, root string) (p Pointer, etag string, found bool, err error) {
	key := pointerKey(root)
	for range 5 {
		h, err := store.Head(ctx, key)
		if errors.Is(err, storage.ErrNotFound) {
			return Pointer{}, "", false, nil
		}
		if err != nil {
			return Pointer{}, "", false, err
		}
		body, err := store.Get(ctx, key)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return Pointer{}, "", false, err
		}
		again, err := store.Head(ctx, key)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return Pointer{}, "", false, err
		}
		if again.ETag != h.ETag {
			continue
		}
		if err := json.Unmarshal(body, &p); err != nil || p.Format != Format || p.Generation <= 0 ||
			p.Manifest != genDir(root, p.Generation)+"/"+manifestName {
			return Pointer{}, "", false, fmt.Errorf("%w: %s is not a pointer this version writes for this table", ErrCorrupt, store.Location(key))
		}
		return p, h.ETag, true, nil
	}
	return Pointer{}, "", false, fmt.Errorf("%s kept changing while read", store.Location(key))
}

// readGeneration reads generation n's manifest, which may list only the generation's own
// objects: a forged one cannot make a merge read, or a reader trust, other keys.
func readGeneration(ctx context.Context, store storage.Store, root string, n int) (Manifest, error) {
	key := genDir(root, n) + "/" + manifestName
	m, err := readManifest(ctx, store, key)
	if err != nil {
		return m, err
	}
	dir := genDir(root, n) + "/"
	own := m.Generation == n
	for i, p := range m.Parts {
		own = own && p.Key == partKey(root, n, i)
	}
	if m.Parquet != nil {
		own = own && m.Parquet.Schema == dir+schemaName
		for i, f := range m.Parquet.Files {
			own = own && f.Key == fileKey(root, n, i)
		}
	}
	if !own || len(m.Parts) == 0 {
		return m, fmt.Errorf("%w: %s lists objects that are not its generation's", ErrCorrupt, store.Location(key))
	}
	return m, nil
}

func readManifest(ctx context.Context, store storage.Store, key string) (Manifest, error) {
	var m Manifest
	body, err := store.Get(ctx, key)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(body, &m); err != nil || m.Format != Format {
		return m, fmt.Errorf("%w: %s is not a manifest this version writes", ErrCorrupt, store.Location(key))
	}
	return m, nil
}

// wantsParquet reports whether the options ask for Parquet files.
func (o Options) wantsParquet() bool { return table.WantsTable(o.Format) }
