package table

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// gzPage is one page object holding records, one a line.
func gzPage(t testing.TB, records ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for _, r := range records {
		_, _ = zw.Write([]byte(r + "\n"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// memPages serves page objects from memory.
func memPages(objects ...[]byte) []Page {
	pages := make([]Page, len(objects))
	for i, o := range objects {
		pages[i] = Page{Name: fmt.Sprintf("data/part-000/page-%08d.jsonl.gz", i+1),
			Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(o)), nil }}
	}
	return pages
}

// memSink keeps every file written, by path.
type memSink map[string][]byte

func (m memSink) sink(_ context.Context, path string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	m[path] = buf.Bytes()
	return nil
}

var start = time.Date(2026, 3, 4, 5, 6, 7, 891234567, time.UTC)

// build runs both passes over pages.
func build(t testing.TB, pages []Page, spec Spec) (*Schema, []File, memSink) {
	t.Helper()
	s, _, err := Infer(context.Background(), pages, nil, nil, spec.Raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := memSink{}
	files, err := Write(context.Background(), Job{Pages: pages, Schema: s, Spec: spec, Sink: out.sink,
		Vars: Vars{Provider: "clio", Resource: "contacts", ExportID: "e1", Start: start}})
	if err != nil {
		t.Fatal(err)
	}
	return s, files, out
}

// readRows reads a file back with parquet-go into maps, for checks independent of DuckDB.
func readRows(t testing.TB, b []byte) []map[string]any {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	r := parquet.NewReader(f)
	defer func() { _ = r.Close() }()
	var rows []map[string]any
	for {
		m := map[string]any{}
		if err := r.Read(&m); err == io.EOF {
			return rows
		} else if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, m)
	}
}

func TestRecordsBecomeTypedColumns(t *testing.T) {
	pages := memPages(
		gzPage(t, `{"id":1,"name":"Ann","score":1,"tags":["a","b"],"addr":{"city":"Oslo","zip":123},"mixed":1,"custom.cf_x":"v"}`,
			`{"id":2,"name":null,"score":2.5,"tags":[],"addr":{"city":"Rome"},"mixed":"two","nested":{"deep":[{"k":1},{"k":2}]}}`),
		gzPage(t, `{"id":3,"extra":true,"addr":null,"mixed":{"a":1},"_raw":"mine"}`),
	)
	s, files, out := build(t, pages, Spec{})
	got := map[string]Kind{}
	for _, c := range s.Columns {
		got[c.Name] = c.Type
	}
	want := map[string]Kind{"id": Int64, "name": String, "score": Double, "tags": List, "addr": Object, "mixed": JSON,
		"custom.cf_x": String, "nested": Object, "extra": Boolean, "_raw_": String}
	for name, k := range want {
		if got[name] != k {
			t.Errorf("column %s is %q, want %q (schema %s)", name, got[name], k, s.JSON())
		}
	}
	if len(s.Conflicts) != 1 || s.Conflicts[0].Path != "mixed" || s.Conflicts[0].As != JSON {
		t.Errorf("conflicts %+v, want mixed widened to json", s.Conflicts)
	}
	if len(files) != 1 || files[0].Rows != 3 || files[0].Pages != 2 {
		t.Fatalf("files %+v", files)
	}
	rows := readRows(t, out[files[0].Path])
	if len(rows) != 3 {
		t.Fatalf("read %d rows", len(rows))
	}
	if rows[0]["id"] != int64(1) || rows[1]["score"] != 2.5 || rows[2]["extra"] != true || rows[1]["name"] != nil {
		t.Errorf("rows %v", rows)
	}
	if rows[0][ColExportID] != "e1" || rows[2][ColPage] != "data/part-000/page-00000002.jsonl.gz" {
		t.Errorf("metadata %v", rows[2])
	}
	// parquet-go decodes a JSON column's text.
	if b, _ := json.Marshal([]any{rows[0]["mixed"], rows[1]["mixed"], rows[2]["mixed"]}); string(b) != `[1,"two",{"a":1}]` {
		t.Errorf("json column holds %s", b)
	}
}
