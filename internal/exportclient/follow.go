package exportclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/workflows"
)

// Follow waits for an export to end, printing its progress: a redrawn bar when tty is
// true, a plain line every few seconds otherwise. It outlives a Temporal server restart
// (it reconnects and goes on), and says so when no worker polls the export's task queue.
func Follow(ctx context.Context, c client.Client, workflowID string, out io.Writer, tty bool) (workflows.ExportResult, error) {
	var res workflows.ExportResult
	var meter rateMeter
	err := follow(ctx, c, workflowID, &res, out, tty, func(ctx context.Context) (string, error) {
		p, err := Query(ctx, c, workflowID)
		if err != nil {
			return "", err
		}
		rate := meter.add(time.Now(), p.Records)
		if p.Paused {
			meter = rateMeter{} // a resumed export's rate starts afresh
		}
		return Render(p, rate), nil
	})
	return res, err
}

// follow waits for workflowID's result into res, printing line() as it goes.
func follow(ctx context.Context, c client.Client, workflowID string, res any, out io.Writer, tty bool, line func(context.Context) (string, error)) error {
	done := make(chan error, 1)
	go func() { done <- awaitResult(ctx, c, workflowID, res) }()
	every := 5 * time.Second
	if tty {
		every = 250 * time.Millisecond
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	w := watcher{c: c, id: workflowID}
	for {
		select {
		case err := <-done:
			if tty {
				fmt.Fprintln(out)
			}
			return err
		case <-tick.C:
			l := w.status(ctx, line)
			if tty {
				fmt.Fprintf(out, "\r\033[K%s", l)
			} else {
				fmt.Fprintln(out, l)
			}
		}
	}
}

// awaitResult waits for the export's outcome, across continue-as-new (an empty run id
// follows the chain) and across a Temporal server that goes away and comes back.
func awaitResult(ctx context.Context, c client.Client, workflowID string, res any) error {
	for {
		err := c.GetWorkflow(ctx, workflowID, "").Get(ctx, res)
		if err == nil || ctx.Err() != nil || !Transient(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// Transient is an error that says Temporal could not be reached or did not answer in
// time, not anything about the export: asking again later may work.
func Transient(err error) bool {
	var wee *temporal.WorkflowExecutionError
	if err == nil || errors.As(err, &wee) {
		return false
	}
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	var cancelled *serviceerror.Canceled
	var exhausted *serviceerror.ResourceExhausted
	return errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.As(err, &cancelled) ||
		errors.As(err, &exhausted) || errors.Is(err, context.DeadlineExceeded)
}

// watcher turns each tick into one line: the progress, or why there is none.
type watcher struct {
	c         client.Client
	id        string
	taskQueue string
	last      string // the last progress line
}

// answerTimeout bounds one progress query: a query no worker answers would otherwise
// hold the line on a stale bar.
const answerTimeout = 5 * time.Second

func (w *watcher) status(ctx context.Context, line func(context.Context) (string, error)) string {
	qctx, cancel := context.WithTimeout(ctx, answerTimeout)
	defer cancel()
	l, err := line(qctx)
	switch {
	case err == nil:
		w.last = l
		return l
	case ctx.Err() != nil:
		return w.last // interrupted: not news
	}
	return w.trouble(ctx, err)
}

// trouble says why progress has no answer: Temporal is unreachable, no worker polls the
// export's task queue, or the worker has not answered yet.
func (w *watcher) trouble(ctx context.Context, queryErr error) string {
	ctx, cancel := context.WithTimeout(ctx, answerTimeout)
	defer cancel()
	if w.taskQueue == "" {
		desc, err := w.c.DescribeWorkflowExecution(ctx, w.id, "")
		if err != nil {
			return unreachable(err)
		}
		w.taskQueue = desc.GetWorkflowExecutionInfo().GetTaskQueue()
	}
	n, err := Pollers(ctx, w.c, w.taskQueue)
	switch {
	case err != nil:
		return unreachable(err)
	case n == 0:
		return fmt.Sprintf("no worker is polling task queue %s: start one (go run ./worker); the export waits for it", w.taskQueue)
	}
	if w.last != "" {
		return w.last // a busy worker answers between batches of pages
	}
	return "waiting for the worker to answer: " + oneLine(Describe(queryErr))
}

func unreachable(err error) string {
	return "Temporal unreachable, reconnecting: " + oneLine(Describe(err))
}

// NoAnswer says why a running export's progress query had no answer.
func NoAnswer(ctx context.Context, c client.Client, workflowID, taskQueue string, queryErr error) string {
	w := watcher{c: c, id: workflowID, taskQueue: taskQueue}
	return w.trouble(ctx, queryErr)
}

// pollerFresh is how recently a poller must have polled to count: a live worker polls
// again at least every minute or so, while Temporal lists a dead one for a few minutes.
const pollerFresh = 2 * time.Minute

// Pollers counts the workers that polled taskQueue's workflow tasks lately.
func Pollers(ctx context.Context, c client.Client, taskQueue string) (int, error) {
	resp, err := c.DescribeTaskQueue(ctx, taskQueue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range resp.GetPollers() {
		if at := p.GetLastAccessTime(); at == nil || time.Since(at.AsTime()) < pollerFresh {
			n++
		}
	}
	return n, nil
}

func oneLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}

// Query asks a running export for its progress.
func Query(ctx context.Context, c client.Client, workflowID string) (workflows.Progress, error) {
	var p workflows.Progress
	v, err := c.QueryWorkflow(ctx, workflowID, "", workflows.QueryProgress)
	if err != nil {
		return p, err
	}
	return p, v.Get(&p)
}
