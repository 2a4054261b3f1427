package table

import (
	"io"
	"time"

	"github.com/parquet-go/parquet-go"
)

// Meta is one row's values of pagewise's columns, for tables whose rows come from many
// exports (package current's): the export and start of the run the record is from, its
// page in that export's folder, and the values of the columns Schema.WithMeta added, in
// order, each a string, a time.Time, or nil for null.
type Meta struct {
	ExportID    string
	ExtractedAt time.Time
	Page        string
	Extra       []any
}

// RowWriter writes one Parquet file a record at a time, with row groups of RowGroupBytes
// of record text as Write's files have. The same rows give the same bytes.
type RowWriter struct {
	fw  *fileWriter
	row []parquet.Row
}

// NewRowWriter starts a file of schema s (with its added columns) on out.
func NewRowWriter(out io.Writer, s *Schema, spec Spec) *RowWriter {
	return &RowWriter{fw: newFileWriter(out, newPlan(s), spec, "", time.Time{}), row: make([]parquet.Row, 1)}
}

// Write adds one record, a JSON object that fits the schema.
func (w *RowWriter) Write(record []byte, m Meta) error {
	fw := w.fw
	fw.sh.meta[0], fw.sh.meta[1] = byteArray(m.ExportID), parquet.Int64Value(m.ExtractedAt.UnixMicro())
	row, err := fw.sh.row(w.row[0][:0], record, m.Page, m.Extra)
	if err != nil {
		return err
	}
	w.row[0] = row
	if _, err := fw.w.WriteRows(w.row); err != nil {
		return err
	}
	fw.file.Rows++
	fw.file.Text += int64(len(record))
	fw.group += int64(len(record))
	if fw.group >= RowGroupBytes {
		fw.group = 0
		return fw.w.Flush()
	}
	return nil
}

// Text is the record text written so far, which sizes a file.
func (w *RowWriter) Text() int64 { return w.fw.file.Text }

// Close ends the file; its File has no Path, FirstPage or Pages.
func (w *RowWriter) Close() (File, error) { return w.fw.close() }
