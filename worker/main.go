// Command worker runs pagewise exports: it polls the task queue for Export workflows and
// their page activities. All settings come from the environment (see README).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/config"
	"github.com/pagewise/pagewise/internal/provider/registry"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/workflows"
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

	ctx := context.Background()
	store, err := storage.NewS3(ctx, cfg.S3)
	if err != nil {
		return err
	}
	opts, err := cfg.Temporal.ClientOptions(log)
	if err != nil {
		return err
	}
	c, err := client.Dial(opts)
	if err != nil {
		return fmt.Errorf("connecting to Temporal at %s: %w", cfg.Address, err)
	}
	defer c.Close()

	w := worker.New(c, cfg.TaskQueue, worker.Options{
		MaxConcurrentActivityExecutionSize: cfg.MaxPages,
		WorkerStopTimeout:                  cfg.StopTimeout,
	})
	w.RegisterWorkflowWithOptions(workflows.Export, workflow.RegisterOptions{Name: workflows.WorkflowName})
	w.RegisterActivity(&activities.Activities{
		Providers: registry.New(cfg.Config, &http.Client{Timeout: cfg.HTTPTimeout}),
		Store:     store,
		Prefix:    cfg.S3.Prefix,
		Log:       log,
		GzipLevel: cfg.GzipLevel,
	})
	log.Info("worker starting", "temporal", cfg.Address, "namespace", cfg.Namespace, "task_queue", cfg.TaskQueue,
		"bucket", cfg.S3.Bucket, "endpoint", cfg.S3.Endpoint)
	// Run returns on SIGINT/SIGTERM after letting running pages finish (WorkerStopTimeout).
	if err := w.Run(worker.InterruptCh()); err != nil {
		return err
	}
	log.Info("worker stopped")
	return nil
}
