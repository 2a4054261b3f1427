package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// outage is how long the S3 server stays away: the scenario's length, not a wait for
// anything to happen.
const outage = 30 * time.Second

// TestStorageOutageMidExport crashes the export's S3 server in the middle of an export,
// keeps it down for 30 s and starts it again on the same port and folder. The pages that
// failed meanwhile are retried; the export completes exactly.
func TestStorageOutageMidExport(t *testing.T) {
	const total = 10_000
	s3srv, store := dedicatedS3(t)
	// Pages slow enough that the export lasts several of the serial path's 2 s workflow
	// tasks, after which progress and signals are taken in.
	sb, url := serveSandbox(t, sandbox.Options{Records: total, Seed: 6, Latency: 50 * time.Millisecond})
	queue := "e2e-storage-outage"
	w := startWorker(t, workerEnv(queue, url, "PAGEWISE_S3_ENDPOINT="+s3srv.Endpoint,
		"AWS_ACCESS_KEY_ID="+s3srv.AccessKey, "AWS_SECRET_ACCESS_KEY="+s3srv.SecretKey))
	in := workflows.ExportInput{ExportID: "storage-outage", Provider: "clio", Resource: "contacts", PageSize: 100, HeartbeatSeconds: 5}
	ctx := context.Background()
	if _, err := exportclient.Start(ctx, stack.client, queue, in); err != nil {
		t.Fatal(err)
	}
	var at int64
	eventually(t, 2*time.Minute, "progress past 30 %", func() bool {
		at = records(in.ExportID)
		return at >= total*3/10
	})
	if at >= total {
		t.Fatalf("the export had finished (%d records) before the outage", at)
	}
	if err := s3srv.Kill(); err != nil {
		t.Fatal(err)
	}
	<-time.After(outage)
	during := w.output()
	stalled := records(in.ExportID)
	rctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := s3srv.Restart(rctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("S3 down for %v from %d records; %d records when it came back", outage, at, stalled)

	// The outage was hit: pages failed on storage and the export did not get far without it.
	failures := storageFailures(during)
	if failures == 0 {
		t.Fatalf("the worker logged no storage failure during the outage:\n%s", tail(during, 20))
	}
	if stalled >= total {
		t.Fatalf("the export finished during the outage")
	}

	res, err := runResult(t, in.ExportID, 5*time.Minute)
	if err != nil {
		t.Fatalf("export failed after the outage: %v\n%s", err, tail(w.output(), 30))
	}
	m, recs := readBackFrom(t, store, res.ManifestKey)
	assertExactly(t, sb, "clio", "contacts", recs)
	if m.Records != total {
		t.Fatalf("manifest says %d records, want %d", m.Records, total)
	}
	t.Logf("%d page attempts failed on storage during the outage", failures)
}

// storageFailures counts page attempts the worker logged as failed on the bucket.
func storageFailures(logs string) int {
	n := 0
	for line := range strings.SplitSeq(logs, "\n") {
		if strings.Contains(line, `"msg":"page failed"`) && strings.Contains(line, "StorageError") {
			n++
		}
	}
	return n
}

// runResult waits for an export on the shared server to close.
func runResult(t *testing.T, workflowID string, timeout time.Duration) (workflows.ExportResult, error) {
	t.Helper()
	return waitResult(t, stack.client, workflowID, timeout)
}
