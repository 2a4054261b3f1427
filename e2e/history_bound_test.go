package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// maxRunEvents is the bound the issue sets; Temporal itself warns at 10,240.
const maxRunEvents = 10_000

// TestHistoryStaysBounded exports with the default run bound (workflows.RunEvents) and
// follows the chain of runs: each run's history stays under 10,000 events, and the export
// still holds every record exactly once. Four partitions of Close leads page on the page
// queue, about six events a page, so the 1,000 pages CI exports (100,000 records) need two
// runs; PAGEWISE_LONG=1 exports 1,000,000 (10,000 pages, a few minutes).
func TestHistoryStaysBounded(t *testing.T) {
	total, minRuns := 100_000, 2
	if os.Getenv("PAGEWISE_LONG") == "1" {
		total, minRuns = 1_000_000, 10
	}
	sb, url := serveSandbox(t, sandbox.Options{Records: total, Seed: 12})
	queue := "e2e-history-bound"
	w := startWorker(t, workerEnv(queue, url))
	in := workflows.ExportInput{ExportID: "history-bound", Provider: "close", Resource: "lead", PageSize: 100,
		Strategy: "window", Parallelism: 4}
	ctx := context.Background()
	run, err := exportclient.Start(ctx, stack.client, queue, in)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Minute)
	defer cancel()
	var res workflows.ExportResult
	if err := stack.client.GetWorkflow(wctx, in.ExportID, "").Get(wctx, &res); err != nil {
		t.Fatalf("export failed: %v\n%s", err, tail(w.output(), 30))
	}

	runs, longest := 0, int64(0)
	for runID := run.GetRunID(); runID != ""; runs++ {
		desc, err := stack.client.DescribeWorkflowExecution(ctx, in.ExportID, runID)
		if err != nil {
			t.Fatal(err)
		}
		info := desc.GetWorkflowExecutionInfo()
		if n := info.GetHistoryLength(); n > maxRunEvents {
			t.Errorf("run %d (%s) has %d history events, over %d", runs+1, runID, n, maxRunEvents)
		} else {
			longest = max(longest, n)
		}
		runID = ""
		switch info.GetStatus() {
		case enums.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
			runID = nextRun(t, in.ExportID, info.GetExecution().GetRunId())
		case enums.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		default:
			t.Fatalf("run %d ended %v", runs+1, info.GetStatus())
		}
	}
	t.Logf("%d records in %d runs; the longest history has %d events", total, runs, longest)
	if runs < minRuns || runs != res.Runs {
		t.Fatalf("followed %d runs, result says %d; %d pages on the page queue need at least %d", runs, res.Runs, total/100, minRuns)
	}
	m, ids := readBackIDs(t, sb, "close", res.ManifestKey)
	if m.Records != int64(total) {
		t.Fatalf("manifest says %d records, want %d", m.Records, total)
	}
	assertIDs(t, url, "close", "lead", ids)
}

// nextRun is the run a continued-as-new run handed over to.
func nextRun(t *testing.T, workflowID, runID string) string {
	t.Helper()
	it := stack.client.GetWorkflowHistory(context.Background(), workflowID, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if next := ev.GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId(); next != "" {
			return next
		}
	}
	t.Fatalf("run %s continued as new, but its close event names no next run", runID)
	return ""
}

// readBackIDs is readBack for large exports: it checks every object against the manifest
// but keeps only each record's id and how often it was seen.
func readBackIDs(t *testing.T, sb *sandbox.Server, prov, manifestKey string) (activities.Manifest, map[string]int) {
	t.Helper()
	ctx := context.Background()
	body, err := stack.store.Get(ctx, manifestKey)
	if err != nil {
		t.Fatal(err)
	}
	var m activities.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	ids := make(map[string]int, m.Records)
	for _, o := range m.Objects {
		obj, err := stack.store.Get(ctx, o.Key)
		if err != nil {
			t.Fatalf("manifest lists %s: %v", o.Key, err)
		}
		if int64(len(obj)) != o.Bytes {
			t.Fatalf("%s: %d bytes, manifest says %d", o.Key, len(obj), o.Bytes)
		}
		recs := decodePage(t, o.Key, obj)
		if len(recs) != o.Records {
			t.Fatalf("%s holds %d records, manifest says %d", o.Key, len(recs), o.Records)
		}
		for _, r := range recs {
			ids[sb.IDOf(prov, r)]++
		}
	}
	return m, ids
}

// assertIDs compares stored ids with the sandbox's own list, streamed from its admin
// endpoint rather than rendered as records.
func assertIDs(t *testing.T, url, prov, resource string, got map[string]int) {
	t.Helper()
	resp, err := http.Get(url + "/_sandbox/ids?provider=" + prov + "&resource=" + resource)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	sc := bufio.NewScanner(resp.Body)
	want := 0
	var missing, dups []string
	for sc.Scan() {
		want++
		switch id := sc.Text(); got[id] {
		case 0:
			missing = append(missing, id)
		case 1:
		default:
			dups = append(dups, id)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(missing)+len(dups) > 0 || len(got) != want {
		t.Fatalf("%s/%s: %d distinct ids stored for a dataset of %d: %d missing %v, %d duplicated %v",
			prov, resource, len(got), want, len(missing), head(missing), len(dups), head(dups))
	}
}
