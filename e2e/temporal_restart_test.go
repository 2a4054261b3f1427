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

// TestTemporalServerRestartMidExport SIGKILLs the Temporal server in the middle of an
// export and starts it again on the same database file. The worker keeps running; the
// export carries on from where the server's history says it was and completes exactly.
func TestTemporalServerRestartMidExport(t *testing.T) {
	const total = 15_000
	srv, c := dedicatedTemporal(t)
	// Latency keeps the export running long enough to be caught in the middle.
	sb, url := serveSandbox(t, sandbox.Options{Records: total, Seed: 4, Latency: 10 * time.Millisecond})
	queue := "e2e-temporal-restart"
	w := startWorker(t, workerEnv(queue, url, "TEMPORAL_ADDRESS="+srv.Addr))
	in := workflows.ExportInput{ExportID: "temporal-restart", Provider: "clio", Resource: "contacts", PageSize: 100,
		HeartbeatSeconds: 2, PagesPerRun: 40}
	ctx := context.Background()
	run, err := exportclient.Start(ctx, c, queue, in)
	if err != nil {
		t.Fatal(err)
	}
	var at int64
	eventually(t, 2*time.Minute, "progress past 30 %", func() bool {
		at = recordsOn(c, in.ExportID)
		return at >= total*3/10
	})
	if at >= total {
		t.Fatalf("the export had finished (%d records) before the server was killed", at)
	}
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := srv.Restart(rctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("server killed and restarted at %d of %d records", at, total)

	res, err := waitResult(t, c, in.ExportID, 5*time.Minute)
	if err != nil {
		t.Fatalf("export failed after the restart: %v\n%s", err, tail(w.output(), 30))
	}
	m, recs := readBack(t, res.ManifestKey)
	assertExactly(t, sb, "clio", "contacts", recs)
	if m.Records != total || res.Records != total {
		t.Fatalf("manifest says %d records, result %d, want %d", m.Records, res.Records, total)
	}
	// Resumed, not started over: the first run outlived the crash, and Prepare (which
	// clears the folder) ran once in the whole chain.
	if _, err := c.DescribeWorkflowExecution(ctx, in.ExportID, run.GetRunID()); err != nil {
		t.Fatalf("first run lost across the restart: %v", err)
	}
	if n := strings.Count(w.output(), `"msg":"export prepared"`); n != 1 {
		t.Fatalf("export prepared %d times; a resumed export prepares once", n)
	}
}
