package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/workflows"
)

const exportSynopsis = `export --provider P --resource R [flags]
       starter export --provider P (--all | --resources A,B) [flags]`

// exportArgs is what export's flags ask for.
type exportArgs struct {
	in   workflows.ExportInput
	acct *workflows.AccountInput // an account export, with --all or --resources
	wait bool
	out  *output
}

// parseExport reads export's flags: the whole input (an account's, with --all or
// --resources), and whether to follow it.
func parseExport(args []string) (in workflows.ExportInput, acct *workflows.AccountInput, wait bool, err error) {
	a, err := parseExportArgs(args)
	return a.in, a.acct, a.wait, err
}

func parseExportArgs(args []string) (exportArgs, error) {
	var a exportArgs
	c := newCommand("export", exportSynopsis)
	ef := addExportFlags(c.FlagSet)
	c.StringVar(&ef.in.ExportID, "export-id", "", "export and workflow id (default provider-resource, or provider-account)")
	c.BoolVar(&a.wait, "wait", false, "follow progress until the export ends")
	a.out = addOutput(c)
	rest, err := c.parse(args)
	if err != nil {
		return a, err
	}
	if len(rest) > 0 {
		return a, usagef("export", "unexpected argument %q", rest[0])
	}
	if a.acct, err = ef.account(); a.acct != nil || err != nil {
		return a, inputErr("export", err)
	}
	a.in, err = ef.input()
	return a, inputErr("export", err)
}

// inputErr makes a flag combination the starter refuses a usage error.
func inputErr(cmd string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		msg = app.Message()
	}
	return &usageError{msg: msg, cmd: cmd}
}

// exportFlags are the flags that describe an export; export and schedule create share
// them. Zero means the workflow's default, which each usage line names.
type exportFlags struct {
	in      workflows.ExportInput
	fields  string
	query   string
	filters keyValues
	// An account export: every resource (all) or the named ones.
	all         bool
	resources   string
	concurrency int
}

func addExportFlags(fs *flag.FlagSet) *exportFlags {
	ef := &exportFlags{filters: keyValues{}}
	in := &ef.in
	fs.StringVar(&in.Provider, "provider", "", "clio, attio, close or clever (required)")
	fs.StringVar(&in.Credential, "credential", "", "name of the account's token on the worker, e.g. acme for CLIO_TOKEN_ACME (default: the provider's own token)")
	fs.StringVar(&in.Resource, "resource", "", "resource to export, e.g. contacts (required, unless --all or --resources)")
	fs.BoolVar(&ef.all, "all", false, "export every resource the account holds, one export each (see starter resources)")
	fs.StringVar(&ef.resources, "resources", "", "comma-separated resources to export as one account export")
	fs.IntVar(&ef.concurrency, "concurrency", 0,
		fmt.Sprintf("with --all or --resources: resources exported at once (default %d, at most %d)", workflows.DefaultAccountConcurrency, workflows.MaxAccountConcurrency))
	fs.StringVar(&in.Strategy, "strategy", "", "cursor, offset or window (default: the resource's own)")
	fs.IntVar(&in.PageSize, "page-size", 0, "records per page (default: the provider's maximum)")
	fs.StringVar(&ef.fields, "fields", "", "comma-separated fields to request")
	fs.Var(ef.filters, "filter", "`key=value` filter passed to the API (repeatable)")
	fs.StringVar(&ef.query, "query", "", "JSON filter body for POST query endpoints")
	fs.StringVar(&in.Prefix, "prefix", "", "destination folder in the bucket (default provider/resource)")
	fs.IntVar(&in.Parallelism, "parallelism", 0,
		fmt.Sprintf("partitions paged at once where the strategy allows it (default 1, at most %d)", workflows.MaxParallelism))
	fs.IntVar(&in.PagesPerRun, "pages-per-run", 0,
		fmt.Sprintf("at most this many pages per workflow run before continue-as-new (default %d for a serial export; a parallel one: as many as fit in %d history events; at most %d)", workflows.DefaultPagesPerRun, workflows.RunEvents, workflows.MaxPagesPerRun))
	fs.BoolVar(&in.Incremental, "incremental", false, "export only records created or updated since the last successful export")
	fs.Var(rfc3339{&in.Since}, "since", "RFC 3339 `time`, e.g. 2026-01-31T00:00:00Z: export only records changed at or after it (overrides the watermark)")
	fs.IntVar(&in.HeartbeatSeconds, "heartbeat-seconds", 0,
		fmt.Sprintf("how soon a parallel export's page held by a dead worker is retried on another (default 10, at most %d)", workflows.MaxHeartbeatSeconds))
	fs.StringVar(&in.Reconcile, "reconcile", "", "warn or fail when the exported count lies outside the provider's own counts (default warn)")
	fs.BoolVar(&in.ReplaceOwner, "replace-owner", false, "clear and take over a folder another workflow's export owns")
	fs.BoolVar(&in.Replace, "replace", false, "export again an id that completed: its verified export is deleted when the new run starts (without it the starter and the worker refuse)")
	fs.BoolVar(&in.Resume, "resume", false, "continue the stopped run of this export id, keeping its pages (or use starter resume EXPORT_ID)")
	fs.StringVar(&in.CredentialDeadline, "credential-deadline", "", "how long to wait for a credential refused mid-export, e.g. 24h (default 24h)")
	fs.StringVar(&in.OutageDeadline, "outage-deadline", "", "how long to retry pages that keep failing before the export fails, e.g. 24h (default 24h)")
	fs.StringVar(&in.Format, "format", "", "jsonl, parquet or both: parquet adds typed Parquet files and schema.json, derived from the pages (default jsonl)")
	fs.StringVar(&in.TablePath, "table-path", "", "with --format parquet or both: where each file goes in the export's table/ folder, e.g. 'dt={yyyy}-{mm}-{dd}/part-{part}.parquet' (default part-{part}.parquet)")
	fs.StringVar(&in.TableCompression, "table-compression", "", "with --format parquet or both: zstd, snappy or gzip (default zstd)")
	fs.IntVar(&in.TableFileMiB, "table-file-mib", 0, "with --format parquet or both: about this many MiB of record text a file (default 128)")
	fs.BoolVar(&in.TableRaw, "table-raw", false, "with --format parquet or both: add a _raw column holding each record exactly as the API returned it")
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

// account is the flags as an account export's input, or nil when they ask for one export.
func (ef *exportFlags) account() (*workflows.AccountInput, error) {
	if !ef.all && ef.resources == "" {
		if ef.concurrency != 0 {
			return nil, errors.New("--concurrency applies to --all or --resources")
		}
		return nil, nil
	}
	in := ef.in
	switch {
	case in.Provider == "":
		return nil, errors.New("--provider is required")
	case in.Resource != "":
		return nil, errors.New("--resource names one export; --all and --resources an account export: give one of them")
	case in.Strategy != "" || in.PageSize != 0 || ef.fields != "" || len(ef.filters) > 0 || ef.query != "":
		return nil, errors.New("--strategy, --page-size, --fields, --filter and --query apply to one resource: export it on its own")
	}
	acct := &workflows.AccountInput{ExportID: in.ExportID, Provider: in.Provider, Credential: in.Credential, All: ef.all,
		Prefix: in.Prefix, Concurrency: ef.concurrency, Parallelism: in.Parallelism, PagesPerRun: in.PagesPerRun,
		HeartbeatSeconds: in.HeartbeatSeconds, Reconcile: in.Reconcile, CredentialDeadline: in.CredentialDeadline,
		OutageDeadline: in.OutageDeadline, ReplaceOwner: in.ReplaceOwner, Incremental: in.Incremental, Since: in.Since,
		Resume: in.Resume, Replace: in.Replace, Format: in.Format, TablePath: in.TablePath, TableCompression: in.TableCompression,
		TableFileMiB: in.TableFileMiB, TableRaw: in.TableRaw}
	if ef.resources != "" {
		acct.Resources = strings.Split(ef.resources, ",")
	}
	return acct, workflows.ValidateAccountInput(*acct)
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

// rfc3339 is a time flag; the flag package may call String on its zero value.
type rfc3339 struct{ t *time.Time }

func (f rfc3339) String() string {
	if f.t == nil || f.t.IsZero() {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f rfc3339) Set(s string) error {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return errors.New("want an RFC 3339 time such as 2026-01-31T00:00:00Z")
	}
	*f.t = t
	return nil
}
