package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/config"
	"github.com/pagewise/pagewise/internal/exportclient"
)

func exportCmd(ctx context.Context, args []string) error {
	a, err := parseExportArgs(args)
	if err != nil {
		return err
	}
	if a.acct != nil {
		if err := exportclient.CheckAccount(*a.acct); err != nil {
			return &badInput{err}
		}
	} else if err := exportclient.Check(a.in); err != nil {
		return &badInput{err}
	}
	c, t, err := dial()
	if err != nil {
		return err
	}
	defer c.Close()
	if a.acct != nil {
		return exportAccount(ctx, c, t.TaskQueue, *a.acct, a.wait, a.out)
	}
	run, err := exportclient.Start(ctx, c, t.TaskQueue, a.in)
	if err != nil {
		return err
	}
	if !a.out.json() {
		fmt.Println(run.GetID())
	}
	if !a.wait {
		return printJSON(a.out, map[string]string{"workflow_id": run.GetID(), "run_id": run.GetRunID()})
	}
	res, err := exportclient.Follow(ctx, c, run.GetID(), os.Stderr, config.IsTerminal(os.Stderr))
	if err != nil {
		return failed(ctx, run.GetID(), err)
	}
	if a.out.json() {
		return printJSON(a.out, res)
	}
	fmt.Fprintf(os.Stderr, "done: %d records in %d pages (%d bytes)\nmanifest: %s\n", res.Records, res.Pages, res.Bytes, res.Manifest)
	return nil
}

// failed is an export's failure as its cause alone, with what to do next.
func failed(ctx context.Context, id string, err error) error {
	if ctx.Err() != nil {
		return &exportclient.Error{Msg: "stopped following export " + id + "; the export carries on",
			Hint: "starter progress " + id + " shows it; starter cancel " + id + " stops it"}
	}
	return &exportclient.Error{Msg: fmt.Sprintf("export %s failed: %s", id, exportclient.Describe(err)),
		Hint: fmt.Sprintf("starter progress %s shows where it stopped; starter resume %s continues it, keeping its pages", id, id)}
}

func printJSON(o *output, v any) error {
	if !o.json() {
		return nil
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// resumeCmd continues a stopped export with the input its last run had.
func resumeCmd(ctx context.Context, args []string) error {
	c := newCommand("resume", "resume EXPORT_ID [--wait]")
	wait := c.Bool("wait", false, "follow progress until the export ends")
	out := addOutput(c)
	ids, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return usagef("resume", "give one EXPORT_ID")
	}
	tc, t, err := dial()
	if err != nil {
		return err
	}
	defer tc.Close()
	run, err := exportclient.Resume(ctx, tc, t.TaskQueue, ids[0])
	if err != nil {
		return err
	}
	if !out.json() {
		fmt.Println(run.GetID())
	}
	if !*wait {
		return printJSON(out, map[string]string{"workflow_id": run.GetID(), "run_id": run.GetRunID()})
	}
	if account, err := exportclient.IsAccount(ctx, tc, run.GetID()); err == nil && account {
		res, err := exportclient.FollowAccount(ctx, tc, run.GetID(), os.Stderr, config.IsTerminal(os.Stderr))
		if out.json() {
			_ = printJSON(out, res)
		} else {
			printAccount(res)
		}
		if err != nil {
			return failed(ctx, run.GetID(), err)
		}
		return nil
	}
	res, err := exportclient.Follow(ctx, tc, run.GetID(), os.Stderr, config.IsTerminal(os.Stderr))
	if err != nil {
		return failed(ctx, run.GetID(), err)
	}
	if out.json() {
		return printJSON(out, res)
	}
	fmt.Fprintf(os.Stderr, "done: %d records in %d pages (%d bytes), %d pages kept from the stopped run\nmanifest: %s\n",
		res.Records, res.Pages, res.Bytes, keptPages(res.Resumed), res.Manifest)
	return nil
}

func keptPages(r *activities.Resumed) int {
	if r == nil {
		return 0
	}
	return r.PagesKept
}

func cancelCmd(ctx context.Context, args []string) error {
	c := newCommand("cancel", "cancel EXPORT_ID")
	ids, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return usagef("cancel", "give one EXPORT_ID")
	}
	tc, _, err := dial()
	if err != nil {
		return err
	}
	defer tc.Close()
	msg, err := exportclient.Cancel(ctx, tc, ids[0])
	if err != nil {
		return err
	}
	fmt.Println(msg)
	return nil
}
