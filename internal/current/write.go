package current

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"iter"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/table"
)

// progressEvery is how many rows pass between Progress calls.
const progressEvery = 50_000

// gen is one generation being written.
type gen struct {
	m       *Merge
	root    string
	n       int
	history bool
	base    *Manifest // nil: the first
	man     Manifest
}

func (g *gen) name() string {
	if g.history {
		return TableHistory
	}
	return TableCurrent
}

// write merges the base with the run's changes into the generation's parts (and
// Parquet files), then writes its manifest.
func (g *gen) write(ctx context.Context) error {
	m := g.m
	g.man.Format, g.man.Table, g.man.Generation = Format, g.name(), g.n
	changes, err := m.sort.open()
	if err != nil {
		return err
	}
	defer changes.close()
	var base Manifest
	if g.base != nil {
		base = *g.base
	}
	prev := newGenReader(ctx, m.store, base, &m.mem)
	defer prev.close()
	t := &tableMerge{run: m.run, at: m.run.ExtractedAt.UnixNano(), history: g.history,
		drop: m.opts.DropDeleted && !g.history, prev: prev, changes: changes, mem: &m.mem}
	t.stats.Upserts, t.stats.Deletes, t.stats.Seen = m.added.Upserts, m.added.Deletes, m.added.Seen
	var infer *table.Inferrer
	if m.opts.wantsParquet() {
		if infer, err = g.inferrer(ctx); err != nil {
			return err
		}
	}
	next, stop := iter.Pull2(iter.Seq2[*Row, error](t.rows))
	defer stop()
	if err := g.writeParts(ctx, next, infer); err != nil {
		return err
	}
	g.man.Changes = t.stats
	if infer != nil {
		if err := g.writeParquet(ctx, infer); err != nil {
			return err
		}
	}
	return g.writeManifest(ctx)
}

// writeParts writes the rows next yields as parts of about PartMiB of row text; an
// empty table is one empty part.
func (g *gen) writeParts(ctx context.Context, next func() (*Row, error, bool), infer *table.Inferrer) error {
	m := g.m
	limit := int64(m.opts.PartMiB) << 20
	if m.opts.partBytes > 0 {
		limit = m.opts.partBytes
	}
	row, err, ok := next()
	if err != nil {
		return err
	}
	var line []byte
	for part := 0; ; part++ {
		key := partKey(g.root, g.n, part)
		obj := Object{Key: key}
		err := m.store.Upload(ctx, key, "application/x-ndjson", func(out io.Writer) error {
			h := newHashed(out)
			zw, _ := gzip.NewWriterLevel(h, gzip.DefaultCompression)
			var text int64
			for ok && text < limit {
				line = appendRow(line[:0], row, g.history)
				if _, err := zw.Write(line); err != nil {
					return err
				}
				if infer != nil {
					if err := infer.Add(row.Record); err != nil {
						return unfit(g.man.Rows + 1)
					}
				}
				text += int64(len(line))
				obj.Rows++
				g.count(row)
				if g.man.Rows%progressEvery == 0 {
					g.progress(part)
				}
				if row, err, ok = next(); err != nil {
					return err
				}
			}
			if err := zw.Close(); err != nil {
				return err
			}
			obj.Bytes, obj.SHA256, obj.md5 = h.n, hex.EncodeToString(h.sha.Sum(nil)), hex.EncodeToString(h.md5.Sum(nil))
			return nil
		})
		if err != nil {
			return err
		}
		g.man.Parts = append(g.man.Parts, obj)
		g.progress(part + 1)
		if !ok {
			return nil
		}
	}
}

// unfit is a record the Parquet table cannot hold (the records were checked as JSON
// objects when added, so this is not expected). The table's error is not returned: it
// may quote the record.
func unfit(row int64) error {
	return fmt.Errorf("%w: row %d of the table cannot be a Parquet row (nested too deep?)", ErrInvalid, row)
}

// count adds a written row to the manifest's totals.
func (g *gen) count(r *Row) {
	g.man.Rows++
	switch {
	case !r.Live():
		g.man.Deleted++
	case !g.history || r.ValidTo.IsZero():
		g.man.Live++
	}
}

func (g *gen) progress(parts int) {
	if g.m.Progress != nil {
		g.m.Progress(Progress{Table: g.name(), Rows: g.man.Rows, Parts: parts})
	}
}

// inferrer starts the Parquet schema from the base generation's, so columns keep their
// order and types from one generation to the next.
func (g *gen) inferrer(ctx context.Context) (*table.Inferrer, error) {
	var seed *table.Schema
	if g.base != nil && g.base.Parquet != nil {
		body, err := g.m.store.Get(ctx, g.base.Parquet.Schema)
		if err != nil {
			return nil, err
		}
		if seed, err = table.ParseSchema(body); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, g.m.store.Location(g.base.Parquet.Schema), err)
		}
	}
	return table.NewInferrer(seed, nil)
}

// extraColumns are the columns a table adds to pagewise's own, in Row's order.
func extraColumns(history bool) []*table.Column {
	cols := []*table.Column{{Name: table.ColID, Type: table.String}, {Name: table.ColDeletedAt, Type: table.Timestamp}}
	if history {
		cols = append(cols, &table.Column{Name: table.ColValidFrom, Type: table.Timestamp},
			&table.Column{Name: table.ColValidTo, Type: table.Timestamp})
	}
	return cols
}

func extraValues(r *Row, history bool, out []any) []any {
	out = append(out[:0], r.ID, timeValue(r.DeletedAt))
	if history {
		out = append(out, timeValue(r.ValidFrom), timeValue(r.ValidTo))
	}
	return out
}

func timeValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// writeParquet reads the parts just written back (checking them against what was
// written) and writes them as Parquet files of about Table.FileMiB of record text.
func (g *gen) writeParquet(ctx context.Context, infer *table.Inferrer) error {
	m := g.m
	s, err := infer.Schema(m.opts.Table.Raw).WithMeta(extraColumns(g.history)...)
	if err != nil {
		return err
	}
	schemaKey := genDir(g.root, g.n) + "/" + schemaName
	if err := m.store.Put(ctx, schemaKey, s.JSON(), "application/json", nil); err != nil {
		return err
	}
	pq := &Parquet{Schema: schemaKey, Glob: m.store.Location(genDir(g.root, g.n) + "/" + tableDir + "/*.parquet")}
	limit := int64(cmpOr(m.opts.Table.FileMiB, table.DefaultFileMiB)) << 20
	r := newGenReader(ctx, m.store, g.man, nil)
	defer r.close()
	row, err := r.next()
	if err != nil {
		return err
	}
	var extra []any
	for file := 0; ; file++ {
		key := fileKey(g.root, g.n, file)
		obj := Object{Key: key}
		err := m.store.Upload(ctx, key, "application/vnd.apache.parquet", func(out io.Writer) error {
			h := newHashed(out)
			w := table.NewRowWriter(h, s, m.opts.Table)
			for row != nil && w.Text() < limit {
				extra = extraValues(row, g.history, extra)
				meta := table.Meta{ExportID: row.ExportID, ExtractedAt: row.ExtractedAt, Page: row.Page, Extra: extra}
				if err := w.Write(row.Record, meta); err != nil {
					return unfit(obj.Rows + 1)
				}
				obj.Rows++
				if row, err = r.next(); err != nil {
					return err
				}
			}
			if _, err := w.Close(); err != nil {
				return err
			}
			obj.Bytes, obj.SHA256, obj.md5 = h.n, hex.EncodeToString(h.sha.Sum(nil)), hex.EncodeToString(h.md5.Sum(nil))
			return nil
		})
		if err != nil {
			return err
		}
		pq.Files = append(pq.Files, obj)
		if row == nil {
			break
		}
	}
	g.man.Parquet = pq
	return nil
}

func (g *gen) writeManifest(ctx context.Context) error {
	m := g.m
	g.man.Run, g.man.Watermark, g.man.Options, g.man.Runs = m.run, m.run.Watermark, m.opts, 1
	if g.base != nil {
		g.man.Base, g.man.Runs = g.base.Generation, g.base.Runs+1
	}
	g.man.Glob = m.store.Location(genDir(g.root, g.n) + "/" + dataDir + "/part-*" + partExt)
	body, err := json.MarshalIndent(g.man, "", "  ")
	if err != nil {
		return err
	}
	return m.store.Put(ctx, g.manifestKey(), append(body, '\n'), "application/json", nil)
}

func (g *gen) manifestKey() string { return genDir(g.root, g.n) + "/" + manifestName }

// verify lists the generation's folder: every object the manifest lists must be there
// with its size (and, for an object written by one PUT, its MD5 as ETag). Objects it
// does not list, left by an earlier attempt, are removed: the folder holds the
// generation and nothing else.
func (g *gen) verify(ctx context.Context) error {
	m := g.m
	dir := genDir(g.root, g.n) + "/"
	want := map[string]Object{}
	for _, o := range g.man.Parts {
		want[o.Key] = o
	}
	if g.man.Parquet != nil {
		for _, o := range g.man.Parquet.Files {
			want[o.Key] = o
		}
	}
	keep := map[string]bool{dir + claimName: true, g.manifestKey(): true}
	if g.man.Parquet != nil {
		keep[g.man.Parquet.Schema] = true
	}
	var extra []string
	err := m.store.Walk(ctx, dir, func(objects []storage.Object) error {
		for _, o := range objects {
			w, listed := want[o.Key]
			switch {
			case listed:
				if err := g.check(ctx, o, w); err != nil {
					return err
				}
				delete(want, o.Key)
			case keep[o.Key]:
				delete(keep, o.Key)
			default:
				extra = append(extra, o.Key)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for k := range want {
		return fmt.Errorf("%w: %s was written but is not in the bucket", ErrCorrupt, m.store.Location(k))
	}
	for k := range keep {
		return fmt.Errorf("%w: %s was written but is not in the bucket", ErrCorrupt, m.store.Location(k))
	}
	if len(extra) > 0 {
		return m.store.Delete(ctx, extra)
	}
	return nil
}

// check compares a listed object with what was written: its size, then its ETag where
// that is an MD5, and where that differs (an encrypted object's ETag is not) its SHA-256.
func (g *gen) check(ctx context.Context, o storage.Object, w Object) error {
	store := g.m.store
	if o.Size != w.Bytes {
		return fmt.Errorf("%w: %s is %d bytes; %d were written", ErrCorrupt, store.Location(o.Key), o.Size, w.Bytes)
	}
	if !singlePut(o.ETag) || o.ETag == w.md5 {
		return nil
	}
	body, err := store.Open(ctx, o.Key)
	if err != nil {
		return err
	}
	defer func() { _ = body.Close() }()
	sum := sha256.New()
	if _, err := io.Copy(sum, body); err != nil {
		return err
	}
	if hex.EncodeToString(sum.Sum(nil)) != w.SHA256 {
		return fmt.Errorf("%w: %s is not what was written", ErrCorrupt, store.Location(o.Key))
	}
	return nil
}

// singlePut reports whether an ETag is an MD5 of the body: S3 gives one for an object
// written by one PUT (without SSE-KMS), "<hex>-<parts>" for a multipart upload.
func singlePut(etag string) bool {
	if len(etag) != 32 {
		return false
	}
	_, err := hex.DecodeString(etag)
	return err == nil
}

// hashed counts, hashes and passes on what is written to an object.
type hashed struct {
	w        io.Writer
	sha, md5 hash.Hash
	n        int64
}

func newHashed(w io.Writer) *hashed { return &hashed{w: w, sha: sha256.New(), md5: md5.New()} }

func (h *hashed) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	h.sha.Write(p[:n])
	h.md5.Write(p[:n])
	h.n += int64(n)
	return n, err
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
