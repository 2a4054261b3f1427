package workflows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/table"
)

// manifestOf reads the export's manifest.
func (h *harness) manifestOf(t *testing.T, key string) activities.Manifest {
	t.Helper()
	body, err := h.store.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	var m activities.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// tableIDs reads every table file the manifest lists with parquet-go and returns the ids.
func (h *harness) tableIDs(t *testing.T, m activities.Manifest) []int {
	t.Helper()
	var ids []int
	for _, f := range m.Table.Files {
		body, err := h.store.Get(context.Background(), f.Key)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(body)) != f.Bytes {
			t.Fatalf("%s is %d bytes, manifest says %d", f.Key, len(body), f.Bytes)
		}
		pf, err := parquet.OpenFile(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		r := parquet.NewGenericReader[struct {
			ID   int64  `parquet:"id"`
			Page string `parquet:"_pagewise_page"`
		}](pf)
		rows := make([]struct {
			ID   int64  `parquet:"id"`
			Page string `parquet:"_pagewise_page"`
		}, pf.NumRows())
		if _, err := r.Read(rows); err != nil && !errors.Is(err, io.EOF) {
			t.Fatal(err)
		}
		for _, row := range rows {
			if !strings.HasPrefix(row.Page, "data/part-") {
				t.Fatalf("row %d names page %q", row.ID, row.Page)
			}
			ids = append(ids, int(row.ID))
		}
	}
	return ids
}

// TestParquetExportListsItsTable: a parallel export in format both ends with its pages
// and its table files, each record a row once, listed with the schema in the manifest,
// which Verify accepts; the watermark names the schema for the next run.
func TestParquetExportListsItsTable(t *testing.T) {
	h := newHarness(t, 350)
	in := input()
	in.Format, in.Parallelism, in.TablePath = table.FormatBoth, 4, "dt={yyyy}-{mm}-{dd}/{resource}-{part}.parquet"
	h.env.ExecuteWorkflow(Export, in)
	var res ExportResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	m := h.manifestOf(t, res.ManifestKey)
	if m.Table == nil || res.TableFiles != 1 || m.Table.Rows != 350 || len(m.Table.Files) != 1 {
		t.Fatalf("result %+v, manifest table %+v", res, m.Table)
	}
	if len(partitionsIn(m)) < 2 {
		t.Fatalf("the export was not parallel: %v", partitionsIn(m))
	}
	if f := m.Table.Files[0].Key; !strings.HasPrefix(f, "fake/items/t1/table/dt=") || !strings.HasSuffix(f, "/items-00000.parquet") {
		t.Errorf("table file at %s", f)
	}
	ids := h.tableIDs(t, m)
	slices.Sort(ids)
	if len(ids) != 350 || ids[0] != 1 || ids[349] != 350 || len(slices.Compact(ids)) != 350 {
		t.Fatalf("table holds %d ids, want 1..350 once each", len(ids))
	}
	s, err := table.ParseSchema(m.Table.Schema)
	if err != nil || len(s.Columns) != 1 || s.Columns[0].Name != "id" || s.Columns[0].Type != table.Int64 {
		t.Fatalf("manifest schema %s (%v)", m.Table.Schema, err)
	}
	acts := &activities.Activities{Providers: fakeProviders{h.conn}, Store: h.store}
	if err := acts.Verify(context.Background(), res.ManifestKey); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	body, _ := h.store.Get(context.Background(), "fake/items/watermark.json")
	var w activities.Watermark
	if err := json.Unmarshal(body, &w); err != nil || w.Schema != "fake/items/t1/schema.json" {
		t.Fatalf("watermark %s (%v)", body, err)
	}
	// A table file gone from the bucket fails verification.
	if err := h.store.Delete(context.Background(), []string{m.Table.Files[0].Key}); err != nil {
		t.Fatal(err)
	}
	if err := acts.Verify(context.Background(), res.ManifestKey); err == nil || !strings.Contains(err.Error(), "missing from bucket") {
		t.Fatalf("Verify of a manifest whose table file is gone: %v", err)
	}
}

func partitionsIn(m activities.Manifest) map[int]bool {
	parts := map[int]bool{}
	for _, o := range m.Objects {
		parts[o.Partition] = true
	}
	return parts
}

// TestALaterExportKeepsThePreviousColumns: the next export of the prefix starts from the
// schema its watermark names, so a column only the earlier records had stays a column.
func TestALaterExportKeepsThePreviousColumns(t *testing.T) {
	first := newHarness(t, 20)
	in := input()
	in.Format = table.FormatParquet
	first.env.ExecuteWorkflow(Export, in)
	if err := first.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	// The earlier run's records had a field this run's do not.
	s, err := table.ParseSchema(must(first.store.Get(context.Background(), "fake/items/t1/schema.json")))
	if err != nil {
		t.Fatal(err)
	}
	s.Columns = append(s.Columns, &table.Column{Name: "retired", Type: table.Boolean})
	if err := first.store.Put(context.Background(), "fake/items/t1/schema.json", s.JSON(), "application/json", nil); err != nil {
		t.Fatal(err)
	}
	second := newHarnessOn(t, 20, first.store)
	in.ExportID = "t2"
	second.env.ExecuteWorkflow(Export, in)
	var res ExportResult
	if err := second.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	m := second.manifestOf(t, res.ManifestKey)
	var got []string
	for _, c := range must(table.ParseSchema(m.Table.Schema)).Columns {
		got = append(got, c.Name+":"+string(c.Type))
	}
	if strings.Join(got, ",") != "id:int64,retired:boolean" {
		t.Fatalf("second run's columns %v", got)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestFinishRefusesATableTheBucketContradicts: a table file changed after WriteTables
// wrote it fails Finish with VerificationFailed and no manifest; a stale file an earlier
// attempt left is removed.
func TestFinishRefusesATableTheBucketContradicts(t *testing.T) {
	for _, c := range []struct {
		name   string
		tamper func(h *harness, res activities.TablesResult)
		fails  bool
	}{
		{"stale file", func(h *harness, _ activities.TablesResult) {
			_ = h.store.Put(context.Background(), "fake/items/t1/table/part-00099.parquet", []byte("old"), "", nil)
		}, false},
		{"file rewritten", func(h *harness, res activities.TablesResult) {
			_ = h.store.Put(context.Background(), "fake/items/t1/table/"+res.Files[0].Path, []byte("PAR1"), "", nil)
		}, true},
		{"schema rewritten", func(h *harness, res activities.TablesResult) {
			_ = h.store.Put(context.Background(), res.Schema, []byte(`{}`), "", nil)
		}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, 30)
			h.env.SetOnActivityCompletedListener(func(info *activity.Info, result converter.EncodedValue, err error) {
				var res activities.TablesResult
				if info.ActivityType.Name == "WriteTables" && err == nil && result.Get(&res) == nil {
					c.tamper(h, res)
				}
			})
			in := input()
			in.Format = table.FormatParquet
			h.env.ExecuteWorkflow(Export, in)
			err := h.env.GetWorkflowError()
			var appErr *temporal.ApplicationError
			if !c.fails {
				if err != nil {
					t.Fatal(err)
				}
				if objs, _ := h.store.List(context.Background(), "fake/items/t1/table/"); len(objs) != 1 {
					t.Fatalf("table folder holds %v", objs)
				}
				return
			}
			if !errors.As(err, &appErr) || appErr.Type() != activities.ErrVerification {
				t.Fatalf("got %v, want VerificationFailed", err)
			}
			if _, err := h.store.Head(context.Background(), "fake/items/t1/manifest.json"); err == nil {
				t.Fatal("a manifest was published for a table the bucket contradicts")
			}
		})
	}
}

// TestTableSettingsNeedAParquetFormat: table settings without a format that writes a
// table, an unknown format, and a template that would leave the folder are refused.
func TestTableSettingsNeedAParquetFormat(t *testing.T) {
	for _, c := range []struct {
		in   func(*ExportInput)
		want string
	}{
		{func(in *ExportInput) { in.Format = "csv" }, `invalid format "csv": use jsonl, parquet, both`},
		{func(in *ExportInput) { in.TableRaw = true }, "apply to format parquet or both, not jsonl"},
		{func(in *ExportInput) { in.Format, in.TablePath = "both", "../../x/{part}.parquet" }, "invalid table_path"},
		{func(in *ExportInput) { in.Format, in.TableCompression = "parquet", "lz4" }, "invalid table_compression"},
		{func(in *ExportInput) { in.Format, in.TableFileMiB = "parquet", -1 }, "invalid table_file_mib"},
	} {
		in := input()
		c.in(&in)
		err := ValidateInput(in)
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || !appErr.NonRetryable() || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want a non-retryable error saying %q", in, err, c.want)
		}
	}
	ok := input()
	ok.Format, ok.TablePath, ok.TableCompression, ok.TableFileMiB, ok.TableRaw = "both", "{provider}/dt={yyyy}-{mm}-{dd}/{part}.parquet", "gzip", 64, true
	if err := ValidateInput(ok); err != nil {
		t.Errorf("valid table settings refused: %v", err)
	}
}

// TestAccountPassesItsFormatOn: each resource's export of an account takes the account's
// format and table settings, and the account's input is checked like an export's.
func TestAccountPassesItsFormatOn(t *testing.T) {
	in := AccountInput{Provider: "fake", All: true, Format: table.FormatBoth, TablePath: "{resource}-{part}.parquet",
		TableCompression: "gzip", TableFileMiB: 8, TableRaw: true}
	child := (&account{in: in, id: "a1", prefix: "fake"}).childInput(provider.Resource{Name: "items"})
	if child.Format != in.Format || child.TablePath != in.TablePath || child.TableCompression != "gzip" ||
		child.TableFileMiB != 8 || !child.TableRaw {
		t.Fatalf("child input %+v", child)
	}
	in.TablePath = "../{part}.parquet"
	if err := ValidateAccountInput(in); err == nil || !strings.Contains(err.Error(), "invalid table_path") {
		t.Fatalf("an account with a bad table_path: %v", err)
	}
}
