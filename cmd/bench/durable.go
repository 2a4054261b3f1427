package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/workflows"
)

// exportTimeout bounds one export; the million-record scale row takes a few minutes.
const exportTimeout = time.Hour

// spec is one measured export and the sandbox it runs against.
type spec struct {
	section                      string
	provider, resource, strategy string
	records                      int // sandbox records per resource
	pageSize, parallelism        int
	latency                      time.Duration
	budget                       float64 // sandbox requests/s per credential; 0: unlimited
	rate                         float64 // the worker's rate for provider; 0: unpaced
	gzip                         int
	format                       string // the export's format; "" is jsonl
}

// clioFields keeps the bench's Clio records the size they have always had (about 45
// bytes gzipped), so rows stay comparable across releases; Clio's default is now every
// documented field, several times larger.
var clioFields = []string{"id", "etag", "name", "type", "primary_email_address", "created_at", "updated_at"}

// fields is what the export asks for: clioFields for Clio, the provider's default else.
func (s spec) fields() []string {
	if s.provider == "clio" {
		return clioFields
	}
	return nil
}

func (s spec) export() string { return s.provider + "/" + s.resource }

func (s spec) row(path string) row {
	return row{section: s.section, export: s.export(), path: path, strategy: s.strategy,
		latency: s.latency, budget: s.budget, pageSize: s.pageSize, gzip: s.gzip}
}

// durable runs the real Export workflow on a fresh worker process polling a fresh task
// queue, then stops the worker to read its CPU time and peak RSS.
func (e *env) durable(ctx context.Context, s spec, sandboxURL string) (row, error) {
	e.rows++
	queue := fmt.Sprintf("bench-%d-%s", e.rows, s.section)
	extra := []string{fmt.Sprintf("PAGEWISE_GZIP_LEVEL=%d", s.gzip)}
	if s.rate > 0 {
		extra = append(extra, fmt.Sprintf("%s_RATE=%g", strings.ToUpper(s.provider), s.rate))
	}
	w, err := startWorker(e.workerBin, e.workerEnv(queue, sandboxURL, extra...), filepath.Join(e.dir, queue+".log"))
	if err != nil {
		return row{}, err
	}
	defer w.kill()
	if err := e.waitReady(ctx, w, queue, s.provider); err != nil {
		return row{}, err
	}

	path := "durable"
	if s.parallelism > 1 {
		path = fmt.Sprintf("durable, parallelism %d", s.parallelism)
	}
	r := s.row(path)
	in := workflows.ExportInput{ExportID: queue, Provider: s.provider, Resource: s.resource, Strategy: s.strategy,
		PageSize: s.pageSize, Parallelism: s.parallelism, Fields: s.fields(), Format: s.format}
	started := time.Now()
	res, firstRun, err := e.export(ctx, w, queue, in)
	if err != nil {
		return row{}, err
	}
	r.elapsed = time.Since(started)
	r.pages, r.records, r.bytes, r.runs = res.Pages, res.Records, res.Bytes, res.Runs
	if res.TableFiles > 0 {
		if r.tableFiles, r.tableBytes, err = e.tableOf(ctx, res.ManifestKey); err != nil {
			return row{}, err
		}
	}

	runIDs, events, err := e.history(ctx, in.ExportID, firstRun)
	if err != nil {
		return row{}, err
	}
	if len(runIDs) != res.Runs {
		progress("  warning: followed %d runs, the result says %d", len(runIDs), res.Runs)
	}
	r.maxEvents = events
	if r.phases, err = e.phases(ctx, in.ExportID, runIDs); err != nil {
		return row{}, err
	}
	u, err := w.stop()
	if err != nil {
		return row{}, err
	}
	r.usage = &u
	progress("  %s records in %.1f s (%.0f/s), %d runs; worker CPU %.1f s, peak RSS %d MB",
		group(r.records), r.elapsed.Seconds(), r.recordsPerSec(), r.runs, u.cpu.Seconds(), u.rssKB/1024)
	ph := r.phases
	progress("  prepare %.2f s, first page %.2f s, pages %.2f s, finish and verify %.2f s",
		ph.prepare.Seconds(), ph.first.Seconds(), ph.pages.Seconds(), ph.finish.Seconds())
	return r, nil
}

// export starts in and waits for its result, giving up if the worker dies meanwhile.
func (e *env) export(ctx context.Context, w *workerProc, queue string, in workflows.ExportInput) (workflows.ExportResult, string, error) {
	ctx, cancel := context.WithTimeout(ctx, exportTimeout)
	defer cancel()
	go func() {
		select {
		case <-w.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	run, err := exportclient.Start(ctx, e.client, queue, in)
	if err != nil {
		return workflows.ExportResult{}, "", err
	}
	// Taken now: once Get has followed the chain, GetRunID names the last run.
	first := run.GetRunID()
	var res workflows.ExportResult
	if err := run.Get(ctx, &res); err != nil {
		if w.exited() {
			return res, "", fmt.Errorf("worker exited during export %s (%v)%s", in.ExportID, w.cmd.ProcessState, w.tail())
		}
		return res, "", fmt.Errorf("export %s: %w%s", in.ExportID, err, w.tail())
	}
	return res, first, nil
}

// history follows the chain of runs from the first, as e2e's history-bound test does, and
// returns their ids and the longest history among them.
func (e *env) history(ctx context.Context, workflowID, runID string) (runs []string, longest int64, err error) {
	for runID != "" {
		runs = append(runs, runID)
		desc, err := e.client.DescribeWorkflowExecution(ctx, workflowID, runID)
		if err != nil {
			return nil, 0, err
		}
		info := desc.GetWorkflowExecutionInfo()
		longest = max(longest, info.GetHistoryLength())
		runID = ""
		switch info.GetStatus() {
		case enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
			if runID, err = e.nextRun(ctx, workflowID, info.GetExecution().GetRunId()); err != nil {
				return nil, 0, err
			}
		case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		default:
			return nil, 0, fmt.Errorf("run %d of %s ended %v", len(runs), workflowID, info.GetStatus())
		}
	}
	return runs, longest, nil
}

// nextRun is the run a continued-as-new run handed over to, from its close event.
func (e *env) nextRun(ctx context.Context, workflowID, runID string) (string, error) {
	it := e.client.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return "", err
		}
		if next := ev.GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId(); next != "" {
			return next, nil
		}
	}
	return "", fmt.Errorf("run %s continued as new, but its close event names no next run", runID)
}

// tableOf counts the Parquet files a manifest lists and their bytes.
func (e *env) tableOf(ctx context.Context, manifestKey string) (files int, bytes int64, err error) {
	body, err := e.store.Get(ctx, manifestKey)
	if err != nil {
		return 0, 0, err
	}
	var m activities.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return 0, 0, fmt.Errorf("manifest %s: %w", manifestKey, err)
	}
	if m.Table == nil {
		return 0, 0, fmt.Errorf("manifest %s lists no table", manifestKey)
	}
	for _, f := range m.Table.Files {
		bytes += f.Bytes
	}
	return len(m.Table.Files), bytes, nil
}
