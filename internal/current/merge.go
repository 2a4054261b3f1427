package current

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"strings"
	"time"
	"unsafe"

	"github.com/parquet-go/jsonlite"

	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/table"
)

// MaxIDBytes bounds an id: ids are held in memory and written in every row.
const MaxIDBytes = 1024

// Merge is one run's changes on their way into a resource's tables: add them (Upsert,
// Delete, Seen, AddPages), then Publish. A Merge is used by one goroutine.
type Merge struct {
	store storage.Store
	root  string
	run   Run
	opts  Options
	mem   gauge
	sort  *sorter
	input hash.Hash // of every change in input order: a claim names what it merges
	buf   []byte
	added Changes
	// Progress, if set, is called as rows are written (every few thousand and after each
	// part): a caller heartbeats with it. A retried merge starts again from the start.
	Progress func(Progress)
}

// Progress is where a Publish is.
type Progress struct {
	Table string // "current" or "history"
	Rows  int64  // rows written to the generation so far
	Parts int    // parts finished
}

// New starts a merge of run's changes into the tables at root (Root's folder).
func New(store storage.Store, root string, run Run, opts Options) (*Merge, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := run.validate(); err != nil {
		return nil, err
	}
	if !cleanKey(root) {
		return nil, fmt.Errorf("%w: root %q: a folder as Root makes it", ErrInvalid, clip(root))
	}
	run.ExtractedAt = run.ExtractedAt.Round(0).UTC()
	run.Watermark = run.Watermark.Round(0).UTC()
	opts = opts.withDefaults()
	m := &Merge{store: store, root: root, run: run, opts: opts, input: sha256.New()}
	var err error
	m.sort, err = newSorter(opts.TempDir, opts.SpillRecords, int64(opts.SpillMiB)<<20, &m.mem)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Close removes the merge's sorted changes from disk.
func (m *Merge) Close() { m.sort.close() }

// PeakHeld is the most records the merge has held in memory at once: never more than
// Options.SpillRecords.
func (m *Merge) PeakHeld() int { return m.mem.peak }

// Upsert adds a record the run returned: a JSON object, with the key of the page object
// it came from inside the run's export folder.
func (m *Merge) Upsert(id string, record []byte, page string) error {
	if !jsonlite.Valid(unsafeString(record)) || firstByte(record) != '{' {
		return fmt.Errorf("%w: the record of id #%d is not a JSON object", ErrInvalid, m.added.Upserts+1)
	}
	if bytes.IndexByte(record, '\n') >= 0 {
		var buf bytes.Buffer
		if err := json.Compact(&buf, record); err != nil {
			return fmt.Errorf("%w: the record of id #%d is not a JSON object", ErrInvalid, m.added.Upserts+1)
		}
		record = buf.Bytes()
	}
	return m.upsert(id, record, page)
}

func (m *Merge) upsert(id string, record []byte, page string) error {
	if err := checkID(id); err != nil {
		return err
	}
	m.added.Upserts++
	return m.add(&entry{id: id, at: m.run.ExtractedAt.UnixNano(), kind: kindUpsert, page: page, record: bytes.Clone(record)})
}

// Delete adds a delete the provider reported: id was deleted at at. A delete older than
// the version a table holds is stale and changes nothing (the record came back).
func (m *Merge) Delete(id string, at time.Time) error {
	if err := checkID(id); err != nil {
		return err
	}
	if at.IsZero() {
		return fmt.Errorf("%w: a delete has no time", ErrInvalid)
	}
	m.added.Deletes++
	return m.add(&entry{id: id, at: at.UnixNano(), kind: kindDelete})
}

// Seen adds an id the run's sweep listed (Run.Sweep): ids a sweep did not list, and
// the run did not upsert, are deleted at the run's time.
func (m *Merge) Seen(id string) error {
	if !m.run.Sweep {
		return fmt.Errorf("%w: ids listed for a run that is not a sweep", ErrInvalid)
	}
	if err := checkID(id); err != nil {
		return err
	}
	m.added.Seen++
	return m.add(&entry{id: id, kind: kindSeen})
}

// AddPages adds every record of the run's pages (gzip'd JSONL, as exports write them) as
// upserts, in the pages' order, each with its id by id.
func (m *Merge) AddPages(ctx context.Context, pages []table.Page, id IDFunc) error {
	for _, p := range pages {
		if err := m.addPage(ctx, p, id); err != nil {
			return err
		}
	}
	return nil
}

func (m *Merge) add(e *entry) error {
	m.buf = encodeEntry(m.buf[:0], e)
	m.input.Write(m.buf)
	return m.sort.add(e)
}

// digest names the changes added, in order.
func (m *Merge) digest() string { return hex.EncodeToString(m.input.Sum(nil)) }

func checkID(id string) error {
	if id == "" || len(id) > MaxIDBytes {
		return fmt.Errorf("%w: an id is empty or longer than %d bytes", ErrInvalid, MaxIDBytes)
	}
	return nil
}

func firstByte(b []byte) byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// IDFunc is a record's id. Its errors must not quote the record.
type IDFunc func(record []byte) (string, error)

// Field reads the id at a path of object keys: Field("id") for most resources,
// Field("id", "record_id") for Attio's records. The id is a string, or a number's text.
func Field(path ...string) IDFunc {
	return func(record []byte) (string, error) {
		v, err := jsonlite.Parse(unsafeString(record))
		if err != nil || v.Kind() != jsonlite.Object {
			return "", fmt.Errorf("%w: a record is not a JSON object", ErrInvalid)
		}
		for _, key := range path {
			if v.Kind() != jsonlite.Object {
				v = nil
				break
			}
			if v = v.Lookup(key); v == nil {
				break
			}
		}
		switch {
		case v == nil:
		case v.Kind() == jsonlite.String:
			return v.String(), nil
		case v.Kind() == jsonlite.Number:
			return strings.TrimSpace(v.JSON()), nil
		}
		return "", fmt.Errorf("%w: a record has no string or number at %v", ErrInvalid, path)
	}
}

func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
