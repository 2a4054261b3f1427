package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/internal/config"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/workflows"
)

// exportAccount starts an account export and, with wait, follows it to the end.
func exportAccount(ctx context.Context, c client.Client, taskQueue string, in workflows.AccountInput, wait bool, out *output) error {
	run, err := exportclient.StartAccount(ctx, c, taskQueue, in)
	if err != nil {
		return err
	}
	if !out.json() {
		fmt.Println(run.GetID())
	}
	if !wait {
		return printJSON(out, map[string]string{"workflow_id": run.GetID(), "run_id": run.GetRunID()})
	}
	res, err := exportclient.FollowAccount(ctx, c, run.GetID(), os.Stderr, config.IsTerminal(os.Stderr))
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

// printAccount lists each resource's outcome.
func printAccount(res workflows.AccountResult) {
	if len(res.Resources) == 0 {
		return
	}
	tw := tabwriter.NewWriter(os.Stderr, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RESOURCE\tSTATUS\tRECORDS\tPAGES\tMANIFEST OR ERROR")
	for _, e := range res.Resources {
		where := e.Manifest
		if e.Error != "" {
			where = e.ErrorType + ": " + e.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", e.Resource, e.Status, e.Records, e.Pages, where)
	}
	tw.Flush()
	if res.Manifest != "" {
		fmt.Fprintf(os.Stderr, "done: %d records in %d pages\naccount manifest: %s\n", res.Records, res.Pages, res.Manifest)
	}
}

// resourcesCmd lists what an account holds: what --all would export. The worker holds
// the tokens, so the listing runs there, as an account export's dry run.
func resourcesCmd(ctx context.Context, args []string) error {
	c := newCommand("resources", "resources --provider NAME [--credential NAME] [--output json]")
	var in workflows.AccountInput
	c.StringVar(&in.Provider, "provider", "", "clio, attio, close or clever (required)")
	c.StringVar(&in.Credential, "credential", "", "name of the account's token on the worker (default: the provider's own)")
	out := addOutput(c)
	rest, err := c.parse(args)
	if err != nil {
		return err
	}
	if in.Provider == "" || len(rest) > 0 {
		return usagef("resources", "give --provider and no arguments")
	}
	in.All, in.DryRun = true, true
	in.ExportID = fmt.Sprintf("%s-resources-%d", in.Provider, time.Now().UnixNano())
	if err := exportclient.CheckAccount(in); err != nil {
		return &badInput{err}
	}
	tc, t, err := dial()
	if err != nil {
		return err
	}
	defer tc.Close()
	run, err := exportclient.StartAccount(ctx, tc, t.TaskQueue, in)
	if err != nil {
		return err
	}
	var res workflows.AccountResult
	if err := run.Get(ctx, &res); err != nil {
		return fmt.Errorf("listing %s resources: %s", in.Provider, exportclient.Describe(err))
	}
	if out.json() {
		return printJSON(out, res.Catalog)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RESOURCE\tSTRATEGY\tINCREMENTAL\tDISCOVERED\tENDPOINT\tREFERENCE")
	for _, r := range res.Catalog {
		fmt.Fprintf(tw, "%s\t%s\t%v\t%v\t%s\t%s\n", r.Name, r.Strategy, r.Incremental, r.Discovered, r.Endpoint, r.Reference)
	}
	return tw.Flush()
}
