package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/config"
	"github.com/pagewise/pagewise/internal/exportclient"
)

func exportCmd(ctx context.Context, args []string) error {
	in, acct, wait, err := parseExport(args)
	if err != nil {
		return err
	}
	c, t, err := dial()
	if err != nil {
		return err
	}
	defer c.Close()
	if acct != nil {
		return exportAccount(ctx, c, t.TaskQueue, *acct, wait)
	}
	run, err := exportclient.Start(ctx, c, t.TaskQueue, in)
	if err != nil {
		return err
	}
	fmt.Println(run.GetID())
	if !wait {
		return nil
	}
	res, err := exportclient.Follow(ctx, c, run.GetID(), os.Stderr, config.IsTerminal(os.Stderr))
	if err != nil {
		return fmt.Errorf("export %s: %w", run.GetID(), err)
	}
	fmt.Fprintf(os.Stderr, "done: %d records in %d pages (%d bytes)\nmanifest: %s\n", res.Records, res.Pages, res.Bytes, res.Manifest)
	return nil
}

func progressCmd(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: starter progress EXPORT_ID")
	}
	c, _, err := dial()
	if err != nil {
		return err
	}
	defer c.Close()
	account, err := exportclient.IsAccount(ctx, c, args[0])
	if err != nil {
		return err
	}
	var p any
	if account {
		p, err = exportclient.AccountProgress(ctx, c, args[0])
	} else {
		p, err = exportclient.Query(ctx, c, args[0])
	}
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// resumeCmd continues a stopped export with the input its last run had.
func resumeCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("resume", flag.ContinueOnError)
	wait := fs.Bool("wait", false, "follow progress until the export ends")
	if err := fs.Parse(flagsFirst(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: starter resume EXPORT_ID [--wait]")
	}
	c, t, err := dial()
	if err != nil {
		return err
	}
	defer c.Close()
	run, err := exportclient.Resume(ctx, c, t.TaskQueue, fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Println(run.GetID())
	if !*wait {
		return nil
	}
	if account, err := exportclient.IsAccount(ctx, c, run.GetID()); err == nil && account {
		res, err := exportclient.FollowAccount(ctx, c, run.GetID(), os.Stderr, config.IsTerminal(os.Stderr))
		printAccount(res)
		return err
	}
	res, err := exportclient.Follow(ctx, c, run.GetID(), os.Stderr, config.IsTerminal(os.Stderr))
	if err != nil {
		return fmt.Errorf("export %s: %w", run.GetID(), err)
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
	if len(args) != 1 {
		return errors.New("usage: starter cancel EXPORT_ID")
	}
	c, _, err := dial()
	if err != nil {
		return err
	}
	defer c.Close()
	return c.CancelWorkflow(ctx, args[0], "")
}

// flagsFirst moves flags before the arguments, so "resume ID --wait" parses as the usage
// line reads; the flag package stops at the first argument.
func flagsFirst(args []string) []string {
	var flags, rest []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
		} else {
			rest = append(rest, a)
		}
	}
	return append(flags, rest...)
}
