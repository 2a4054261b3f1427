// Package workers runs everything one pagewise worker process polls: the export task
// queue (workflows, Prepare, Finish, checkpoints) and one page queue per provider, whose
// dispatch rate the Temporal server limits for all workers together.
package workers

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider/registry"
	"github.com/pagewise/pagewise/workflows"
)

// Options configure a Set.
type Options struct {
	TaskQueue string
	// Budgets are each credential's requests a second; each gets its own page queue, and
	// a zero rate leaves it unlimited.
	Budgets []registry.Budget
	// MaxPages bounds the page activities this process runs at once, per page queue;
	// the memory they hold is bounded by the activities' Budget, not by this.
	MaxPages int
	// Worker is the base of every worker's options (stop timeout, fatal error hook, …).
	Worker worker.Options
	// Share, when set, is told how many workers poll a provider's page queue, so this
	// process can pace itself to its share of the provider's rate.
	Share func(provider, credential string, workers int)
	Log   *slog.Logger
}

// Set is the export worker and the page workers of one process.
type Set struct {
	all        []worker.Worker
	stopShare  context.CancelFunc
	shareEnded chan struct{}
}

// Start registers the workflow and activities and starts polling every queue.
func Start(c client.Client, acts *activities.Activities, o Options) (*Set, error) {
	main := worker.New(c, o.TaskQueue, o.Worker)
	main.RegisterWorkflowWithOptions(workflows.Export, workflow.RegisterOptions{Name: workflows.WorkflowName})
	main.RegisterWorkflowWithOptions(workflows.Account, workflow.RegisterOptions{Name: workflows.AccountWorkflowName})
	main.RegisterActivity(acts)
	s := &Set{all: []worker.Worker{main}}
	for _, b := range o.Budgets {
		wo := o.Worker
		wo.MaxConcurrentActivityExecutionSize = o.MaxPages
		wo.TaskQueueActivitiesPerSecond = b.Rate
		wo.DisableWorkflowWorker = true
		w := worker.New(c, workflows.PageQueue(o.TaskQueue, b.Provider, b.Credential), wo)
		// The activities that call the provider, so the queue's rate limit covers them.
		w.RegisterActivityWithOptions(acts.FetchPage, activity.RegisterOptions{Name: "FetchPage"})
		w.RegisterActivityWithOptions(acts.Count, activity.RegisterOptions{Name: "Count"})
		s.all = append(s.all, w)
	}
	all := s.all
	s.all = nil
	for _, w := range all {
		if err := w.Start(); err != nil {
			s.Stop()
			return nil, fmt.Errorf("starting worker: %w", err)
		}
		s.all = append(s.all, w)
	}
	if o.Share != nil {
		log := o.Log
		if log == nil {
			log = slog.Default()
		}
		var ctx context.Context
		ctx, s.stopShare = context.WithCancel(context.Background())
		s.shareEnded = make(chan struct{})
		go func() { defer close(s.shareEnded); shareBudgets(ctx, c, o, log) }()
	}
	return s, nil
}

// Stop stops every started worker at once, letting running activities finish within the
// stop timeout.
func (s *Set) Stop() {
	if s.stopShare != nil {
		s.stopShare()
		<-s.shareEnded
	}
	var wg sync.WaitGroup
	for _, w := range s.all {
		wg.Go(w.Stop)
	}
	wg.Wait()
}
