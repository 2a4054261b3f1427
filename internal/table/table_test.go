package table

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
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

// TestSamePagesSameBytes: a retry, or a second run over the same pages, writes the same
// files byte for byte under the same paths.
func TestSamePagesSameBytes(t *testing.T) {
	pages := memPages(gzPage(t, `{"id":1,"a":{"b":[1,2]}}`, `{"id":2,"a":null,"s":"x"}`), gzPage(t, `{"id":3,"s":7}`))
	_, files1, out1 := build(t, pages, Spec{Raw: true})
	_, files2, out2 := build(t, pages, Spec{Raw: true})
	if len(out1) != 1 || len(files1) != 1 {
		t.Fatalf("files %+v", files1)
	}
	for path, b := range out1 {
		if !bytes.Equal(b, out2[path]) {
			t.Errorf("%s differs between two writes of the same pages", path)
		}
	}
	if files1[0] != files2[0] || files1[0].SHA256 == "" {
		t.Errorf("file records differ: %+v vs %+v", files1[0], files2[0])
	}
}

// bigPages makes n pages of per records each, about size bytes a record.
func bigPages(t testing.TB, n, per, size int) []Page {
	var objects [][]byte
	for p := range n {
		var recs []string
		for r := range per {
			recs = append(recs, fmt.Sprintf(`{"id":%d,"text":%q}`, p*per+r, strings.Repeat("x", size)))
		}
		objects = append(objects, gzPage(t, recs...))
	}
	return memPages(objects...)
}

// TestFilesEndAtTheirSizeAndAResumedWriteMatches: files hold about FileMiB of record text,
// ending at page boundaries, and a write resumed after its second file gives the same ones.
func TestFilesEndAtTheirSizeAndAResumedWriteMatches(t *testing.T) {
	pages := bigPages(t, 40, 100, 1000) // about 4 MiB
	spec := Spec{FileMiB: 1, Compression: "snappy", Path: "dt={yyyy}-{mm}-{dd}/{resource}-{part}.parquet"}
	s, files, out := build(t, pages, spec)
	if len(files) != 4 {
		t.Fatalf("%d files of %+v, want 4 of about 1 MiB", len(files), files)
	}
	var rows int64
	for i, f := range files {
		if f.Path != fmt.Sprintf("dt=2026-03-04/contacts-%05d.parquet", i) || f.Text < 1<<20 && i < 3 {
			t.Errorf("file %d: %+v", i, f)
		}
		rows += f.Rows
	}
	if rows != 4000 {
		t.Errorf("%d rows, want 4000", rows)
	}
	// The first attempt stored two files, then failed; the retry carries on.
	failing := memSink{}
	stored := 0
	_, err := Write(context.Background(), Job{Pages: pages, Schema: s, Spec: spec,
		Vars: Vars{Provider: "clio", Resource: "contacts", ExportID: "e1", Start: start},
		Sink: func(ctx context.Context, path string, write func(io.Writer) error) error {
			if stored == 2 {
				return io.ErrUnexpectedEOF
			}
			stored++
			return failing.sink(ctx, path, write)
		}})
	if err == nil {
		t.Fatal("the failing sink's error was not returned")
	}
	done := files[:2]
	resumed, err := Write(context.Background(), Job{Pages: pages, Schema: s, Spec: spec, Done: done,
		Vars: Vars{Provider: "clio", Resource: "contacts", ExportID: "e1", Start: start}, Sink: failing.sink})
	if err != nil {
		t.Fatal(err)
	}
	if len(resumed) != len(files) {
		t.Fatalf("resumed write gave %d files, want %d", len(resumed), len(files))
	}
	for i, f := range files {
		if resumed[i] != f || !bytes.Equal(failing[f.Path], out[f.Path]) {
			t.Errorf("file %d differs after resuming: %+v vs %+v", i, resumed[i], f)
		}
	}
}

// TestALaterRunAddsColumns: a run seeded with the previous run's schema keeps its columns
// in their order, adds the new ones after them, and widens a column whose type changed.
func TestALaterRunAddsColumns(t *testing.T) {
	first, _, _ := build(t, memPages(gzPage(t, `{"id":1,"n":5,"gone":true}`)), Spec{})
	seed, err := ParseSchema(first.JSON())
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := Infer(context.Background(), memPages(gzPage(t, `{"added":"x","n":"five","id":2}`)), seed, nil, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range s.Columns {
		names = append(names, c.Name+":"+string(c.Type))
	}
	if got := strings.Join(names, ","); got != "id:int64,n:string,gone:boolean,added:string" {
		t.Errorf("columns %s", got)
	}
	// n was an int64 column; its strings now widen it, recorded, and the record stays
	// in the schema the next run starts from.
	if len(s.Conflicts) != 1 || s.Conflicts[0].Path != "n" || s.Conflicts[0].As != String ||
		fmt.Sprint(s.Conflicts[0].Seen) != "[int64 string]" {
		t.Errorf("conflicts %+v, want n widened to string", s.Conflicts)
	}
	next, err := ParseSchema(s.JSON())
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := Infer(context.Background(), memPages(gzPage(t, `{"n":"x"}`)), next, nil, false, nil)
	if err != nil || len(again.Conflicts) != 1 || again.Columns[1].Type != String {
		t.Errorf("the next run lost the widening: %+v %v", again.Conflicts, err)
	}
}

// TestDeclaredColumnsSeedTypes: a declared timestamp holds RFC 3339 strings as
// timestamps; a declared column no record carries is there, all null; a declared type
// the records contradict is widened and recorded.
func TestDeclaredColumnsSeedTypes(t *testing.T) {
	pages := memPages(gzPage(t, `{"at":"2026-01-02T03:04:05.123456Z","n":"12"}`, `{"at":null,"n":"x"}`))
	s, _, err := Infer(context.Background(), pages, nil, Declared{"at": Timestamp, "n": Int64, "never": Boolean}, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]Kind{}
	for _, c := range s.Columns {
		types[c.Name] = c.Type
	}
	if types["at"] != Timestamp || types["n"] != String || types["never"] != Boolean {
		t.Errorf("types %v", types)
	}
	if len(s.Conflicts) != 1 || s.Conflicts[0].Path != "n" {
		t.Errorf("conflicts %+v", s.Conflicts)
	}
	out := memSink{}
	files, err := Write(context.Background(), Job{Pages: pages, Schema: s, Sink: out.sink, Vars: Vars{ExportID: "e", Start: start}})
	if err != nil {
		t.Fatal(err)
	}
	rows := readRows(t, out[files[0].Path])
	want := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC).UnixMicro()
	if rows[0]["at"] != want || rows[0]["n"] != "12" || rows[1]["never"] != nil {
		t.Errorf("rows %v", rows)
	}
	if _, err := NewInferrer(nil, Declared{"x": "decimal"}); err == nil {
		t.Error("an unknown declared type was accepted")
	}
}

// TestPagesThatCannotBeTablesFail: a record that is not a JSON object, a page that is not
// gzip, a page cut short, and a page that changed between the passes each fail naming
// the page, with ErrPage.
func TestPagesThatCannotBeTablesFail(t *testing.T) {
	for name, page := range map[string][]byte{
		"not json":   gzPage(t, `{"id":1`),
		"not object": gzPage(t, `[1,2]`),
		"not gzip":   []byte(`{"id":1}` + "\n"),
		"cut short":  gzPage(t, `{"id":1}`)[:10],
	} {
		_, _, err := Infer(context.Background(), memPages(page), nil, nil, false, nil)
		if !errors.Is(err, ErrPage) || !strings.Contains(err.Error(), "page-00000001") {
			t.Errorf("%s: %v", name, err)
		}
	}
	s, _, err := Infer(context.Background(), memPages(gzPage(t, `{"id":1}`)), nil, nil, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, changed := range []string{`{"id":"one"}`, `{"id":1,"new":2}`} {
		_, err = Write(context.Background(), Job{Pages: memPages(gzPage(t, changed)), Schema: s, Sink: memSink{}.sink})
		if !errors.Is(err, ErrPage) {
			t.Errorf("%s after the schema was read: %v", changed, err)
		}
	}
}

// TestAnEmptyExportIsOneEmptyFile: readers find a file, with the metadata columns.
func TestAnEmptyExportIsOneEmptyFile(t *testing.T) {
	_, files, out := build(t, memPages(gzPage(t)), Spec{})
	if len(files) != 1 || files[0].Rows != 0 || len(out) != 1 {
		t.Fatalf("files %+v", files)
	}
}

func TestTemplates(t *testing.T) {
	v := Vars{Provider: "close", Resource: "lead", ExportID: "nightly", Start: start}
	for tmpl, want := range map[string]string{
		"": "part-00003.parquet",
		"{resource}/dt={yyyy}-{mm}-{dd}/{part}.parquet": "lead/dt=2026-03-04/00003.parquet",
		"{provider}-{export_id}-{hh}-{part}.parquet":    "close-nightly-05-00003.parquet",
	} {
		p, err := ParseTemplate(cmpOr(tmpl, DefaultTemplate))
		if err != nil {
			t.Fatalf("%q: %v", tmpl, err)
		}
		if got := p.Render(v, 3); got != want {
			t.Errorf("%q renders %q, want %q", tmpl, got, want)
		}
	}
	for _, bad := range []string{"../{part}.parquet", "/{part}.parquet", "a//{part}.parquet", "./{part}.parquet",
		"{part}.json", "x.parquet", "{part}{part}.parquet", "{year}/{part}.parquet", "a/../{part}.parquet",
		"{part}.parquet/", ".hidden/{part}.parquet", "a b/{part}.parquet", "{part", strings.Repeat("a", 300) + "{part}.parquet",
		"a/b/c/d/e/f/g/h/{part}.parquet", "\x00{part}.parquet", "{{part}}.parquet"} {
		if _, err := ParseTemplate(bad); err == nil {
			t.Errorf("template %q was accepted", bad)
		} else if !strings.Contains(err.Error(), "table_path") {
			t.Errorf("%q: error %q does not name the field", bad, err)
		}
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
