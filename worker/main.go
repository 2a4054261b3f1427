// Command worker runs pagewise exports: it polls the task queue for Export workflows and
// their page activities. All settings come from the environment (see README).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/config"
	"github.com/pagewise/pagewise/internal/endpoint"
	"github.com/pagewise/pagewise/internal/metrics"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/registry"
	"github.com/pagewise/pagewise/internal/runs"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/tracing"
	"github.com/pagewise/pagewise/internal/workers"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.LoadWorker()
	if err != nil {
		return err
	}
	log := cfg.Log.Logger(os.Stderr)
	slog.SetDefault(log)

	// The endpoint comes up first so liveness answers while Temporal is still dialled.
	exp := metrics.NewExporter()
	ready := &endpoint.Readiness{Log: log}
	stopHTTP, err := serveHTTP(cfg.HTTPAddr, endpoint.Handler(exp, ready), log)
	if err != nil {
		return err
	}
	defer stopHTTP()

	ctx := context.Background()
	store, err := storage.NewS3(ctx, cfg.S3)
	if err != nil {
		return err
	}
	opts := cfg.Temporal.ClientOptions(log)
	opts.MetricsHandler = exp.Temporal()
	interceptors, stopTracing, err := tracing.Setup(ctx, "pagewise-worker", log)
	if err != nil {
		return err
	}
	defer flushTraces(stopTracing, log)
	opts.Interceptors = interceptors
	c, err := client.Dial(opts)
	if err != nil {
		return fmt.Errorf("connecting to Temporal at %s: %w", cfg.Address, err)
	}
	defer c.Close()

	budget, err := provider.NewBudget(int64(cfg.MemoryBudget), int64(cfg.MaxBody))
	if err != nil {
		return fmt.Errorf("configuration: PAGEWISE_MEMORY_BUDGET: %w", err)
	}
	limitGoMemory(cfg, log)
	providers := registry.New(cfg.Config, &http.Client{Timeout: cfg.HTTPTimeout})
	budgets := providers.Budgets()
	fatal := make(chan error, len(budgets)+1)
	acts := &activities.Activities{
		Providers:     providers,
		Store:         store,
		Prefix:        cfg.S3.Prefix,
		Log:           log,
		GzipLevel:     cfg.GzipLevel,
		Metrics:       exp,
		MaxBody:       int64(cfg.MaxBody),
		MaxRetryDelay: cfg.MaxRetryDelay,
		Ceilings:      provider.Ceilings{Pages: cfg.MaxExportPages, Records: cfg.MaxExportRecords},
		Budget:        budget,
		Runs:          runs.Finder{Client: c, Namespace: cfg.Namespace},
		RefuseReplace: cfg.RefuseReplaceOwner,
	}
	w, err := workers.Start(c, acts, workers.Options{
		TaskQueue: cfg.TaskQueue,
		Budgets:   budgets,
		MaxPages:  cfg.MaxPages,
		Share:     providers.Share,
		Log:       log,
		Worker: worker.Options{
			WorkerStopTimeout: cfg.StopTimeout,
			OnFatalError:      func(err error) { fatal <- err }, // at most once per worker
		},
	})
	if err != nil {
		return err
	}
	ready.Started(func(ctx context.Context) error {
		_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	})
	log.Info("worker started", "temporal", cfg.Address, "namespace", cfg.Namespace, "task_queue", cfg.TaskQueue,
		"bucket", cfg.S3.Bucket, "endpoint", cfg.S3.Endpoint, "tracing", tracing.Enabled())
	// On SIGINT/SIGTERM, stop polling and let running pages finish (WorkerStopTimeout).
	select {
	case sig := <-worker.InterruptCh():
		log.Info("worker stopping", "signal", fmt.Sprint(sig))
	case err = <-fatal:
		log.Error("worker failed", "error", err)
	}
	ready.Stopping()
	w.Stop()
	if err != nil {
		return err
	}
	log.Info("worker stopped")
	return nil
}

// limitGoMemory gives the garbage collector the worker's memory formula as its soft limit
// (budget + config.MemoryBase), so it collects before the container's limit rather than
// at twice the live heap; GOMEMLIMIT, when set, is the operator's and stays.
func limitGoMemory(cfg config.Worker, log *slog.Logger) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		log.Info("memory budget", "page_budget_bytes", int64(cfg.MemoryBudget), "go_memory_limit", "GOMEMLIMIT")
		return
	}
	debug.SetMemoryLimit(cfg.GoMemoryLimit())
	log.Info("memory budget", "page_budget_bytes", int64(cfg.MemoryBudget), "go_memory_limit_bytes", cfg.GoMemoryLimit(),
		"container_limit_needed_bytes", cfg.MemoryLimit())
}

// serveHTTP starts the endpoint. An address set in PAGEWISE_HTTP_ADDR must work; the
// default may be taken by another worker on the same machine, which then runs without.
func serveHTTP(addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	srv, err := endpoint.Serve(addr, h, log)
	if err != nil {
		if _, set := os.LookupEnv("PAGEWISE_HTTP_ADDR"); set {
			return nil, fmt.Errorf("PAGEWISE_HTTP_ADDR %s: %w", addr, err)
		}
		log.Warn("HTTP endpoint off: default address taken; set PAGEWISE_HTTP_ADDR", "addr", addr, "error", err)
		return func() {}, nil
	}
	log.Info("HTTP endpoint listening", "addr", srv.Addr, "paths", "/metrics /healthz /readyz")
	return func() { _ = srv.Shutdown(context.Background()) }, nil
}

// flushTraces sends the spans still batched; a collector that is gone costs 5 s at most.
func flushTraces(stop func(context.Context) error, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := stop(ctx); err != nil {
		log.Warn("tracing: spans not sent", "error", err)
	}
}
