package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/testkit/devstack"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

const bucket = "bench"

// env is the shared stack: one Temporal dev server, one versitygw and one worker binary
// for every row; each row brings its own sandbox, task queue and worker process.
type env struct {
	dir       string
	temporal  *devstack.Temporal
	s3        *devstack.S3
	store     *storage.S3
	client    client.Client
	workerBin string
	rows      int // numbers task queues and worker logs
}

func startEnv(ctx context.Context, dir string) (*env, error) {
	e := &env{dir: dir}
	log, err := os.Create(filepath.Join(dir, "servers.log"))
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
	// Built before the servers start, so compiling does not compete with them for CPU.
	progress("building the worker…")
	if e.workerBin, err = buildWorker(ctx, dir); err != nil {
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

// buildWorker compiles ./worker once: every durable row runs it as its own process, so
// the RSS and CPU it reports are the worker's and not the bench's (which holds the sandbox).
func buildWorker(ctx context.Context, dir string) (string, error) {
	root, err := devstack.RepoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "worker")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./worker")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building worker: %v\n%s", err, out)
	}
	return bin, nil
}

// workerEnv is a worker process's whole environment, as in the end-to-end tests. Pacing is
// off unless extra sets a provider's rate.
func (e *env) workerEnv(taskQueue, sandboxURL string, extra ...string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"TEMPORAL_ADDRESS=" + e.temporal.Addr,
		"PAGEWISE_TASK_QUEUE=" + taskQueue,
		"PAGEWISE_S3_ENDPOINT=" + e.s3.Endpoint,
		"PAGEWISE_S3_BUCKET=" + bucket,
		"AWS_ACCESS_KEY_ID=" + e.s3.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + e.s3.SecretKey,
		"PAGEWISE_HTTP_TIMEOUT=30s",
		"PAGEWISE_LOG_LEVEL=warn",
		"PAGEWISE_HTTP_ADDR=127.0.0.1:0",
	}
	// Pacing is the sandbox budget's job here; rates are off unless extra sets one.
	env = append(env, sandbox.WorkerEnv(sandboxURL)...)
	// Later entries win (os/exec keeps the last value of a duplicated key).
	return append(env, extra...)
}

// serveSandbox runs a sandbox on a loopback port until stop.
func serveSandbox(opts sandbox.Options) (sb *sandbox.Server, url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	sb = sandbox.New(opts)
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return sb, "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}
