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
	if !strings.Contains(table, "`TEMPORAL_ADDRESS`") || !strings.Contains(table, "`CLOSE_API_KEY`") || !strings.Contains(table, "`PAGEWISE_S3_BUCKET`") {
		t.Fatalf("generated table misses core variables:\n%s", table)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), table) {
		t.Fatalf("README's configuration table is out of date; replace it with:\n\n%s", table)
	}
}

func TestLoadWorkerDefaultsAndErrors(t *testing.T) {
	for _, k := range []string{"PAGEWISE_GZIP_LEVEL", "TEMPORAL_ADDRESS", "PAGEWISE_TASK_QUEUE", "PAGEWISE_S3_BUCKET", "PAGEWISE_S3_PATH_STYLE", "PAGEWISE_HTTP_ADDR"} {
		t.Setenv(k, "") // restored after the test
		_ = os.Unsetenv(k)
	}
	w, err := LoadWorker()
	if err != nil {
		t.Fatal(err)
	}
	if w.Address != "127.0.0.1:7233" || w.TaskQueue != "exports" || w.S3.Bucket != "pagewise" || !w.S3.PathStyle {
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

func TestTLSNeedsCertAndKeyTogether(t *testing.T) {
	_, err := Temporal{TLSCert: "c.pem"}.ClientOptions(Log{}.Logger(os.Stderr))
	if err == nil || !strings.Contains(err.Error(), "TEMPORAL_TLS_KEY") {
		t.Fatalf("err = %v", err)
	}
}
