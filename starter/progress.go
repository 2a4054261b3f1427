package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/workflows"
)

// progressCmd prints where an export stands: for people, its state, percent, rate and
// ETA; with --output json, the progress query's answer. An export that ended without a
// manifest (failed, cancelled, terminated) exits 1.
func progressCmd(ctx context.Context, args []string) error {
	c := newCommand("progress", "progress EXPORT_ID [--output json]")
	out := addOutput(c)
	ids, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return usagef("progress", "give one EXPORT_ID")
	}
	tc, _, err := dial()
	if err != nil {
		return err
	}
	defer tc.Close()
	s, err := exportclient.GetStatus(ctx, tc, ids[0])
	if err != nil {
		return err
	}
	if s.Running && s.Progress == nil && s.AccountProgress == nil {
		return &exportclient.Error{Msg: fmt.Sprintf("export %s is running; its progress has no answer: %s", s.ID,
			exportclient.NoAnswer(ctx, tc, s.ID, s.TaskQueue, s.QueryError)), Hint: "a worker answers progress; the Web UI shows the export meanwhile"}
	}
	if out.json() {
		err = printJSON(out, progressJSON(s))
	} else {
		writeStatus(os.Stdout, s, time.Now())
	}
	if err != nil || !s.Ended() {
		return err
	}
	return &exportclient.Error{Msg: fmt.Sprintf("export %s %s: %s", s.ID, s.Status, s.Failure),
		Hint: fmt.Sprintf("starter resume %s continues it, keeping its pages", s.ID)}
}

// progressJSON is the progress query's answer; for an export that has ended, its phase
// and error say how, and the counts are its result's when it completed.
func progressJSON(s exportclient.Status) any {
	if s.Account {
		if s.AccountProgress != nil {
			return s.AccountProgress
		}
		return s.AccountResult
	}
	var p workflows.Progress
	if s.Progress != nil {
		p = *s.Progress
	}
	if p.ExportID == "" {
		p.ExportID = s.ID
	}
	if r := s.Result; r != nil {
		p.Phase, p.ExportID, p.Records, p.Pages, p.Bytes, p.StartedAt = workflows.PhaseDone, r.ExportID, r.Records, r.Pages, r.Bytes, r.StartedAt
	}
	if s.Ended() {
		p.Phase, p.Error = workflows.PhaseFailed, s.Failure
		if s.Status == "cancelled" {
			p.Phase = workflows.PhaseCancelled
		}
	}
	return p
}

// writeStatus is the human form: one labelled line per fact, nothing internal.
func writeStatus(w io.Writer, s exportclient.Status, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	line := func(k, format string, args ...any) { fmt.Fprintf(tw, "%s\t%s\n", k, fmt.Sprintf(format, args...)) }
	if s.Account {
		writeAccountStatus(line, s)
		return
	}
	p := s.Progress
	what := s.ID
	if p != nil && p.Provider != "" {
		what = fmt.Sprintf("%s (%s %s", s.ID, p.Provider, p.Resource)
		if p.Strategy != "" {
			what += ", " + p.Strategy
		}
		what += ")"
	}
	line("export", "%s", what)
	switch {
	case s.Running:
		line("state", "%s", state(s.ID, *p))
	case s.Ended():
		line("state", "%s at %s: %s", s.Status, stamp(s.ClosedAt), s.Failure)
	default:
		line("state", "completed at %s", stamp(s.ClosedAt))
	}
	if r := s.Result; r != nil {
		line("records", "%d in %d pages, %s, in %s", r.Records, r.Pages, humanBytes(r.Bytes), r.FinishedAt.Sub(r.StartedAt).Round(time.Second))
		line("manifest", "%s", r.Manifest)
		return
	}
	if p == nil {
		return
	}
	line("progress", "%s", counts(*p))
	started := p.StartedAt
	if started.IsZero() {
		return // Prepare never finished: nothing was exported
	}
	if s.Running && !p.Paused {
		elapsed := now.Sub(started)
		if elapsed > time.Second && p.Records > 0 {
			rate := float64(p.Records) / elapsed.Seconds()
			r := fmt.Sprintf("%.0f records/s on average", rate)
			if eta, ok := exportclient.ETA(*p, rate); ok {
				r += ", ETA " + eta
			}
			line("rate", "%s", r)
		}
	}
	line("started", "%s (%s ago), run %d", stamp(started), now.Sub(started).Round(time.Second), max(p.Run, 1))
	if !p.Since.IsZero() {
		line("since", "%s (incremental: records changed since then)", stamp(p.Since))
	}
	if p.LastError != "" {
		line("retrying", "%s (last seen %s)", p.LastError, stamp(p.LastErrorAt))
	}
}

func writeAccountStatus(line func(k, format string, args ...any), s exportclient.Status) {
	line("account export", "%s", s.ID)
	switch {
	case s.Ended():
		line("state", "%s at %s: %s", s.Status, stamp(s.ClosedAt), s.Failure)
	case !s.Running:
		line("state", "completed at %s", stamp(s.ClosedAt))
	}
	if p := s.AccountProgress; p != nil {
		line("progress", "%s", exportclient.RenderAccount(*p, 0))
		for _, e := range p.Resources {
			line("  "+e.Resource, "%s, %d records, %d pages", e.Status, e.Records, e.Pages)
		}
	}
	if r := s.AccountResult; r != nil {
		line("records", "%d in %d pages", r.Records, r.Pages)
		line("manifest", "%s", r.Manifest)
	}
}

// state is a running export's phase as people say it: paused rather than exporting.
func state(id string, p workflows.Progress) string {
	switch {
	case p.Paused && p.Idle:
		return "paused: temporal workflow signal --workflow-id " + id + " --name resume carries on"
	case p.Paused:
		return "pausing: the pages in flight finish"
	}
	return strings.ReplaceAll(p.Phase, "_", " ")
}

func counts(p workflows.Progress) string {
	if p.Total > 0 {
		return fmt.Sprintf("%.0f%%: %d of %d records, %d pages, %s", min(float64(p.Records)/float64(p.Total), 1)*100,
			p.Records, p.Total, p.Pages, humanBytes(p.Bytes))
	}
	return fmt.Sprintf("%d records, %d pages, %s", p.Records, p.Pages, humanBytes(p.Bytes))
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

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
