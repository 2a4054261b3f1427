package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/devstack"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/registry"
	"github.com/pagewise/pagewise/internal/sandbox"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/workflows"
)

const bucket = "bench"

type env struct {
	temporal *devstack.Temporal
	s3       *devstack.S3
	store    *storage.S3
	client   client.Client
}

func startEnv(ctx context.Context, dir string) (*env, error) {
	e := &env{}
	log, err := logFile(dir)
	if err != nil {
		return nil, err
	}
	tbin, err := devstack.FindTool("temporal")
	if err != nil {
		return nil, err
	}
	sbin, err := devstack.FindTool("versitygw")
	if err != nil {
		return nil, err
	}
	// A database file, as in the demo and in production-like use: WAL makes it cheap.
	if e.temporal, err = devstack.StartTemporal(ctx, devstack.TemporalOptions{Bin: tbin, DBFile: filepath.Join(dir, "t.db"), Log: log}); err != nil {
		return nil, err
	}
	if e.s3, err = devstack.StartS3(ctx, devstack.S3Options{Bin: sbin, Dir: filepath.Join(dir, "s3"), Log: log}); err != nil {
		e.close()
		return nil, err
	}
	if err := e.s3.CreateBucket(ctx, bucket); err != nil {
		e.close()
		return nil, err
	}
	os.Setenv("AWS_ACCESS_KEY_ID", e.s3.AccessKey)
	os.Setenv("AWS_SECRET_ACCESS_KEY", e.s3.SecretKey)
	if e.store, err = storage.NewS3(ctx, storage.Config{Endpoint: e.s3.Endpoint, Region: "us-east-1", Bucket: bucket, PathStyle: true}); err != nil {
		e.close()
		return nil, err
	}
	quiet := tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if e.client, err = client.Dial(client.Options{HostPort: e.temporal.Addr, Logger: quiet}); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func (e *env) close() {
	if e.client != nil {
		e.client.Close()
	}
	if e.s3 != nil {
		_ = e.s3.Stop()
	}
	if e.temporal != nil {
		_ = e.temporal.Stop()
	}
}

func (e *env) activities(sandboxURL string) *activities.Activities {
	var cfg registry.Config
	cfg.Clio.BaseURL, cfg.Clio.Token = sandboxURL, sandbox.DefaultToken("clio")
	cfg.Attio.BaseURL, cfg.Attio.Token = sandboxURL, sandbox.DefaultToken("attio")
	cfg.Close.BaseURL, cfg.Close.Token = sandboxURL, sandbox.DefaultToken("close")
	cfg.Clever.BaseURL, cfg.Clever.Token = sandboxURL, sandbox.DefaultToken("clever")
	return &activities.Activities{
		Providers: registry.New(cfg, &http.Client{Timeout: 30 * time.Second}),
		Store:     e.store,
		GzipLevel: 6,
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// plainLoop calls the page activity's own code in a loop, with no Temporal: the floor
// the durable path is measured against.
func (e *env) plainLoop(ctx context.Context, o options, sandboxURL string) (row, error) {
	acts := e.activities(sandboxURL)
	conn, err := acts.Providers.Get(o.provider)
	if err != nil {
		return row{}, err
	}
	plan, err := conn.Validate(provider.Spec{Resource: o.resource, PageSize: o.pageSize})
	if err != nil {
		return row{}, err
	}
	in := activities.PageInput{ExportID: "plain", Provider: o.provider, Plan: plan, Base: "plain/" + fmt.Sprint(time.Now().UnixNano()), Position: conn.Start(plan)}
	r := row{name: "plain loop (no Temporal)", strategy: plan.Strategy}
	started := time.Now()
	for {
		in.Seq = r.pages + 1
		res, err := acts.FetchPage(ctx, in)
		if err != nil {
			return row{}, err
		}
		if res.Key != "" {
			r.pages++
			r.records += int64(res.Records)
			r.bytes += res.Bytes
		}
		if res.Done {
			break
		}
		in.Position = res.Next
	}
	r.elapsed = time.Since(started)
	return r, nil
}

// durable runs the real Export workflow on an in-process worker.
func (e *env) durable(ctx context.Context, o options, sandboxURL string, lat time.Duration) (row, error) {
	queue := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	w := worker.New(e.client, queue, worker.Options{})
	w.RegisterWorkflowWithOptions(workflows.Export, workflow.RegisterOptions{Name: workflows.WorkflowName})
	w.RegisterActivity(e.activities(sandboxURL))
	if err := w.Start(); err != nil {
		return row{}, err
	}
	defer w.Stop()
	in := workflows.ExportInput{ExportID: queue, Provider: o.provider, Resource: o.resource, PageSize: o.pageSize}
	started := time.Now()
	run, err := exportclient.Start(ctx, e.client, queue, in)
	if err != nil {
		return row{}, err
	}
	var res workflows.ExportResult
	if err := e.client.GetWorkflow(ctx, run.GetID(), "").Get(ctx, &res); err != nil {
		return row{}, err
	}
	r := row{name: "durable (Temporal + S3)", strategy: "cursor", pages: res.Pages, records: res.Records,
		bytes: res.Bytes, elapsed: time.Since(started), runs: res.Runs}
	first, err := e.client.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
	if err == nil {
		r.firstRunEvents = first.WorkflowExecutionInfo.GetHistoryLength()
	}
	return r, nil
}
