package activities

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/table"
)

// TableManifest is the manifest's account of the export's table: its files, checked
// against the bucket like pages, and its schema, as schema.json holds it.
type TableManifest struct {
	Format string `json:"format"` // "parquet"
	// Glob matches every table file and nothing else.
	Glob         string          `json:"glob"`
	Path         string          `json:"path"` // the template that placed the files
	Compression  string          `json:"compression"`
	Rows         int64           `json:"rows"`
	SchemaKey    string          `json:"schema_key"`
	SchemaSHA256 string          `json:"schema_sha256"`
	Schema       json.RawMessage `json:"schema"`
	Files        []TableObject   `json:"files"`
}

// TableObject is one table file.
type TableObject struct {
	Key    string `json:"key"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// tableGlob matches every file of the table at location (DuckDB's ** takes any depth).
func tableGlob(location string) string { return location + "/" + tableDir + "/**/*.parquet" }

// tableManifest describes in's table for the manifest; nil for an export without one.
// schema.json must be there and be what WriteTables wrote.
func (a *Activities) tableManifest(ctx context.Context, in FinishInput) (*TableManifest, error) {
	t := in.Tables
	if t == nil {
		return nil, nil
	}
	spec := tableSpec(in.Export)
	tm := &TableManifest{Format: table.FormatParquet, Glob: tableGlob(a.Store.Location(in.Base)),
		Path: cmp.Or(spec.Path, table.DefaultTemplate), Compression: cmp.Or(spec.Compression, table.Compressions[0]),
		Rows: t.Rows, SchemaKey: t.Schema, SchemaSHA256: t.SchemaSHA256}
	if t.Schema != in.Base+"/"+schemaName {
		return nil, verificationFailed(in.Base, fmt.Errorf("the table's schema is at %s, not in the export's folder", t.Schema))
	}
	body, err := a.Store.Get(ctx, t.Schema)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil, verificationFailed(in.Base, fmt.Errorf("%s is missing", schemaName))
	case err != nil:
		return nil, storageError(err)
	case sha256Hex(body) != t.SchemaSHA256:
		return nil, verificationFailed(in.Base, fmt.Errorf("%s is not the schema the table was written with", schemaName))
	}
	tm.Schema = body
	for _, f := range t.Files {
		tm.Files = append(tm.Files, TableObject{Key: tableKey(in.Base, f.Path), Rows: f.Rows, Bytes: f.Bytes, SHA256: f.SHA256})
	}
	if tm.Files == nil {
		tm.Files = []TableObject{}
	}
	return tm, nil
}

// finishTable is the manifest's table section, once the table folder holds exactly the
// table's files and they hold every record.
func (a *Activities) finishTable(ctx context.Context, in FinishInput, records int64) (*TableManifest, error) {
	tm, err := a.tableManifest(ctx, in)
	if err != nil {
		return nil, err
	}
	if tm != nil && tm.Rows != records {
		return nil, verificationFailed(in.Base, fmt.Errorf("the table holds %d rows, the export %d records", tm.Rows, records))
	}
	return tm, a.tidyTable(ctx, in.Base, tm)
}

// tidyTable makes the export's table folder hold exactly want's files (nil: none, and
// no schema.json): files an earlier attempt left, with a different count or layout, are
// removed; a file missing, or of another size, fails the export.
func (a *Activities) tidyTable(ctx context.Context, base string, want *TableManifest) error {
	expect := map[string]int64{}
	if want != nil {
		for _, f := range want.Files {
			expect[f.Key] = f.Bytes
		}
	} else if err := a.dropStaleSchema(ctx, base); err != nil {
		return err
	}
	var p problems
	err := a.Store.Walk(ctx, base+"/"+tableDir+"/", func(listed []storage.Object) error {
		var stale []string
		for _, o := range listed {
			size, ok := expect[o.Key]
			switch {
			case !ok:
				stale = append(stale, o.Key)
			case size != o.Size:
				p.add("table file %s is %d bytes, written as %d", o.Key, o.Size, size)
			}
			delete(expect, o.Key)
		}
		if len(stale) == 0 {
			return nil
		}
		return a.Store.Delete(ctx, stale)
	})
	if err != nil {
		return storageError(err)
	}
	for _, k := range slices.Sorted(maps.Keys(expect)) {
		p.add("table file %s is missing", k)
	}
	if err := p.err(); err != nil {
		return verificationFailed(base, err)
	}
	return nil
}

// dropStaleSchema removes a schema.json an earlier attempt with a table left in a folder
// whose export now has none.
func (a *Activities) dropStaleSchema(ctx context.Context, base string) error {
	key := base + "/" + schemaName
	_, err := a.Store.Head(ctx, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil
	case err == nil:
		err = a.Store.Delete(ctx, []string{key})
	}
	if err != nil {
		return storageError(err)
	}
	return nil
}

// checkTable compares the bucket's table folder with the manifest's table: the same
// keys, the same sizes, nothing else.
func (a *Activities) checkTable(ctx context.Context, base string, tm *TableManifest, p *problems) error {
	want := map[string]int64{}
	if tm != nil {
		for _, f := range tm.Files {
			if _, dup := want[f.Key]; dup {
				p.add("table file listed twice in manifest: %s", f.Key)
			}
			want[f.Key] = f.Bytes
		}
	}
	err := a.Store.Walk(ctx, base+"/"+tableDir+"/", func(listed []storage.Object) error {
		for _, o := range listed {
			size, ok := want[o.Key]
			switch {
			case !ok:
				p.add("in bucket but not in manifest: %s", o.Key)
			case size != o.Size:
				p.add("size of %s is %d, manifest says %d", o.Key, o.Size, size)
			}
			delete(want, o.Key)
		}
		return nil
	})
	if err != nil {
		return storageError(err)
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		p.add("in manifest but missing from bucket: %s", k)
	}
	if tm != nil {
		var rows int64
		for _, f := range tm.Files {
			rows += f.Rows
		}
		if rows != tm.Rows {
			p.add("manifest's table rows (%d) disagree with its files (%d)", tm.Rows, rows)
		}
	}
	return nil
}
