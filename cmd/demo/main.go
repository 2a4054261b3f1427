// Command demo runs one complete export on this machine with nothing but Go installed:
// a local Temporal dev server (SQLite file), a local S3-compatible server (versitygw),
// the sandbox API and a worker process. Everything it starts, it stops. With --dev
// (make dev) it starts no export: it keeps the stack up until Ctrl-C and prints the
// environment to use it with.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/internal/config"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/testkit/devstack"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// defaultResource is the resource each provider's demo exports.
var defaultResource = map[string]string{"clio": "contacts", "attio": "people", "close": "lead", "clever": "users"}

type options struct {
	provider, resource, dir string
	records                 int
	faultRate               float64
	latency                 time.Duration
	// dev keeps the stack up on fixed ports, without an export, until Ctrl-C.
	dev                                       bool
	temporalPort, uiPort, s3Port, sandboxPort int
	worker                                    bool
}

func main() {
	var o options
	flag.StringVar(&o.provider, "provider", envOr("PROVIDER", "clio"), "clio, attio, close or clever")
	flag.StringVar(&o.resource, "resource", os.Getenv("RESOURCE"), "resource (default: one per provider)")
	flag.IntVar(&o.records, "records", 50_000, "records in the sandbox resource")
	flag.Float64Var(&o.faultRate, "fault-rate", 0, "fraction of API requests the sandbox fails (429, 5xx, timeouts, …)")
	flag.DurationVar(&o.latency, "latency", 0, "latency the sandbox adds to each request")
	flag.StringVar(&o.dir, "dir", ".demo", "folder for the Temporal database, the bucket and logs")
	flag.BoolVar(&o.dev, "dev", false, "keep the stack up until Ctrl-C, start no export, and print the environment to export (make dev)")
	flag.IntVar(&o.temporalPort, "temporal-port", 7233, "with --dev: Temporal's port (the CLI's and the starter's default)")
	flag.IntVar(&o.uiPort, "ui-port", 8233, "with --dev: the Temporal Web UI's port")
	flag.IntVar(&o.s3Port, "s3-port", 7070, "with --dev: the S3 server's port")
	flag.IntVar(&o.sandboxPort, "sandbox-port", 7080, "with --dev: the sandbox API's port")
	flag.BoolVar(&o.worker, "worker", true, "with --dev: run a worker too (--worker=false to run your own)")
	flag.Parse()
	if o.resource == "" {
		o.resource = defaultResource[o.provider]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if _, ok := defaultResource[o.provider]; !ok {
		return fmt.Errorf("unknown provider %q; allowed: attio, clever, clio, close", o.provider)
	}
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	logf, err := os.OpenFile(filepath.Join(dir, "servers.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer func() { _ = logf.Close() }()
	step := func(format string, args ...any) { fmt.Printf("==> "+format+"\n", args...) }

	temporalBin, err := devstack.FindTool("temporal")
	if err != nil {
		return err
	}
	s3Bin, err := devstack.FindTool("versitygw")
	if err != nil {
		return err
	}
	step("starting Temporal dev server (state in %s)", filepath.Join(dir, "temporal.db"))
	topts := devstack.TemporalOptions{Bin: temporalBin, DBFile: filepath.Join(dir, "temporal.db"), Log: logf}
	sopts := devstack.S3Options{Bin: s3Bin, Dir: filepath.Join(dir, "s3"), Log: logf}
	if o.dev {
		topts.Port, topts.UIPort, sopts.Port = o.temporalPort, o.uiPort, o.s3Port
	}
	tmp, err := devstack.StartTemporal(ctx, topts)
	if err != nil {
		return err
	}
	defer stopping("Temporal", tmp.Stop)
	step("starting S3-compatible server versitygw (objects in %s)", filepath.Join(dir, "s3"))
	s3, err := devstack.StartS3(ctx, sopts)
	if err != nil {
		return err
	}
	defer stopping("S3 server", s3.Stop)
	const bucket = "pagewise"
	if err := s3.CreateBucket(ctx, bucket); err != nil {
		return err
	}
	step("starting sandbox %s API with %d %s", o.provider, o.records, o.resource)
	sbURL, closeSandbox, err := serveSandbox(o)
	if err != nil {
		return err
	}
	defer closeSandbox()

	env := workerEnv(tmp.Addr, s3, bucket, sbURL, o.dev)
	if !o.dev || o.worker {
		step("building and starting the worker (log in %s)", filepath.Join(dir, "servers.log"))
		worker, err := startWorker(ctx, dir, append(os.Environ(), env...), logf)
		if err != nil {
			return err
		}
		defer stopping("worker", func() error { return stopProcess(worker) })
	}
	if o.dev {
		printEnv(os.Stdout, env, o)
		<-ctx.Done()
		step("stopping")
		return nil
	}

	c, err := client.Dial(client.Options{HostPort: tmp.Addr})
	if err != nil {
		return err
	}
	defer c.Close()
	in := workflows.ExportInput{
		ExportID: fmt.Sprintf("demo-%s-%s-%s", o.provider, o.resource, time.Now().UTC().Format("20060102T150405Z")),
		Provider: o.provider, Resource: o.resource,
	}
	run, err := exportclient.Start(ctx, c, workflows.DefaultTaskQueue, in)
	if err != nil {
		return err
	}
	step("export %s started on %s (Temporal at %s)", run.GetID(), workflows.DefaultTaskQueue, tmp.Addr)
	res, err := exportclient.Follow(ctx, c, run.GetID(), os.Stdout, config.IsTerminal(os.Stdout))
	if err != nil {
		return fmt.Errorf("export %s: %w (logs in %s)", run.GetID(), err, dir)
	}
	local := filepath.Join(s3.Dir, bucket, filepath.FromSlash(strings.TrimSuffix(res.ManifestKey, "/manifest.json")))
	step("done: %d records in %d pages, %d bytes, in %s", res.Records, res.Pages, res.Bytes, res.FinishedAt.Sub(res.StartedAt).Round(time.Millisecond))
	fmt.Printf("    manifest: %s\n    files:    %s\n    on disk:  %s\n", res.Manifest, strings.TrimSuffix(res.Manifest, "manifest.json")+"data/", local)
	return nil
}

func serveSandbox(o options) (string, func(), error) {
	sb := sandbox.New(sandbox.Options{
		Records: o.records, Seed: 1, Latency: o.latency, FaultRate: o.faultRate, TimeoutHold: 3 * time.Second,
	})
	addr := "127.0.0.1:0"
	if o.dev {
		addr = fmt.Sprintf("127.0.0.1:%d", o.sandboxPort)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// workerEnv is what the worker needs beyond the process's own environment: the demo's
// servers, the sandbox tokens and the rates.
func workerEnv(temporalAddr string, s3 *devstack.S3, bucket, sandboxURL string, dev bool) []string {
	env := []string{
		"TEMPORAL_ADDRESS=" + temporalAddr,
		"PAGEWISE_S3_ENDPOINT=" + s3.Endpoint,
		"PAGEWISE_S3_BUCKET=" + bucket,
		"AWS_ACCESS_KEY_ID=" + s3.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s3.SecretKey,
		"AWS_REGION=us-east-1",
		"PAGEWISE_HTTP_TIMEOUT=2s",
		"PAGEWISE_HTTP_ADDR=127.0.0.1:0",
		"CLIO_TOKEN=" + sandbox.DefaultToken("clio"),
		"ATTIO_TOKEN=" + sandbox.DefaultToken("attio"),
		"CLOSE_API_KEY=" + sandbox.DefaultToken("close"),
		"CLEVER_TOKEN=" + sandbox.DefaultToken("clever"),
	}
	for _, p := range []string{"CLIO", "ATTIO", "CLOSE", "CLEVER"} {
		env = append(env, p+"_BASE_URL="+sandboxURL)
		// The sandbox has no budget unless asked; the real APIs' pacing (CLIO_RATE 0.8
		// a second, say) would make a 50,000-record Clio demo take 5 minutes. make dev
		// keeps a rate set in its own environment, to try the pacing.
		if v, ok := os.LookupEnv(p + "_RATE"); dev && ok {
			env = append(env, p+"_RATE="+v)
		} else {
			env = append(env, p+"_RATE=0")
		}
	}
	return env
}

// printEnv tells how to use the running stack from another shell.
func printEnv(w io.Writer, env []string, o options) {
	fmt.Fprintf(w, "\nThe local stack is up until Ctrl-C. In another shell:\n\n")
	for _, kv := range env {
		if strings.HasPrefix(kv, "PAGEWISE_HTTP_") {
			continue // the demo's own worker's settings
		}
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(w, "export %s=%q\n", k, v)
	}
	worker := "a worker is running (log in " + filepath.Join(o.dir, "servers.log") + ")"
	if !o.worker {
		worker = "no worker is running: start one with go run ./worker"
	}
	fmt.Fprintf(w, "\nTemporal Web UI: http://127.0.0.1:%d\n", o.uiPort)
	fmt.Fprintf(w, "Sandbox API: %d records per resource, rates 0 (unpaced) unless CLIO_RATE etc. were set for make dev\n", o.records)
	fmt.Fprintf(w, "Bucket pagewise is served from %s; %s.\n", filepath.Join(o.dir, "s3"), worker)
	fmt.Fprintf(w, "Try: go run ./starter export --provider %s --resource %s --wait\n", o.provider, o.resource)
}

func startWorker(ctx context.Context, dir string, env []string, log *os.File) (*exec.Cmd, error) {
	root, err := devstack.RepoRoot()
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "bin", "worker")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./worker")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building worker: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd, cmd.Start()
}

func stopProcess(cmd *exec.Cmd) error {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return nil
		}
		return err
	case <-time.After(40 * time.Second):
		return cmd.Process.Kill()
	}
}

func stopping(what string, stop func() error) {
	if err := stop(); err != nil {
		fmt.Fprintf(os.Stderr, "demo: stopping %s: %v\n", what, err)
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
