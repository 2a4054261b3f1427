package workers

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/internal/provider/registry"
	"github.com/pagewise/pagewise/workflows"
)

// The Temporal server's dispatch limit holds a page queue to its rate on average, but it
// lets a full bucket through at twice the rate. Each worker therefore also paces itself
// to rate ÷ the workers polling the queue, so together they never exceed it.
const (
	shareEvery = 5 * time.Second
	// pollerAlive: a live poller renews its long poll at least once a minute.
	pollerAlive = 90 * time.Second
)

// shareBudgets counts the pollers of every rate-limited page queue until ctx ends and
// calls share when a provider's count changes.
func shareBudgets(ctx context.Context, c client.Client, o Options, log *slog.Logger) {
	last := map[registry.Budget]int{}
	t := time.NewTicker(shareEvery)
	defer t.Stop()
	for {
		for _, b := range o.Budgets {
			if b.Rate <= 0 {
				continue
			}
			n, err := pollers(ctx, c, workflows.PageQueue(o.TaskQueue, b.Provider, b.Credential))
			if err != nil || n == last[b] {
				continue
			}
			last[b] = n
			o.Share(b.Provider, b.Credential, n)
			attrs := []any{"provider", b.Provider, "workers", n, "requests_per_second", b.Rate / float64(max(n, 1))}
			if b.Credential != "" {
				attrs = append(attrs, "credential", b.Credential)
			}
			log.Info("sharing rate budget", attrs...)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pollers counts the distinct live workers polling an activity queue.
func pollers(ctx context.Context, c client.Client, queue string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := c.DescribeTaskQueue(ctx, queue, enums.TASK_QUEUE_TYPE_ACTIVITY)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	for _, p := range resp.GetPollers() {
		if time.Since(p.GetLastAccessTime().AsTime()) < pollerAlive {
			seen[p.GetIdentity()] = true
		}
	}
	return len(seen), nil
}
