package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/internal/exportclient"
)

const scheduleUsage = `usage:
  starter schedule create --provider P --resource R (--every D | --cron EXPR) [flags]
  starter schedule list [--output json]
  starter schedule describe SCHEDULE_ID
  starter schedule pause SCHEDULE_ID [--note TEXT]
  starter schedule unpause SCHEDULE_ID [--note TEXT]
  starter schedule trigger SCHEDULE_ID
  starter schedule delete SCHEDULE_ID

Run 'starter schedule COMMAND -h' for a command's flags.`

func scheduleCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, scheduleUsage)
		return usagef("schedule", "no schedule command")
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "-h", "-help", "--help", "help":
		fmt.Println(scheduleUsage)
		return nil
	}
	if sub == "create" {
		s, err := parseScheduleCreate(rest)
		if err != nil {
			return err
		}
		if s.Account == nil {
			if err := exportclient.Check(s.Input); err != nil {
				return &badInput{err}
			}
		} else if err := exportclient.CheckAccount(*s.Account); err != nil {
			return &badInput{err}
		}
		return withClient(func(c client.Client, taskQueue string) error {
			h, err := exportclient.CreateSchedule(ctx, c, taskQueue, s)
			if err == nil {
				fmt.Println(h.GetID())
			}
			return err
		})
	}
	if sub == "list" {
		return listSchedules(ctx, rest)
	}
	switch sub {
	case "describe", "pause", "unpause", "trigger", "delete":
	default:
		return &usageError{msg: fmt.Sprintf("unknown schedule command %q", sub), cmd: "schedule"}
	}
	cmd := newCommand("schedule "+sub, "schedule "+sub+" SCHEDULE_ID")
	var note string
	if sub == "pause" || sub == "unpause" {
		cmd.synopsis += " [--note TEXT]"
		cmd.StringVar(&note, "note", "", "why (describe shows it)")
	}
	if sub == "describe" {
		addOutput(cmd) // describe prints JSON either way
	}
	id, err := idAndFlags(cmd, rest)
	if err != nil {
		return err
	}
	return withClient(func(c client.Client, _ string) error {
		err := manage(ctx, c, sub, id, note)
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return &exportclient.Error{Msg: fmt.Sprintf("no schedule %q", id), Hint: "starter schedule list shows them"}
		}
		if err == nil && sub != "describe" {
			fmt.Printf("schedule %s: %s\n", id, done[sub])
		}
		return err
	})
}

// done says what each command did.
var done = map[string]string{
	"pause":   "paused; runs in progress carry on",
	"unpause": "unpaused",
	"trigger": "triggered (under its overlap policy: with skip, nothing starts while a run is in progress)",
	"delete":  "deleted; runs in progress carry on",
}

// listSchedules prints a table with a header, or says there are none.
func listSchedules(ctx context.Context, args []string) error {
	cmd := newCommand("schedule list", "schedule list [--output json]")
	out := addOutput(cmd)
	rest, err := cmd.parse(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("schedule list", "unexpected argument %q", rest[0])
	}
	return withClient(func(c client.Client, _ string) error {
		rows, err := exportclient.ListScheduleRows(ctx, c)
		if err != nil {
			return err
		}
		if out.json() {
			return printJSON(out, rows)
		}
		if len(rows) == 0 {
			fmt.Println("no schedules (starter schedule create makes one)")
			return nil
		}
		tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SCHEDULE\tSTATE\tSPEC\tNEXT RUN\tLAST RUN")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.State, strings.Join(r.Spec, "; "), dash(r.NextRun), dash(r.LastRun))
		}
		return tw.Flush()
	})
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// manage is one of describe, pause, unpause, trigger and delete on an existing schedule.
func manage(ctx context.Context, c client.Client, sub, id, note string) error {
	h := c.ScheduleClient().GetHandle(ctx, id)
	switch sub {
	case "describe":
		v, err := exportclient.DescribeSchedule(ctx, c, id)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "pause":
		return h.Pause(ctx, client.SchedulePauseOptions{Note: note})
	case "unpause":
		return h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: note})
	case "trigger":
		// The schedule's overlap policy applies: under skip, a run in progress wins.
		return h.Trigger(ctx, client.ScheduleTriggerOptions{})
	}
	// Runs already started carry on; only future ones are cancelled.
	return h.Delete(ctx)
}

// parseScheduleCreate reads create's flags: the export's own plus when and how it runs.
func parseScheduleCreate(args []string) (exportclient.Schedule, error) {
	fs := newCommand("schedule create", "schedule create --provider P (--resource R | --all) (--every D | --cron EXPR) [flags]")
	ef := addExportFlags(fs.FlagSet)
	var s exportclient.Schedule
	fs.StringVar(&ef.in.ExportID, "export-id", "", "not allowed: each run's export id is its own workflow id")
	fs.StringVar(&s.ID, "schedule-id", "", "schedule id, also the prefix of each run's workflow id (default provider-resource)")
	fs.Var(duration{&s.Every}, "every", "run every DURATION, e.g. 6h or 24h (or --cron)")
	fs.StringVar(&s.Cron, "cron", "", `run at these times, e.g. "0 2 * * *" (UTC; or --every)`)
	overlap := fs.String("overlap", "skip", "when a run is due while the last still runs: "+strings.Join(exportclient.OverlapNames(), ", "))
	s.CatchupWindow = time.Hour
	fs.Var(duration{&s.CatchupWindow}, "catchup-window", "how late a run missed while Temporal was down may still start")
	fs.BoolVar(&s.PauseOnFailure, "pause-on-failure", true, "pause the schedule when a run fails")
	fs.BoolVar(&s.Paused, "paused", false, "create it paused")
	fs.StringVar(&s.Note, "note", "", "note shown by describe")
	rest, err := fs.parse(args)
	if err != nil {
		return s, err
	}
	if len(rest) > 0 {
		return s, usagef("schedule create", "unexpected argument %q", rest[0])
	}
	s, err = checkScheduleCreate(s, ef, *overlap)
	return s, inputErr("schedule create", err)
}

// checkScheduleCreate completes and checks a parsed schedule: every check that needs
// no server.
func checkScheduleCreate(s exportclient.Schedule, ef *exportFlags, overlap string) (exportclient.Schedule, error) {
	var err error
	if s.Overlap, err = exportclient.ParseOverlap(overlap); err != nil {
		return s, fmt.Errorf("--overlap: %w", err)
	}
	if s.Account, err = ef.account(); err != nil {
		return s, err
	}
	if s.Account != nil {
		_, err := s.Options("check")
		return s, err
	}
	in, err := ef.input()
	if err != nil {
		return s, err
	}
	if in.Incremental && !in.Since.IsZero() {
		// since overrides the watermark, so every run would start from the same time.
		return s, errors.New("--since with --incremental: since overrides the watermark on every run; give one of them")
	}
	s.Input = in
	if _, err := s.Options("check"); err != nil { // every check that needs no server
		return s, err
	}
	return s, nil
}

// idAndFlags takes SCHEDULE_ID before or after the flags.
func idAndFlags(c *command, args []string) (string, error) {
	rest, err := c.parse(args)
	if err != nil {
		return "", err
	}
	if len(rest) != 1 {
		return "", usagef(c.name, "give exactly one SCHEDULE_ID")
	}
	return rest[0], nil
}

// withClient dials Temporal with the same TEMPORAL_* variables as the worker.
func withClient(fn func(c client.Client, taskQueue string) error) error {
	c, t, err := dial()
	if err != nil {
		return err
	}
	defer c.Close()
	return fn(c, t.TaskQueue)
}
