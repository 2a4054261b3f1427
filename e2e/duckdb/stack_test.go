// Package duckdb proves the export's Parquet files with a real reader: DuckDB, through
// its Go driver (cgo, a prebuilt library). It is a module of its own so that neither the
// worker binary nor the main go.mod ever carries DuckDB; make test runs it after the
// main module's tests. Its servers are the real ones e2e uses: a Temporal dev server,
// versitygw and worker processes, against the sandbox API.
package duckdb

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/testkit/devstack"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

const bucket = "pagewise"

// stack is shared by every test: one Temporal, one S3 server, one worker build.
var stack struct {
	temporal  *devstack.Temporal
	s3        *devstack.S3
	store     *storage.S3
	client    client.Client
	workerBin string
	root      string // the main module
}

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("duckdb: skipped under -short (it starts real servers)")
		os.Exit(0)
	}
	code, err := runMain(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "duckdb:", err)
		code = 1
	}
	os.Exit(code)
}

func runMain(m *testing.M) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "pagewise-duckdb-")
	if err != nil {
		return 1, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	// The main module is two folders up; devstack finds its tools from there.
	if stack.root, err = filepath.Abs("../.."); err != nil {
		return 1, err
	}
	if err := os.Chdir(stack.root); err != nil {
		return 1, err
	}
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
	os.Setenv("AWS_ACCESS_KEY_ID", stack.s3.AccessKey)
	os.Setenv("AWS_SECRET_ACCESS_KEY", stack.s3.SecretKey)
	if stack.store, err = storage.NewS3(ctx, storage.Config{Endpoint: stack.s3.Endpoint, Region: "us-east-1", Bucket: bucket, PathStyle: true}); err != nil {
		return 1, err
	}
	stack.workerBin = filepath.Join(dir, "worker")
	build := exec.CommandContext(ctx, "go", "build", "-o", stack.workerBin, "./worker")
	build.Dir = stack.root
	if out, err := build.CombinedOutput(); err != nil {
		return 1, fmt.Errorf("building worker: %v\n%s", err, out)
	}
	if stack.client, err = client.Dial(client.Options{HostPort: stack.temporal.Addr}); err != nil {
		return 1, err
	}
	defer stack.client.Close()
	return m.Run(), nil
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

// worker is a worker process polling queue against the sandbox at url; kill and start
// make a crash.
type worker struct {
	t    *testing.T
	env  []string
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func (w *worker) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.Write(p)
}

// output is what every process of this worker has logged.
func (w *worker) output() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.String()
}

func startWorker(t *testing.T, queue, url string) *worker {
	t.Helper()
	w := &worker{t: t, env: append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"TEMPORAL_ADDRESS=" + stack.temporal.Addr, "TEMPORAL_CONFIG_FILE=" + os.DevNull,
		"PAGEWISE_TASK_QUEUE=" + queue, "PAGEWISE_S3_ENDPOINT=" + stack.s3.Endpoint, "PAGEWISE_S3_BUCKET=" + bucket,
		"AWS_ACCESS_KEY_ID=" + stack.s3.AccessKey, "AWS_SECRET_ACCESS_KEY=" + stack.s3.SecretKey,
		"PAGEWISE_HTTP_ADDR=127.0.0.1:0",
	}, sandbox.WorkerEnv(url)...)}
	w.start()
	t.Cleanup(w.stop)
	return w
}

func (w *worker) start() {
	w.cmd = exec.Command(stack.workerBin)
	w.cmd.Env = w.env
	w.cmd.Stdout, w.cmd.Stderr = w, w
	w.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := w.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	w.done = make(chan struct{})
	go func() { _ = w.cmd.Wait(); close(w.done) }()
}

// kill is a crash: SIGKILL, nothing finished.
func (w *worker) kill() {
	_ = w.cmd.Process.Kill()
	<-w.done
}

// stop is a deployment's SIGTERM.
func (w *worker) stop() {
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.done:
	case <-time.After(30 * time.Second):
		w.kill()
	}
}
