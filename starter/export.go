package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/pagewise/pagewise/internal/config"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/workflows"
)

func exportCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	var in workflows.ExportInput
	var fields, query string
	filters := keyValues{}
	fs.StringVar(&in.Provider, "provider", "", "clio, attio, close or clever (required)")
	fs.StringVar(&in.Resource, "resource", "", "resource to export, e.g. contacts (required)")
	fs.StringVar(&in.ExportID, "export-id", "", "export and workflow id (default provider-resource)")
	fs.StringVar(&in.Strategy, "strategy", "", "cursor, offset or window (default: the resource's own)")
	fs.IntVar(&in.PageSize, "page-size", 0, "records per page (default: the provider's maximum)")
	fs.StringVar(&fields, "fields", "", "comma-separated fields to request")
	fs.Var(filters, "filter", "key=value filter passed to the API (repeatable)")
	fs.StringVar(&query, "query", "", "JSON filter body for POST query endpoints")
	fs.StringVar(&in.Prefix, "prefix", "", "destination folder in the bucket (default provider/resource)")
	fs.IntVar(&in.PagesPerRun, "pages-per-run", 0, "pages per workflow run before continue-as-new")
	wait := fs.Bool("wait", false, "follow progress until the export ends")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if in.Provider == "" || in.Resource == "" {
		return errors.New("--provider and --resource are required")
	}
	if fields != "" {
		in.Fields = strings.Split(fields, ",")
	}
	if len(filters) > 0 {
		in.Filters = filters
	}
	if query != "" {
		if !json.Valid([]byte(query)) {
			return errors.New("--query is not valid JSON")
		}
		in.Query = json.RawMessage(query)
	}
	c, t, err := dial()
	if err != nil {
		return err
	}
	defer c.Close()
	run, err := exportclient.Start(ctx, c, t.TaskQueue, in)
	if err != nil {
		return err
	}
	fmt.Println(run.GetID())
	if !*wait {
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
	p, err := exportclient.Query(ctx, c, args[0])
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
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

// keyValues collects repeated key=value flags.
type keyValues map[string]string

func (kv keyValues) String() string { return fmt.Sprint(map[string]string(kv)) }

func (kv keyValues) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("filter %q is not key=value", s)
	}
	kv[k] = v
	return nil
}
