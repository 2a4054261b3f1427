package exportclient

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/workflows"
)

// Follow waits for an export to end, printing its progress: a redrawn bar when tty is
// true, a plain line every few seconds otherwise.
func Follow(ctx context.Context, c client.Client, workflowID string, out io.Writer, tty bool) (workflows.ExportResult, error) {
	var res workflows.ExportResult
	started := time.Now()
	err := follow(ctx, c, workflowID, &res, out, tty, func() (string, error) {
		p, err := Query(ctx, c, workflowID)
		return Render(p, time.Since(started)), err
	})
	return res, err
}

// follow waits for workflowID's result into res, printing line() as it goes.
func follow(ctx context.Context, c client.Client, workflowID string, res any, out io.Writer, tty bool, line func() (string, error)) error {
	done := make(chan error, 1)
	go func() {
		// An empty run id follows the chain across continue-as-new.
		done <- c.GetWorkflow(ctx, workflowID, "").Get(ctx, res)
	}()
	every := 5 * time.Second
	if tty {
		every = 250 * time.Millisecond
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if tty {
				fmt.Fprintln(out)
			}
			return err
		case <-tick.C:
			l, err := line()
			if err != nil {
				continue // the worker may be restarting; the next tick asks again
			}
			if tty {
				fmt.Fprintf(out, "\r\033[K%s", l)
			} else {
				fmt.Fprintln(out, l)
			}
		}
	}
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

// Render is one line of progress: a bar when the API reports a total, counts otherwise.
func Render(p workflows.Progress, elapsed time.Duration) string {
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(p.Records) / s
	}
	counts := fmt.Sprintf("%s %d records, %d pages, %s, %.0f rec/s, run %d", p.Phase, p.Records, p.Pages, humanBytes(p.Bytes), rate, p.Run)
	if p.Total <= 0 {
		return counts
	}
	const width = 30
	frac := min(float64(p.Records)/float64(p.Total), 1)
	filled := int(frac * width)
	return fmt.Sprintf("[%s%s] %3.0f%% %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), frac*100, counts)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
