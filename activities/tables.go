package activities

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/table"
)

// Keys of an export's table: its files below tableDir, laid out by the export's path
// template, and the schema beside the data.
const (
	tableDir   = "table"
	schemaName = "schema.json"
)

// TablesInput is an export whose pages are all written: its table is derived from them.
type TablesInput struct {
	Export     Export `json:"export"`
	Base       string `json:"base"`
	WorkflowID string `json:"workflow_id"`
	// Claim is the folder's claim this export made (owner.json), re-checked before writing.
	Claim      string      `json:"claim,omitempty"`
	StartedAt  time.Time   `json:"started_at"`
	Partitions []Partition `json:"partitions"`
}

// TablesResult is the table Finish lists in the manifest.
type TablesResult struct {
	// Schema is schema.json's key; SchemaSHA256 its checksum.
	Schema       string       `json:"schema"`
	SchemaSHA256 string       `json:"schema_sha256"`
	Files        []table.File `json:"files"`
	Rows         int64        `json:"rows"`
	Conflicts    int          `json:"conflicts,omitempty"`
}

// tablesProgress is WriteTables' heartbeat: a retry reads the schema it wrote and goes
// on after the files it finished.
type tablesProgress struct {
	SchemaSHA256 string       `json:"schema_sha256"`
	Files        []table.File `json:"files"`
}

// WriteTables derives the export's Parquet files from its pages: a first pass reads
// every page for the schema (seeded by the series' previous schema) and checks each
// partition's records and bytes against what the workflow recorded, then schema.json is
// written and a second pass writes the files. Each file is one upload, there whole or not
// at all; the manifest that lists them comes after (Finish).
func (a *Activities) WriteTables(ctx context.Context, in TablesInput) (_ TablesResult, err error) {
	defer a.logFailure(ctx, "export's table could not be written", &err, "export_id", in.Export.ID,
		"provider", in.Export.Provider, "resource", in.Export.Spec.Resource, "workflow_id", in.WorkflowID)
	if err := a.checkOwner(ctx, in.Base, in.WorkflowID, in.Claim); err != nil {
		return TablesResult{}, err
	}
	spec := tableSpec(in.Export)
	if err := spec.Validate(); err != nil {
		return TablesResult{}, invalid("%v", err)
	}
	pages := a.tablePages(in)
	schemaKey := in.Base + "/" + schemaName
	var prog tablesProgress
	if activity.IsActivity(ctx) && activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &prog)
	}
	schema, err := a.resumedSchema(ctx, schemaKey, prog.SchemaSHA256)
	if err != nil {
		return TablesResult{}, err
	}
	if schema != nil && len(prog.Files) > 0 {
		a.logger().InfoContext(ctx, "export's table resumed", "export_id", in.Export.ID, "files_done", len(prog.Files))
	}
	if schema == nil {
		prog = tablesProgress{}
		if schema, err = a.inferSchema(ctx, in, pages, spec); err != nil {
			return TablesResult{}, err
		}
		body := schema.JSON()
		if err := a.Store.Put(ctx, schemaKey, body, "application/json", nil); err != nil {
			return TablesResult{}, storageError(fmt.Errorf("writing the schema: %w", err))
		}
		prog.SchemaSHA256 = sha256Hex(body)
	}
	files, err := table.Write(ctx, table.Job{
		Pages: pages, Schema: schema, Spec: spec, Done: prog.Files,
		Vars: table.Vars{Provider: in.Export.Provider, Resource: in.Export.Spec.Resource, ExportID: in.Export.ID, Start: in.StartedAt},
		Sink: func(ctx context.Context, p string, write func(io.Writer) error) error {
			return a.Store.Upload(ctx, tableKey(in.Base, p), "application/vnd.apache.parquet", write)
		},
		Progress: func(done []table.File, _ int) {
			if activity.IsActivity(ctx) {
				activity.RecordHeartbeat(ctx, tablesProgress{SchemaSHA256: prog.SchemaSHA256, Files: done})
			}
		},
	})
	if err != nil {
		return TablesResult{}, tableError(in.Base, err)
	}
	res := TablesResult{Schema: schemaKey, SchemaSHA256: prog.SchemaSHA256, Files: files, Conflicts: len(schema.Conflicts)}
	for _, f := range files {
		res.Rows += f.Rows
	}
	if want := recordsOf(in.Partitions); res.Rows != want {
		return TablesResult{}, verificationFailed(in.Base, fmt.Errorf("the table files hold %d rows, the pages %d records", res.Rows, want))
	}
	a.logger().InfoContext(ctx, "export's table written", "export_id", in.Export.ID, "provider", in.Export.Provider,
		"resource", in.Export.Spec.Resource, "files", len(files), "rows", res.Rows, "columns", len(schema.Columns),
		"conflicts", len(schema.Conflicts), "schema", a.Store.Location(schemaKey))
	return res, nil
}

// checkTableKeys fails an export whose table settings can never be written: a format
// or a template the workflow would have refused, or table keys over S3's length.
func checkTableKeys(base string, e Export) error {
	if e.Format != "" && !slices.Contains(table.Formats, e.Format) {
		return invalid("invalid format %q: use %s", e.Format, strings.Join(table.Formats, ", "))
	}
	if !table.WantsTable(e.Format) {
		return nil
	}
	spec := tableSpec(e)
	if err := spec.Validate(); err != nil {
		return invalid("%v", err)
	}
	tmpl, _ := table.ParseTemplate(cmp.Or(spec.Path, table.DefaultTemplate))
	longest := tableKey(base, tmpl.Render(table.Vars{Provider: e.Provider, Resource: e.Spec.Resource, ExportID: e.ID}, 99_999))
	if len(longest) > maxKeyBytes {
		return invalid("the export's table keys would be up to %d bytes long, over S3's %d: shorten table_path, prefix or export_id", len(longest), maxKeyBytes)
	}
	return nil
}

// tableSpec is the export's table settings, every default where it names none.
func tableSpec(e Export) table.Spec {
	if e.Table == nil {
		return table.Spec{}
	}
	return *e.Table
}

// tableKey is where a table file lives: its path is a checked template's, inside the
// export's table folder.
func tableKey(base, p string) string { return base + "/" + tableDir + "/" + p }

// tablePages are the export's page objects in table order: partitions by id, pages by
// number.
func (a *Activities) tablePages(in TablesInput) []table.Page {
	parts := slices.Clone(in.Partitions)
	slices.SortFunc(parts, func(x, y Partition) int { return cmp.Compare(x.ID, y.ID) })
	var pages []table.Page
	for _, p := range parts {
		for seq := 1; seq <= p.Pages; seq++ {
			key := PageKey(in.Base, p.ID, seq)
			pages = append(pages, table.Page{Name: strings.TrimPrefix(key, in.Base+"/"),
				Open: func(ctx context.Context) (io.ReadCloser, error) { return a.Store.Open(ctx, key) }})
		}
	}
	return pages
}

// inferSchema reads every page once for the schema, seeded by the series' previous one,
// and checks what it read against the workflow's counts.
func (a *Activities) inferSchema(ctx context.Context, in TablesInput, pages []table.Page, spec table.Spec) (*table.Schema, error) {
	seed := a.previousSchema(ctx, in.Export)
	schema, counts, err := table.Infer(ctx, pages, seed, nil, spec.Raw, func(read int) {
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, tablesProgress{})
		}
	})
	if err != nil {
		return nil, tableError(in.Base, err)
	}
	parts := slices.Clone(in.Partitions)
	slices.SortFunc(parts, func(x, y Partition) int { return cmp.Compare(x.ID, y.ID) })
	var p problems
	i := 0
	for _, part := range parts {
		var records, bytes int64
		for range part.Pages {
			records += int64(counts[i].Records)
			bytes += counts[i].Bytes
			i++
		}
		if records != part.Records || bytes != part.Bytes {
			p.add("partition %d's pages hold %d records in %d bytes; the export recorded %d in %d", part.ID, records, bytes, part.Records, part.Bytes)
		}
	}
	if err := p.err(); err != nil {
		return nil, verificationFailed(in.Base, err)
	}
	return schema, nil
}

// resumedSchema is the schema an earlier attempt wrote, if its checksum is the one the
// attempt's heartbeat names; nil otherwise, to start over.
func (a *Activities) resumedSchema(ctx context.Context, key, sum string) (*table.Schema, error) {
	if sum == "" {
		return nil, nil
	}
	body, err := a.Store.Get(ctx, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, storageError(err)
	case sha256Hex(body) != sum:
		return nil, nil
	}
	s, err := table.ParseSchema(body)
	if err != nil {
		return nil, nil
	}
	return s, nil
}

// previousSchema is the schema of the series' latest successful export, which its
// watermark names: this run's table keeps its columns. Without one, or if it cannot be
// read, the schema starts empty.
func (a *Activities) previousSchema(ctx context.Context, e Export) *table.Schema {
	w, found, err := a.loadWatermark(ctx, e)
	if err != nil || !found || w.Schema == "" {
		return nil
	}
	series := path.Join(a.Prefix, e.Prefix) + "/"
	if !strings.HasPrefix(w.Schema, series) || !strings.HasSuffix(w.Schema, "/"+schemaName) {
		a.logger().WarnContext(ctx, "watermark names a schema outside its series; starting the schema afresh",
			"export_id", e.ID, "watermark", a.Store.Location(a.watermarkKey(e)))
		return nil
	}
	body, err := a.Store.Get(ctx, w.Schema)
	if err == nil {
		var s *table.Schema
		if s, err = table.ParseSchema(body); err == nil {
			return s
		}
	}
	a.logger().WarnContext(ctx, "previous export's schema could not be read; starting the schema afresh",
		"export_id", e.ID, "schema", a.Store.Location(w.Schema), "error", err)
	return nil
}

// tableError is a page the table could not read as a verification failure (pages that
// are not what was written); anything else (the store) is retried.
func tableError(base string, err error) error {
	if errors.Is(err, table.ErrPage) {
		return verificationFailed(base, err)
	}
	return storageError(err)
}

func recordsOf(parts []Partition) int64 {
	var n int64
	for _, p := range parts {
		n += p.Records
	}
	return n
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
