package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/internal/exportclient"
)

const scheduleUsage = `usage:
  starter schedule create --provider P --resource R (--every D | --cron EXPR) [flags]
  starter schedule list
  starter schedule describe SCHEDULE_ID
  starter schedule pause SCHEDULE_ID [--note TEXT]
  starter schedule unpause SCHEDULE_ID [--note TEXT]
  starter schedule trigger SCHEDULE_ID
  starter schedule delete SCHEDULE_ID`

func scheduleCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New(scheduleUsage)
	}
	sub, rest := args[0], args[1:]
	if sub == "create" {
		s, err := parseScheduleCreate(rest)
		if err != nil {
			return err
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
		return withClient(func(c client.Client, _ string) error {
			lines, err := exportclient.ListSchedules(ctx, c)
			for _, l := range lines {
				fmt.Println(l)
			}
			return err
		})
	}
	switch sub {
	case "describe", "pause", "unpause", "trigger", "delete":
	default:
		return fmt.Errorf("unknown schedule command %q\n%s", sub, scheduleUsage)
	}
	fs := flag.NewFlagSet("schedule "+sub, flag.ContinueOnError)
	var note string
	if sub == "pause" || sub == "unpause" {
		fs.StringVar(&note, "note", "", "why (describe shows it)")
	}
	id, err := idAndFlags(fs, rest)
	if err != nil {
		return err
	}
	return withClient(func(c client.Client, _ string) error {
		err := manage(ctx, c, sub, id, note)
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return fmt.Errorf("no schedule %q (starter schedule list shows them)", id)
		}
		return err
	})
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
	fs := flag.NewFlagSet("schedule create", flag.ContinueOnError)
	ef := addExportFlags(fs)
	var s exportclient.Schedule
	fs.StringVar(&ef.in.ExportID, "export-id", "", "not allowed: each run's export id is its own workflow id")
	fs.StringVar(&s.ID, "schedule-id", "", "schedule id, also the prefix of each run's workflow id (default provider-resource)")
	fs.DurationVar(&s.Every, "every", 0, "run every DURATION, e.g. 6h (or --cron)")
	fs.StringVar(&s.Cron, "cron", "", `run at these times, e.g. "0 2 * * *" (UTC; or --every)`)
	overlap := fs.String("overlap", "skip", "when a run is due while the last still runs: "+strings.Join(exportclient.OverlapNames(), ", "))
	fs.DurationVar(&s.CatchupWindow, "catchup-window", time.Hour, "how late a run missed while Temporal was down may still start")
	fs.BoolVar(&s.PauseOnFailure, "pause-on-failure", true, "pause the schedule when a run fails")
	fs.BoolVar(&s.Paused, "paused", false, "create it paused")
	fs.StringVar(&s.Note, "note", "", "note shown by describe")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if fs.NArg() > 0 {
		return s, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if s.Overlap, err = exportclient.ParseOverlap(*overlap); err != nil {
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
func idAndFlags(fs *flag.FlagSet, args []string) (string, error) {
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	rest := fs.Args()
	if id == "" && len(rest) == 1 {
		id, rest = rest[0], nil
	}
	if id == "" || len(rest) > 0 {
		return "", fmt.Errorf("give exactly one SCHEDULE_ID\n%s", scheduleUsage)
	}
	return id, nil
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
