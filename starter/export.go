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
	ef := addExportFlags(fs)
	fs.StringVar(&ef.in.ExportID, "export-id", "", "export and workflow id (default provider-resource)")
	wait := fs.Bool("wait", false, "follow progress until the export ends")
	if err := fs.Parse(args); err != nil {
		return err
	}
	in, err := ef.input()
	if err != nil {
		return err
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

// exportFlags are the flags that describe an export; export and schedule create share them.
type exportFlags struct {
	in      workflows.ExportInput
	fields  string
	query   string
	filters keyValues
}

func addExportFlags(fs *flag.FlagSet) *exportFlags {
	ef := &exportFlags{filters: keyValues{}}
	fs.StringVar(&ef.in.Provider, "provider", "", "clio, attio, close or clever (required)")
	fs.StringVar(&ef.in.Resource, "resource", "", "resource to export, e.g. contacts (required)")
	fs.StringVar(&ef.in.Strategy, "strategy", "", "cursor, offset or window (default: the resource's own)")
	fs.IntVar(&ef.in.PageSize, "page-size", 0, "records per page (default: the provider's maximum)")
	fs.StringVar(&ef.fields, "fields", "", "comma-separated fields to request")
	fs.Var(ef.filters, "filter", "key=value filter passed to the API (repeatable)")
	fs.StringVar(&ef.query, "query", "", "JSON filter body for POST query endpoints")
	fs.StringVar(&ef.in.Prefix, "prefix", "", "destination folder in the bucket (default provider/resource)")
	fs.IntVar(&ef.in.PagesPerRun, "pages-per-run", 0, "pages per workflow run before continue-as-new")
	fs.BoolVar(&ef.in.ReplaceOwner, "replace-owner", false, "clear and take over a folder another workflow's export owns")
	return ef
}

// input is the parsed flags as an export input.
func (ef *exportFlags) input() (workflows.ExportInput, error) {
	in := ef.in
	if in.Provider == "" || in.Resource == "" {
		return in, errors.New("--provider and --resource are required")
	}
	if ef.fields != "" {
		in.Fields = strings.Split(ef.fields, ",")
	}
	if len(ef.filters) > 0 {
		in.Filters = ef.filters
	}
	if ef.query != "" {
		if !json.Valid([]byte(ef.query)) {
			return in, errors.New("--query is not valid JSON")
		}
		in.Query = json.RawMessage(ef.query)
	}
	return in, nil
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
