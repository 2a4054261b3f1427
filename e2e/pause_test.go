package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestPauseHoldsPagesUntilResume signals pause to a running export: the page in flight
// finishes, then no page is requested and the count stands still, with the progress
// query saying paused; after resume the export completes with exactly the dataset.
func TestPauseHoldsPagesUntilResume(t *testing.T) {
	const total = 3000
	// Pages slow enough that the export lasts several of the serial path's 2 s workflow
	// tasks, after which progress and signals are taken in.
	sb, url := serveSandbox(t, sandbox.Options{Records: total, Seed: 41, Latency: 100 * time.Millisecond})
	queue := "e2e-pause"
	w := startWorker(t, workerEnv(queue, url))
	in := workflows.ExportInput{ExportID: "paused", Provider: "clio", Resource: "contacts", PageSize: 50}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run, err := exportclient.Start(ctx, stack.client, queue, in)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Minute, "six pages exported", func() bool { return records(in.ExportID) >= 300 })
	if err := stack.client.SignalWorkflow(ctx, in.ExportID, "", workflows.SignalPause, nil); err != nil {
		t.Fatal(err)
	}
	var at workflows.Progress
	eventually(t, time.Minute, "paused with no page in flight", func() bool {
		// Idle: the pause took effect, pages fetched ahead (local, so not pending) included.
		p, err := exportclient.Query(ctx, stack.client, in.ExportID)
		if err != nil || !p.Paused || !p.Idle {
			return false
		}
		d, err := stack.client.DescribeWorkflowExecution(ctx, in.ExportID, "")
		if err != nil || len(d.PendingActivities) > 0 {
			return false
		}
		// Paused before the last page ended: nothing moves from here, so read the count now.
		at, err = exportclient.Query(ctx, stack.client, in.ExportID)
		return err == nil
	})
	if at.Records >= total || at.Phase != workflows.PhaseExporting {
		t.Fatalf("paused at %d records in phase %s: the export was over before the pause", at.Records, at.Phase)
	}
	requests := sb.Stats().Providers["clio"].Requests
	// A page takes about 100 ms here: two seconds is twenty pages' time.
	holds(t, 2*time.Second, "a paused export to stay still", func() bool {
		p, err := exportclient.Query(ctx, stack.client, in.ExportID)
		if err != nil || !p.Paused || p.Records != at.Records || sb.Stats().Providers["clio"].Requests != requests {
			t.Logf("paused at %d records and %d requests, now paused %v, %d records, %d requests (%v)",
				at.Records, requests, p.Paused, p.Records, sb.Stats().Providers["clio"].Requests, err)
			return false
		}
		return true
	})

	if err := stack.client.SignalWorkflow(ctx, in.ExportID, "", workflows.SignalResume, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "pages to advance after resume", func() bool {
		p, err := exportclient.Query(ctx, stack.client, in.ExportID)
		return err == nil && !p.Paused && p.Records > at.Records
	})
	var res workflows.ExportResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("resumed export failed: %v\n%s", err, tail(w.output(), 20))
	}
	_, recs := readBack(t, res.ManifestKey)
	assertExactly(t, sb, "clio", "contacts", recs)
	if res.Records != total {
		t.Fatalf("result says %d records, dataset %d", res.Records, total)
	}
}

// holds polls cond for the whole of d and fails the moment it does not hold: the
// counterpart of eventually for something that must not happen.
func holds(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(end) {
		if !cond() {
			t.Fatalf("%s: it did not", what)
		}
		<-tick.C
	}
}
