package duckdb

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/table"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// openDB is an in-memory DuckDB that reads local files only: no extension is loaded.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// readManifest reads an export's manifest from the bucket.
func readManifest(t *testing.T, key string) activities.Manifest {
	t.Helper()
	body, err := stack.store.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	var m activities.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if m.Table == nil {
		t.Fatalf("manifest %s lists no table", key)
	}
	return m
}

// download copies the table files the manifest lists to dir, each at its key, checking
// its size and SHA-256 against the manifest, and returns their local paths.
func download(t *testing.T, m activities.Manifest, dir string) []string {
	t.Helper()
	var paths []string
	for _, f := range m.Table.Files {
		body, err := stack.store.Get(context.Background(), f.Key)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(body)
		if int64(len(body)) != f.Bytes || hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Fatalf("%s: %d bytes, sha256 %x; manifest says %d, %s", f.Key, len(body), sum, f.Bytes, f.SHA256)
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// fileList is a DuckDB list literal of paths.
func fileList(paths []string) string {
	quoted := make([]string, len(paths))
	for i, p := range paths {
		quoted[i] = "'" + strings.ReplaceAll(p, "'", "''") + "'"
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// duckTable is what DuckDB reads from a table's files: each column's type, and every row
// as DuckDB renders it to JSON (a JSON column inline, a struct as an object, a list as
// an array, a timestamp as text).
type duckTable struct {
	types map[string]string
	order []string
	rows  []map[string]any
}

func readTable(t *testing.T, db *sql.DB, from string) duckTable {
	t.Helper()
	dt := duckTable{types: map[string]string{}}
	rows, err := db.Query("DESCRIBE SELECT * FROM " + from)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, typ string
		var null, key, def, extra sql.NullString
		if err := rows.Scan(&name, &typ, &null, &key, &def, &extra); err != nil {
			t.Fatal(err)
		}
		dt.types[name] = typ
		dt.order = append(dt.order, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows, err = db.Query("SELECT to_json(t)::VARCHAR FROM " + from + " AS t")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber()
		var row map[string]any
		if err := dec.Decode(&row); err != nil {
			t.Fatalf("DuckDB row is not JSON: %v", err)
		}
		dt.rows = append(dt.rows, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return dt
}

// duckType is the DuckDB type a top-level column of kind k reads as.
var duckType = map[table.Kind]string{
	table.Null: "VARCHAR", table.String: "VARCHAR", table.Boolean: "BOOLEAN", table.Int64: "BIGINT",
	table.Double: "DOUBLE", table.JSON: "JSON", table.Timestamp: "TIMESTAMP WITH TIME ZONE",
}

var pageName = regexp.MustCompile(`^data/part-\d{3}/page-\d{8}\.jsonl\.gz$`)

// compare checks the table DuckDB read against the records (by id): every record a row
// once, every column of the schema with the type it names, and every value the record's,
// as that type holds it. It returns the problems, the first 20.
func compare(sb *sandbox.Server, prov string, records map[string]json.RawMessage, m activities.Manifest, s *table.Schema, dt duckTable) []string {
	var problems []string
	add := func(format string, args ...any) {
		if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	want := append(slices.Clone(s.Columns), s.Meta...)
	if len(dt.order) != len(want) {
		add("DuckDB reads %d columns %v, the schema has %d", len(dt.order), dt.order, len(want))
	}
	for i, c := range want {
		if i < len(dt.order) && dt.order[i] != c.Name {
			add("column %d is %q, the schema's is %q", i, dt.order[i], c.Name)
		}
		typ, ok := dt.types[c.Name]
		switch {
		case !ok:
			add("DuckDB reads no column %q", c.Name)
		case c.Type == table.Object && !strings.HasPrefix(typ, "STRUCT("),
			c.Type == table.List && !strings.HasSuffix(typ, "[]"),
			duckType[c.Type] != "" && typ != duckType[c.Type]:
			add("column %q is %s in DuckDB, %s in the schema", c.Name, typ, c.Type)
		}
	}
	if len(dt.rows) != len(records) {
		add("%d rows for %d records", len(dt.rows), len(records))
	}
	seen := map[string]bool{}
	for _, row := range dt.rows {
		b, _ := json.Marshal(row)
		id := sb.IDOf(prov, b)
		rec, ok := records[id]
		switch {
		case !ok:
			add("row with id %q is no record of the dataset", id)
			continue
		case seen[id]:
			add("record %s is two rows", id)
		}
		seen[id] = true
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(rec, &fields); err != nil {
			add("record %s: %v", id, err)
			continue
		}
		for _, c := range s.Columns {
			key := c.Name
			if c.Key != "" {
				key = c.Key
			}
			if why := sameValue(c, fields[key], row[c.Name]); why != "" {
				add("record %s, column %s: %s", id, c.Name, why)
			}
		}
		if row[table.ColExportID] != m.ExportID {
			add("record %s: %s is %v", id, table.ColExportID, row[table.ColExportID])
		}
		if p, _ := row[table.ColPage].(string); !pageName.MatchString(p) {
			add("record %s: %s is %v", id, table.ColPage, row[table.ColPage])
		}
		if at, err := time.Parse("2006-01-02 15:04:05.999999-07", fmt.Sprint(row[table.ColExtractedAt])); err != nil ||
			!at.Equal(m.StartedAt.Truncate(time.Microsecond)) {
			add("record %s: %s is %v, the export started %v", id, table.ColExtractedAt, row[table.ColExtractedAt], m.StartedAt)
		}
		if _, raw := row[table.ColRaw]; raw {
			if why := sameJSON(rec, row[table.ColRaw]); why != "" {
				add("record %s: _raw %s", id, why)
			}
		}
	}
	return problems
}

// pageRecords reads every page the manifest lists and checks its records against the
// sandbox's dataset: the same ids, and every field the dataset holds the same. A page
// record may hold more: fields the API adds to what it serves (Close's search answers
// add __object_type). It returns the page records by id, the table's source.
func pageRecords(t *testing.T, sb *sandbox.Server, prov, resource string, m activities.Manifest) map[string]json.RawMessage {
	t.Helper()
	got := map[string]json.RawMessage{}
	for _, o := range m.Objects {
		body, err := stack.store.Get(context.Background(), o.Key)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		text, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.SplitSeq(strings.TrimSuffix(string(text), "\n"), "\n") {
			got[sb.IDOf(prov, json.RawMessage(line))] = json.RawMessage(line)
		}
	}
	dataset := sb.Dataset(prov, resource)
	if len(dataset) != len(got) {
		t.Fatalf("the pages hold %d records, the dataset %d", len(got), len(dataset))
	}
	for _, want := range dataset {
		id := sb.IDOf(prov, want)
		var wf, gf map[string]json.RawMessage
		if err := json.Unmarshal(want, &wf); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got[id], &gf); err != nil {
			t.Fatalf("record %s is not in the pages", id)
		}
		for k, v := range wf {
			if why := sameJSON(v, decodeJSON(gf[k])); why != "" {
				t.Fatalf("record %s, field %s: the page disagrees with the dataset: %s", id, k, why)
			}
		}
	}
	return got
}

func decodeJSON(raw json.RawMessage) any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	_ = dec.Decode(&v)
	return v
}

// sameValue compares what the record holds (raw; nil when absent) with what DuckDB read
// for column c (decoded from its JSON, numbers as json.Number). "" means the same.
func sameValue(c *table.Column, raw json.RawMessage, got any) string {
	if len(raw) == 0 || string(raw) == "null" {
		if got != nil {
			return fmt.Sprintf("the record has no value, DuckDB reads %v", got)
		}
		return ""
	}
	if got == nil {
		return fmt.Sprintf("the record holds %.80s, DuckDB reads null", raw)
	}
	switch c.Type {
	case table.Object:
		var fields map[string]json.RawMessage
		obj, ok := got.(map[string]any)
		if json.Unmarshal(raw, &fields) != nil || !ok {
			return fmt.Sprintf("want an object for %.80s, DuckDB reads %T", raw, got)
		}
		for _, f := range c.Fields {
			key := f.Name
			if f.Key != "" {
				key = f.Key
			}
			if why := sameValue(f, fields[key], obj[f.Name]); why != "" {
				return f.Name + ": " + why
			}
		}
		if len(obj) != len(c.Fields) {
			return fmt.Sprintf("DuckDB reads %d fields, the schema has %d", len(obj), len(c.Fields))
		}
		return ""
	case table.List:
		var elems []json.RawMessage
		list, ok := got.([]any)
		if json.Unmarshal(raw, &elems) != nil || !ok || len(list) != len(elems) {
			return fmt.Sprintf("want a list of %.80s, DuckDB reads %v", raw, got)
		}
		for i := range elems {
			if why := sameValue(c.Element, elems[i], list[i]); why != "" {
				return fmt.Sprintf("[%d]: %s", i, why)
			}
		}
		return ""
	case table.JSON:
		return sameJSON(raw, got)
	case table.Int64:
		n, ok := got.(json.Number)
		if !ok || n.String() != string(raw) {
			return fmt.Sprintf("want the integer %s, DuckDB reads %#v", raw, got)
		}
	case table.Double:
		n, ok := got.(json.Number)
		want, err := strconv.ParseFloat(string(raw), 64)
		f, ferr := strconv.ParseFloat(string(n), 64)
		if !ok || err != nil || ferr != nil || (f != want && !(math.IsNaN(f) && math.IsNaN(want))) {
			return fmt.Sprintf("want the number %s, DuckDB reads %#v", raw, got)
		}
	case table.Boolean:
		if b, ok := got.(bool); !ok || strconv.FormatBool(b) != string(raw) {
			return fmt.Sprintf("want %s, DuckDB reads %#v", raw, got)
		}
	case table.String, table.Null:
		want := string(raw)
		var s string
		if json.Unmarshal(raw, &s) == nil {
			want = s // a string; any other value is held as its JSON text
		}
		if g, ok := got.(string); !ok || g != want {
			return fmt.Sprintf("want the string %.80q, DuckDB reads %#v", want, got)
		}
	default:
		return "unexpected column type " + string(c.Type)
	}
	return ""
}

// sameJSON compares two JSON values by meaning: DuckDB inlines a JSON column's text, and
// may write its numbers and spacing its own way.
func sameJSON(raw json.RawMessage, got any) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var want any
	if err := dec.Decode(&want); err != nil {
		return err.Error()
	}
	if !equalJSON(want, got) {
		g, _ := json.Marshal(got)
		return fmt.Sprintf("want %.120s, DuckDB reads %.120s", raw, g)
	}
	return ""
}

func equalJSON(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			if w, ok := bm[k]; !ok || !equalJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return false
		}
		for i := range a {
			if !equalJSON(a[i], bl[i]) {
				return false
			}
		}
		return true
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			return false
		}
		x, err1 := strconv.ParseFloat(string(a), 64)
		y, err2 := strconv.ParseFloat(string(bn), 64)
		return err1 == nil && err2 == nil && x == y
	}
	return a == b
}
