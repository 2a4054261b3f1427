package table

import (
	"bytes"
	"testing"
	"time"
)

// TestRowWriterWritesEachRowsOwnMeta: a table written a row at a time carries each row's
// export, time and page, and the added columns (a null where a row has none); a record
// key named like an added column gets a column of its own.
func TestRowWriterWritesEachRowsOwnMeta(t *testing.T) {
	records := []string{`{"id":1,"_deleted_at":"mine"}`, `{"id":2}`}
	in, err := NewInferrer(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		if err := in.Add([]byte(r)); err != nil {
			t.Fatal(err)
		}
	}
	s, err := in.Schema(true).WithMeta(&Column{Name: ColID, Type: String}, &Column{Name: ColDeletedAt, Type: Timestamp})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range s.Meta {
		names = append(names, c.Name)
	}
	if got := names; len(got) != 6 || got[3] != ColID || got[4] != ColDeletedAt || got[5] != ColRaw {
		t.Fatalf("pagewise columns %v: the added ones go before _raw", got)
	}
	t1 := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	var buf bytes.Buffer
	w := NewRowWriter(&buf, s, Spec{})
	metas := []Meta{
		{ExportID: "e1", ExtractedAt: t1, Page: "p1", Extra: []any{"1", t1.Add(time.Hour)}},
		{ExportID: "e2", ExtractedAt: t1.Add(time.Minute), Page: "p2", Extra: []any{"2", nil}},
	}
	for i, r := range records {
		if err := w.Write([]byte(r), metas[i]); err != nil {
			t.Fatal(err)
		}
	}
	f, err := w.Close()
	if err != nil || f.Rows != 2 || f.Bytes != int64(buf.Len()) {
		t.Fatalf("file %+v, %v (%d bytes written)", f, err, buf.Len())
	}
	rows := readRows(t, buf.Bytes())
	if rows[0][ColExportID] != "e1" || rows[1][ColExportID] != "e2" || rows[1][ColPage] != "p2" || rows[0][ColID] != "1" {
		t.Errorf("rows' own metadata: %v", rows)
	}
	if rows[1][ColDeletedAt] != nil || rows[0]["_deleted_at_"] != "mine" {
		t.Errorf("added columns: %v", rows)
	}
	// parquet-go reads a timestamp column as its microseconds.
	if got, want := rows[0][ColDeletedAt], t1.Add(time.Hour).UnixMicro(); got != want {
		t.Errorf("_deleted_at %v, want %v", got, want)
	}
	if _, err := in.Schema(false).WithMeta(&Column{Name: "other", Type: String}); err == nil {
		t.Error("WithMeta took a column no table adds")
	}
	if err := NewRowWriter(&bytes.Buffer{}, s, Spec{}).Write([]byte(records[1]), Meta{Extra: []any{"2"}}); err == nil {
		t.Error("a row short of its added columns was written")
	}
}
