package config

import (
	"os"
	"strings"
	"testing"
)

func TestReadmeDocumentsEveryVariable(t *testing.T) {
	table, err := MarkdownTable()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table, "`PAGEWISE_TASK_QUEUE`") || !strings.Contains(table, "`CLOSE_API_KEY`") || !strings.Contains(table, "`PAGEWISE_S3_BUCKET`") {
		t.Fatalf("generated table misses core variables:\n%s", table)
	}
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	if !strings.Contains(readme, table) {
		t.Fatalf("README's configuration table is out of date; replace it with:\n\n%s", table)
	}
	// The Temporal connection's variables are the SDK's, documented by hand.
	for _, v := range append(TemporalVariables(), "TEMPORAL_GRPC_META_", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL") {
		if !strings.Contains(readme, "`"+v) {
			t.Errorf("README does not document %s", v)
		}
	}
}

func TestLoadWorkerDefaultsAndErrors(t *testing.T) {
	isolate(t)
	for _, k := range []string{"PAGEWISE_GZIP_LEVEL", "PAGEWISE_TASK_QUEUE", "PAGEWISE_S3_BUCKET", "PAGEWISE_S3_PATH_STYLE", "PAGEWISE_HTTP_ADDR"} {
		unset(t, k)
	}
	w, err := LoadWorker()
	if err != nil {
		t.Fatal(err)
	}
	if w.Address != DefaultAddress || w.Namespace != "default" || w.TaskQueue != "exports" || w.S3.Bucket != "pagewise" || !w.S3.PathStyle {
		t.Fatalf("defaults = %+v", w)
	}
	if w.HTTPAddr != "127.0.0.1:9090" {
		t.Fatalf("PAGEWISE_HTTP_ADDR default %q: servers listen on loopback unless told", w.HTTPAddr)
	}
	t.Setenv("PAGEWISE_HTTP_ADDR", "") // set but empty turns the endpoint off
	if w, err := LoadWorker(); err != nil || w.HTTPAddr != "" {
		t.Fatalf("empty PAGEWISE_HTTP_ADDR gave %q, %v", w.HTTPAddr, err)
	}
	t.Setenv("PAGEWISE_GZIP_LEVEL", "11")
	if _, err := LoadWorker(); err == nil || !strings.Contains(err.Error(), "PAGEWISE_GZIP_LEVEL") {
		t.Fatalf("err = %v, want one naming PAGEWISE_GZIP_LEVEL", err)
	}
}

// TestExportCeilings: the ceilings default far above any account, are settable, and must
// be positive.
func TestExportCeilings(t *testing.T) {
	isolate(t)
	unset(t, "PAGEWISE_MAX_EXPORT_PAGES")
	unset(t, "PAGEWISE_MAX_EXPORT_RECORDS")
	w, err := LoadWorker()
	if err != nil || w.MaxExportPages != 100_000_000 || w.MaxExportRecords != 1_000_000_000 {
		t.Fatalf("defaults %d pages, %d records (%v)", w.MaxExportPages, w.MaxExportRecords, err)
	}
	t.Setenv("PAGEWISE_MAX_EXPORT_PAGES", "30")
	if w, err := LoadWorker(); err != nil || w.MaxExportPages != 30 {
		t.Fatalf("PAGEWISE_MAX_EXPORT_PAGES=30 gave %d (%v)", w.MaxExportPages, err)
	}
	t.Setenv("PAGEWISE_MAX_EXPORT_RECORDS", "0")
	if _, err := LoadWorker(); err == nil || !strings.Contains(err.Error(), "PAGEWISE_MAX_EXPORT_RECORDS") {
		t.Fatalf("a ceiling of 0 gave %v, want an error naming it", err)
	}
}

// isolate unsets every Temporal variable and points TEMPORAL_CONFIG_FILE at a file that
// does not exist, so the developer's own temporal.toml stays out of the test.
func isolate(t *testing.T) {
	t.Helper()
	for _, k := range TemporalVariables() {
		unset(t, k)
	}
	t.Setenv("TEMPORAL_CONFIG_FILE", t.TempDir()+"/none.toml")
}

// unset removes k for the test; t.Setenv restores it afterwards.
func unset(t *testing.T, k string) {
	t.Helper()
	t.Setenv(k, "")
	_ = os.Unsetenv(k)
}
