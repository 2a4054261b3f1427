package duckdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/current"
	"github.com/pagewise/pagewise/internal/table"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// currentWant is what the current table should hold for an id.
type currentWant struct {
	record  json.RawMessage
	deleted time.Time
	export  string
}

// TestCurrentTableReadsBackInDuckDB writes two generations of a current table (and its
// history) with package current on versitygw, as two runs would: every Close lead, then
// updates, inserts and deletes. DuckDB reads the published generation where the pointer
// says, as JSONL and as Parquet, and every row must be the record's latest version, the
// deleted ones with their time; the history holds each version.
func TestCurrentTableReadsBackInDuckDB(t *testing.T) {
	ctx := context.Background()
	sb := sandbox.New(sandbox.Options{Records: 400, Seed: 5})
	root, err := current.Root("duck-current/close/lead", "lead")
	if err != nil {
		t.Fatal(err)
	}
	opts := current.Options{Format: table.FormatBoth, History: true}
	t1 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	want := map[string]currentWant{}
	merge := func(run current.Run, records []json.RawMessage, deletes map[string]time.Time) {
		t.Helper()
		m, err := current.New(stack.store, root, run, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		for i, rec := range records {
			id := sb.IDOf("close", rec)
			if err := m.Upsert(id, rec, fmt.Sprintf("data/part-000/page-%08d.jsonl.gz", i/100+1)); err != nil {
				t.Fatal(err)
			}
			want[id] = currentWant{record: rec, export: run.ID}
		}
		for id, at := range deletes {
			if err := m.Delete(id, at); err != nil {
				t.Fatal(err)
			}
			w := want[id]
			w.deleted = at
			want[id] = w
		}
		if _, err := m.Publish(ctx); err != nil {
			t.Fatal(err)
		}
	}
	first := sb.Dataset("close", "lead")
	merge(current.Run{ID: "run-1", ExtractedAt: t1}, first, nil)

	touched := sb.Touch("close", "lead", 40)
	inserted := sb.Insert("close", "lead", 25)
	changed := map[string]bool{}
	for _, id := range append(touched, inserted...) {
		changed[id] = true
	}
	var second []json.RawMessage
	for _, rec := range sb.Dataset("close", "lead") {
		if changed[sb.IDOf("close", rec)] {
			second = append(second, rec)
		}
	}
	deletes := map[string]time.Time{}
	for _, rec := range first {
		if id := sb.IDOf("close", rec); !changed[id] && len(deletes) < 30 {
			deletes[id] = t1.Add(time.Duration(len(deletes)+1) * time.Second)
		}
	}
	merge(current.Run{ID: "run-2", ExtractedAt: t1.Add(time.Hour)}, second, deletes)
	if len(second) != 65 || len(want) != 425 {
		t.Fatalf("%d changed records, %d ids: the sandbox did not change as planned", len(second), len(want))
	}

	ptr, man, found, err := current.Read(ctx, stack.store, root)
	if err != nil || !found || ptr.Generation != 2 {
		t.Fatalf("pointer %+v (found %v): %v", ptr, found, err)
	}
	db := openDB(t)
	var gen int
	if err := db.QueryRow(`SELECT generation FROM read_json('` + local("s3://"+bucket+"/"+root+"/current.json") + `')`).Scan(&gen); err != nil || gen != 2 {
		t.Fatalf("DuckDB reads generation %d from the pointer (%v), want 2", gen, err)
	}
	checkJSONL(t, db, local(ptr.Glob), want)
	checkParquet(t, db, man, local(ptr.ParquetGlob), want)
	checkHistory(t, db, root, len(touched), len(deletes), len(want))
}

// local is where versitygw's posix backend keeps an s3://pagewise/… object: DuckDB reads
// the files with no S3 settings, through the same glob the pointer gives.
func local(glob string) string {
	return filepath.Join(stack.s3.Dir, bucket, strings.TrimPrefix(glob, "s3://"+bucket+"/"))
}

// checkJSONL reads the parts as a user would (auto-detected) and, with the record as
// JSON text, compares every row with want.
func checkJSONL(t *testing.T, db *sql.DB, glob string, want map[string]currentWant) {
	t.Helper()
	var live int
	// The README's query: the record's fields as columns, deleted records left out.
	if err := db.QueryRow(`SELECT count(id) FROM (SELECT record.* FROM read_json('` + glob + `',
		format = 'newline_delimited', compression = 'gzip') WHERE _deleted_at IS NULL)`).Scan(&live); err != nil {
		t.Fatal(err)
	}
	if live != len(want)-30 {
		t.Errorf("DuckDB counts %d live rows, want %d", live, len(want)-30)
	}
	rows, err := db.Query(`SELECT _pagewise_id, _pagewise_export_id, _deleted_at, record::VARCHAR FROM read_json('` + glob + `',
		format = 'newline_delimited', compression = 'gzip', columns = {_pagewise_id: 'VARCHAR',
		_pagewise_export_id: 'VARCHAR', _pagewise_extracted_at: 'VARCHAR', _pagewise_page: 'VARCHAR',
		_deleted_at: 'VARCHAR', record: 'JSON'})`)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	var ids []string
	for rows.Next() {
		var id, export, rec string
		var deleted *string
		if err := rows.Scan(&id, &export, &deleted, &rec); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		w, ok := want[id]
		if !ok {
			t.Errorf("JSONL row %s: no such record", id)
			continue
		}
		if why := sameJSON(w.record, decodeJSON(json.RawMessage(rec))); why != "" || export != w.export {
			t.Errorf("JSONL row %s from %s, want %s: %s", id, export, w.export, why)
		}
		if got := parseTime(deleted); !got.Equal(w.deleted) {
			t.Errorf("JSONL row %s deleted at %v, want %v", id, got, w.deleted)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(want) || !slices.IsSorted(ids) {
		t.Errorf("JSONL: %d rows (sorted %v), want %d in id order", len(ids), slices.IsSorted(ids), len(want))
	}
}

// checkParquet reads the Parquet files and compares every column of every row with the
// record, as the column's type holds it, and each row's deletion time.
func checkParquet(t *testing.T, db *sql.DB, man current.Manifest, glob string, want map[string]currentWant) {
	t.Helper()
	body, err := stack.store.Get(context.Background(), man.Parquet.Schema)
	if err != nil {
		t.Fatal(err)
	}
	s, err := table.ParseSchema(body)
	if err != nil {
		t.Fatal(err)
	}
	dt := readTable(t, db, "read_parquet('"+glob+"')")
	if len(dt.rows) != len(want) {
		t.Fatalf("Parquet: %d rows, want %d", len(dt.rows), len(want))
	}
	if dt.types[table.ColDeletedAt] != "TIMESTAMP WITH TIME ZONE" || dt.types[table.ColID] != "VARCHAR" {
		t.Errorf("column types %v", dt.types)
	}
	for _, row := range dt.rows {
		id, _ := row[table.ColID].(string)
		w, ok := want[id]
		if !ok {
			t.Errorf("Parquet row %q: no such record", id)
			continue
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(w.record, &fields); err != nil {
			t.Fatal(err)
		}
		for _, c := range s.Columns {
			key := c.Name
			if c.Key != "" {
				key = c.Key
			}
			if why := sameValue(c, fields[key], row[c.Name]); why != "" {
				t.Errorf("Parquet row %s, column %s: %s", id, c.Name, why)
			}
		}
		if row[table.ColExportID] != w.export {
			t.Errorf("Parquet row %s from %v, want %s", id, row[table.ColExportID], w.export)
		}
	}
	rows, err := db.Query(`SELECT _pagewise_id, epoch_us(_deleted_at) FROM read_parquet('` + glob + `')`)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var id string
		var us *int64
		if err := rows.Scan(&id, &us); err != nil {
			t.Fatal(err)
		}
		var got time.Time
		if us != nil {
			got = time.UnixMicro(*us).UTC()
		}
		if !got.Equal(want[id].deleted) {
			t.Errorf("Parquet row %s deleted at %v, want %v", id, got, want[id].deleted)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// checkHistory counts versions in the history table's Parquet files: two for each
// touched record, the first closed when the second began; a deleted record's version
// closed at its delete.
func checkHistory(t *testing.T, db *sql.DB, root string, touched, deleted, ids int) {
	t.Helper()
	ptr, _, found, err := current.Read(context.Background(), stack.store, current.HistoryRoot(root))
	if err != nil || !found {
		t.Fatalf("history: found %v, %v", found, err)
	}
	var versions, open, closed, twice int
	q := `SELECT count(*), count(*) FILTER (WHERE _valid_to IS NULL),
		count(*) FILTER (WHERE _deleted_at IS NOT NULL AND _valid_to = _deleted_at),
		(SELECT count(*) FROM (SELECT _pagewise_id FROM read_parquet('` + local(ptr.ParquetGlob) + `')
			GROUP BY 1 HAVING count(*) = 2 AND min(_valid_to) = max(_valid_from)))
		FROM read_parquet('` + local(ptr.ParquetGlob) + `')`
	if err := db.QueryRow(q).Scan(&versions, &open, &closed, &twice); err != nil {
		t.Fatal(err)
	}
	if versions != ids+touched || open != ids-deleted || closed != deleted || twice != touched {
		t.Errorf("history: %d versions, %d open, %d closed by a delete, %d ids with two; want %d, %d, %d, %d",
			versions, open, closed, twice, ids+touched, ids-deleted, deleted, touched)
	}
}

func parseTime(s *string) time.Time {
	if s == nil {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, *s)
	return t
}
