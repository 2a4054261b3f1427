// Package e2e runs exports through a real Temporal dev server, a real S3-compatible
// server (versitygw) and worker processes, against the project's sandbox API.
package e2e

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/testkit/devstack"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

const bucket = "pagewise-e2e"

// stack is shared by every test in the package: starting Temporal and S3 once keeps the
// suite fast; each test uses its own sandbox, export id and task queue.
var stack struct {
	temporal  *devstack.Temporal
	s3        *devstack.S3
	workerBin string
	client    client.Client
	store     *storage.S3
	dir       string
}

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e: skipped under -short (it starts real servers)")
		os.Exit(0)
	}
	code, err := runMain(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		code = 1
	}
	os.Exit(code)
}

func runMain(m *testing.M) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "pagewise-e2e-")
	if err != nil {
		return 1, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	stack.dir = dir
	temporalBin, err := devstack.FindTool("temporal")
	if err != nil {
		return 1, err
	}
	s3Bin, err := devstack.FindTool("versitygw")
	if err != nil {
		return 1, err
	}
	logf, err := os.Create(filepath.Join(dir, "servers.log"))
	if err != nil {
		return 1, err
	}
	stack.temporal, err = devstack.StartTemporal(ctx, devstack.TemporalOptions{Bin: temporalBin, DBFile: filepath.Join(dir, "temporal.db"), Log: logf})
	if err != nil {
		return 1, err
	}
	defer func() { _ = stack.temporal.Stop() }()
	stack.s3, err = devstack.StartS3(ctx, devstack.S3Options{Bin: s3Bin, Dir: filepath.Join(dir, "s3"), Log: logf})
	if err != nil {
		return 1, err
	}
	defer func() { _ = stack.s3.Stop() }()
	if err := stack.s3.CreateBucket(ctx, bucket); err != nil {
		return 1, err
	}
	if stack.store, err = newStore(ctx); err != nil {
		return 1, err
	}
	if stack.workerBin, err = buildWorker(ctx, dir); err != nil {
		return 1, err
	}
	stack.client, err = client.Dial(client.Options{HostPort: stack.temporal.Addr})
	if err != nil {
		return 1, err
	}
	defer stack.client.Close()
	return m.Run(), nil
}

func newStore(ctx context.Context) (*storage.S3, error) {
	os.Setenv("AWS_ACCESS_KEY_ID", stack.s3.AccessKey)
	os.Setenv("AWS_SECRET_ACCESS_KEY", stack.s3.SecretKey)
	return storage.NewS3(ctx, storage.Config{Endpoint: stack.s3.Endpoint, Region: "us-east-1", Bucket: bucket, PathStyle: true})
}

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

// serveSandbox runs a sandbox on a loopback port for the length of the test.
func serveSandbox(t *testing.T, opts sandbox.Options) (*sandbox.Server, string) {
	t.Helper()
	sb := sandbox.New(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return sb, "http://" + ln.Addr().String()
}

// workerEnv is a worker's whole environment: the only place credentials appear.
func workerEnv(taskQueue, sandboxURL string, extra ...string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"TEMPORAL_ADDRESS=" + stack.temporal.Addr,
		"PAGEWISE_TASK_QUEUE=" + taskQueue,
		"PAGEWISE_S3_ENDPOINT=" + stack.s3.Endpoint,
		"PAGEWISE_S3_BUCKET=" + bucket,
		"AWS_ACCESS_KEY_ID=" + stack.s3.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + stack.s3.SecretKey,
		"PAGEWISE_HTTP_TIMEOUT=2s",
		"PAGEWISE_LOG_LEVEL=debug",
		"PAGEWISE_HTTP_ADDR=127.0.0.1:0",
		// A developer's own temporal.toml (an API key, another address) stays out of tests.
		"TEMPORAL_CONFIG_FILE=" + os.DevNull,
	}
	// Pacing is the sandbox budget's job here; rates are off unless extra sets one.
	env = append(env, sandbox.WorkerEnv(sandboxURL)...)
	return append(env, extra...)
}
