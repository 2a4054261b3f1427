package table

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"os"
	"time"

	"github.com/parquet-go/parquet-go"
)

// Version goes into every file's created_by, fixed so the same pages give the same bytes
// whichever build wrote them.
const Version = "1"

// fileWriter writes one Parquet file: rows a page at a time, a row group every
// RowGroupBytes of record text.
type fileWriter struct {
	w        *parquet.GenericWriter[any]
	sh       *shredder
	rows     []parquet.Row
	out      *counter
	group    int64 // record text in the open row group
	rowGroup int
	file     File
}

// counter counts and hashes what goes to the file.
type counter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

func newFileWriter(out io.Writer, p *plan, spec Spec, exportID string, extractedAt time.Time) *fileWriter {
	c := &counter{w: out, h: sha256.New()}
	w := parquet.NewGenericWriter[any](c, parquet.NewSchema("record", p.root),
		parquet.Compression(spec.codec()),
		parquet.CreatedBy("pagewise", Version, ""),
		// Encoded pages wait for the end of their row group in a temporary file, not the heap.
		parquet.ColumnPageBuffers(pagePool()),
	)
	return &fileWriter{w: w, sh: newShredder(p, exportID, extractedAt), out: c}
}

// writePage adds a page's records; page names it in every row.
func (fw *fileWriter) writePage(records [][]byte, page string) error {
	fw.rows = fw.rows[:0]
	var text int64
	for i, rec := range records {
		var row parquet.Row // the backing array of an earlier page's row i, reused
		if i < cap(fw.rows) {
			row = fw.rows[:cap(fw.rows)][i][:0]
		}
		row, err := fw.sh.row(row, rec, page, nil)
		if err != nil {
			return err
		}
		fw.rows = append(fw.rows, row)
		text += int64(len(rec))
	}
	if _, err := fw.w.WriteRows(fw.rows); err != nil {
		return err
	}
	fw.file.Rows += int64(len(records))
	fw.file.Text += text
	fw.group += text
	if fw.group >= RowGroupBytes {
		fw.group = 0
		fw.rowGroup++
		return fw.w.Flush()
	}
	return nil
}

// close ends the file and fills in its size and checksum.
func (fw *fileWriter) close() (File, error) {
	if err := fw.w.Close(); err != nil {
		return File{}, err
	}
	fw.file.Bytes = fw.out.n
	fw.file.SHA256 = hex.EncodeToString(fw.out.h.Sum(nil))
	return fw.file, nil
}

// spill is a page buffer in an unlinked temporary file: a crash leaves nothing behind.
type spill struct{ *os.File }

type filePool struct{ fallback parquet.BufferPool }

func (p *filePool) GetBuffer() io.ReadWriteSeeker {
	f, err := os.CreateTemp("", "pagewise-parquet-*")
	if err != nil {
		return p.fallback.GetBuffer()
	}
	_ = os.Remove(f.Name())
	return spill{f}
}

func (p *filePool) PutBuffer(b io.ReadWriteSeeker) {
	if s, ok := b.(spill); ok {
		_ = s.Close()
		return
	}
	p.fallback.PutBuffer(b)
}

// pagePool keeps encoded pages on disk where a temporary file can be made (the heap
// otherwise, as with a read-only filesystem).
func pagePool() parquet.BufferPool { return &filePool{fallback: parquet.NewBufferPool()} }
