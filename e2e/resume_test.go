package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestResumeAfterEveryWayAnExportStops: an export cancelled, failed (the API broke its
// contract, then mended it) or terminated is resumed with worker SIGKILLs during the
// resumed run. The output is exactly the dataset, the manifest says it was resumed, and
// the sandbox served the resumed run no record of a page the stopped run had recorded.
func TestResumeAfterEveryWayAnExportStops(t *testing.T) {
	cases := []struct {
		how                string
		provider, resource string
		parallelism        int
		stop               func(t *testing.T, sb *sandbox.Server, id string)
		mend               func(sb *sandbox.Server)
	}{
		{"cancelled", "clio", "contacts", 1, func(t *testing.T, _ *sandbox.Server, id string) {
			if err := stack.client.CancelWorkflow(context.Background(), id, ""); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"failed", "close", "lead", 4, func(_ *testing.T, sb *sandbox.Server, _ string) {
			sb.Break("close", sandbox.ContractRepeatCursor)
		}, func(sb *sandbox.Server) { sb.Break("close") }},
		{"terminated", "clio", "contacts", 1, func(t *testing.T, _ *sandbox.Server, id string) {
			if err := stack.client.TerminateWorkflow(context.Background(), id, "", "an operator's mistake"); err != nil {
				t.Fatal(err)
			}
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.how, func(t *testing.T) {
			t.Parallel() // each has its own sandbox, worker and queue
			const total = 20_000
			// 200 pages of 50 ms: a serial export's 2 s tasks hold about 40, so the stop lands
			// with more than half the export to go.
			sb, url := serveSandbox(t, sandbox.Options{Records: total, Seed: 15, Latency: 50 * time.Millisecond, LogServed: true})
			queue := "e2e-resume-" + c.how
			w := startWorker(t, workerEnv(queue, url))
			in := workflows.ExportInput{ExportID: "resume-" + c.how, Provider: c.provider, Resource: c.resource,
				PageSize: 100, Parallelism: c.parallelism, HeartbeatSeconds: 2}
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
			defer cancel()
			run, err := exportclient.Start(ctx, stack.client, queue, in)
			if err != nil {
				t.Fatal(err)
			}
			eventually(t, 3*time.Minute, "3,000 records", func() bool { return records(in.ExportID) >= 3000 })
			c.stop(t, sb, in.ExportID)
			if err := run.Get(ctx, nil); err == nil {
				t.Fatalf("the %s export completed before it could be stopped", c.how)
			}
			assertStatus(t, in.ExportID, run.GetRunID(), c.how)
			kept := recordedIDs(t, in.ExportID, run.GetRunID(), c.provider)
			if len(kept) == 0 || len(kept) >= total {
				t.Fatalf("the stopped run recorded %d of %d records", len(kept), total)
			}
			if c.mend != nil {
				c.mend(sb)
			}
			w.killAndRestart() // workers redeployed between the stop and the resume
			served := len(sb.ServedPages(c.provider))

			resumed, err := exportclient.Resume(ctx, stack.client, queue, in.ExportID)
			if err != nil {
				t.Fatal(err)
			}
			rest := int64(total - len(kept))
			for _, at := range []int64{int64(len(kept)) + rest/4, int64(len(kept)) + rest/2} {
				eventually(t, 3*time.Minute, "the resumed run to pass a kill point", func() bool { return records(in.ExportID) >= at })
				w.killAndRestart()
			}
			var res workflows.ExportResult
			if err := resumed.Get(ctx, &res); err != nil {
				t.Fatalf("resumed export failed: %v\n%s", err, tail(w.output(), 30))
			}
			m, recs := readBack(t, res.ManifestKey)
			assertExactly(t, sb, c.provider, c.resource, recs)
			if m.Resumed == nil || m.Resumed.FromRunID != run.GetRunID() || m.Resumed.RecordsKept != int64(len(kept)) {
				t.Fatalf("manifest resumed %+v; want from run %s keeping %d records", m.Resumed, run.GetRunID(), len(kept))
			}
			for _, page := range sb.ServedPages(c.provider)[served:] {
				if len(page) == 1 {
					continue // the provider's count, asked with a page of one (limit=1)
				}
				for _, id := range page {
					if kept[id] {
						t.Fatalf("the resumed run fetched %s again: the stopped run had written and recorded it", id)
					}
				}
			}
		})
	}
}

func assertStatus(t *testing.T, workflowID, runID, how string) {
	t.Helper()
	want := map[string]enumspb.WorkflowExecutionStatus{"cancelled": enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED,
		"failed": enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, "terminated": enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED}[how]
	desc, err := stack.client.DescribeWorkflowExecution(context.Background(), workflowID, runID)
	if err != nil || desc.GetWorkflowExecutionInfo().GetStatus() != want {
		t.Fatalf("run status %v (%v), want %v", desc.GetWorkflowExecutionInfo().GetStatus(), err, want)
	}
}

// recordedIDs is every record id in the pages the stopped run recorded, as its state query
// (replaying its history) reports them, read back from the bucket.
func recordedIDs(t *testing.T, workflowID, runID, prov string) map[string]bool {
	t.Helper()
	val, err := stack.client.QueryWorkflow(context.Background(), workflowID, runID, workflows.QueryState)
	if err != nil {
		t.Fatal(err)
	}
	var st workflows.State
	if err := val.Get(&st); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, p := range st.Partitions {
		for seq := 1; seq <= p.Pages; seq++ {
			for _, id := range pageIDs(t, prov, activities.PageKey(st.Base, p.ID, seq)) {
				ids[id] = true
			}
		}
	}
	return ids
}

func pageIDs(t *testing.T, prov, key string) []string {
	t.Helper()
	body, err := stack.store.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	sb := sandbox.New(sandbox.Options{Records: -1})
	for sc.Scan() {
		ids = append(ids, sb.IDOf(prov, sc.Bytes()))
	}
	return ids
}

// TestRevokedTokenWaitsForItsReturn: a token revoked mid-export puts the export on hold
// (waiting_for_credentials, the gauge at 1); written back into the worker's token file it
// is picked up without a restart and the export completes exactly.
func TestRevokedTokenWaitsForItsReturn(t *testing.T) {
	// 200 pages of 50 ms: a serial export's 2 s tasks hold about 40, and a query may wait
	// for the task after the one it arrived in, so the token is revoked with pages to go.
	sb, url := serveSandbox(t, sandbox.Options{Records: 20_000, Seed: 16, Latency: 50 * time.Millisecond})
	file := filepath.Join(t.TempDir(), "clio-token")
	writeToken(t, file, sandbox.DefaultToken("clio"))
	var env []string
	for _, kv := range workerEnv("e2e-token", url, "CLIO_TOKEN_FILE="+file) {
		if !strings.HasPrefix(kv, "CLIO_TOKEN=") {
			env = append(env, kv)
		}
	}
	w := startWorker(t, env)
	pid := w.pid()
	in := workflows.ExportInput{ExportID: "token-revoked", Provider: "clio", Resource: "contacts", PageSize: 100}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run, err := exportclient.Start(ctx, stack.client, "e2e-token", in)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Minute, "1,000 records", func() bool { return records(in.ExportID) >= 1000 })
	sb.SetToken("clio", "rotated-token")
	var p workflows.Progress
	eventually(t, 2*time.Minute, "the export to wait for its credential", func() bool {
		p, err = exportclient.Query(ctx, stack.client, in.ExportID)
		return err == nil && p.Phase == workflows.PhaseWaitingForCredentials
	})
	if !strings.Contains(p.LastError, "401") || p.LastErrorAt.IsZero() {
		t.Fatalf("progress while waiting: %+v", p)
	}
	fams := scrapeMetrics(t, "http://"+endpointAddr(t, w)+"/metrics")
	if g := gaugeOf(fams, "pagewise_waiting_for_credentials", map[string]string{"provider": "clio", "resource": "contacts"}); g != 1 {
		t.Errorf("pagewise_waiting_for_credentials is %v while waiting", g)
	}
	if n := strings.Count(w.output(), "export waiting for the credential"); n != 1 {
		t.Errorf("%d log lines say the export waits for its credential, want one", n)
	}
	writeToken(t, file, "rotated-token")
	var res workflows.ExportResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("export failed: %v\n%s", err, tail(w.output(), 20))
	}
	_, recs := readBack(t, res.ManifestKey)
	assertExactly(t, sb, "clio", "contacts", recs)
	if w.pid() != pid {
		t.Fatal("the worker was restarted")
	}
	assertNoSecrets(t, in.ExportID, w.output())
}

// writeToken swaps the file in whole, as a Kubernetes Secret volume does.
func writeToken(t *testing.T, file, token string) {
	t.Helper()
	tmp := file + ".new"
	if err := os.WriteFile(tmp, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
}

// gaugeOf is the value of the gauge series with these labels, -1 without one.
func gaugeOf(fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	if s := series(fams, name, labels); len(s) > 0 {
		return s[0].GetGauge().GetValue()
	}
	return -1
}

// TestResetBeforeTheFailureKeepsEarlierPages: a run failed by a non-retryable error is reset
// with the Temporal CLI to the workflow task that recorded the failure; the new run keeps the
// pages recorded before it and completes exactly.
func TestResetBeforeTheFailureKeepsEarlierPages(t *testing.T) {
	sb, url := serveSandbox(t, sandbox.Options{Records: 10_000, Seed: 17, Latency: 50 * time.Millisecond, LogServed: true})
	queue := "e2e-reset"
	w := startWorker(t, workerEnv(queue, url))
	in := workflows.ExportInput{ExportID: "reset-before", Provider: "clio", Resource: "contacts", PageSize: 100}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run, err := exportclient.Start(ctx, stack.client, queue, in)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Minute, "2,000 records", func() bool { return records(in.ExportID) >= 2000 })
	sb.Break("clio", sandbox.ContractRepeatCursor)
	if err := run.Get(ctx, nil); err == nil {
		t.Fatal("the export did not fail")
	}
	sb.Break("clio")
	before := len(sb.ServedPages("clio"))
	event := taskBeforeFailure(t, in.ExportID, run.GetRunID())
	newShell(t).run(fmt.Sprintf("temporal workflow reset --workflow-id %s --event-id %d --reason 'API fixed'", in.ExportID, event))
	var res workflows.ExportResult
	eventually(t, 3*time.Minute, "the reset run", func() bool {
		desc, err := stack.client.DescribeWorkflowExecution(ctx, in.ExportID, "")
		return err == nil && desc.GetWorkflowExecutionInfo().GetExecution().GetRunId() != run.GetRunID()
	})
	if err := stack.client.GetWorkflow(ctx, in.ExportID, "").Get(ctx, &res); err != nil {
		t.Fatalf("reset run failed: %v\n%s", err, tail(w.output(), 20))
	}
	_, recs := readBack(t, res.ManifestKey)
	assertExactly(t, sb, "clio", "contacts", recs)
	again := 0
	for _, page := range sb.ServedPages("clio")[before:] {
		again += len(page)
	}
	if again >= 10_000 {
		t.Fatalf("the reset run fetched %d records: it started over instead of keeping the pages before the failure", again)
	}
}

// taskBeforeFailure is the WorkflowTaskCompleted event that recorded the run's first failed
// page (a failed local-activity marker, or the task that scheduled a failed activity).
func taskBeforeFailure(t *testing.T, workflowID, runID string) int64 {
	t.Helper()
	it := stack.client.GetWorkflowHistory(context.Background(), workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var lastTask int64
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			lastTask = ev.GetEventId()
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			if ev.GetMarkerRecordedEventAttributes().GetFailure() != nil {
				return lastTask
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
			return lastTask
		}
	}
	t.Fatal("no failed page in the history")
	return 0
}
