package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/workflows"
)

// flagName is the flag for an ExportInput json field: the name with '-' for '_', but
// filters are given one --filter at a time.
func flagName(jsonName string) string {
	if jsonName == "filters" {
		return "filter"
	}
	return strings.ReplaceAll(jsonName, "_", "-")
}

// inputFields are ExportInput's json names, state (the workflow's own) left out.
func inputFields(t *testing.T) []string {
	t.Helper()
	var names []string
	for f := range reflect.TypeFor[workflows.ExportInput]().Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			t.Fatalf("ExportInput.%s has no json name", f.Name)
		}
		if name != "state" {
			names = append(names, name)
		}
	}
	return names
}

// allFlags sets every field to a value other than its zero.
var allFlags = map[string][]string{
	"export_id": {"--export-id", "nightly-leads"}, "provider": {"--provider", "close"}, "resource": {"--resource", "lead"},
	"strategy": {"--strategy", "window"}, "page_size": {"--page-size", "100"}, "fields": {"--fields", "id,display_name"},
	"filters": {"--filter", "status=active"}, "query": {"--query", `{"a":1}`}, "prefix": {"--prefix", "crm/close"},
	"parallelism": {"--parallelism", "4"}, "pages_per_run": {"--pages-per-run", "200"}, "incremental": {"--incremental"},
	"since": {"--since", "2026-01-31T00:00:00Z"}, "heartbeat_seconds": {"--heartbeat-seconds", "30"},
	"reconcile": {"--reconcile", "fail"}, "replace_owner": {"--replace-owner"}, "replace": {"--replace"}, "resume": {"--resume"},
	"credential": {"--credential", "acme"}, "credential_deadline": {"--credential-deadline", "2h"}, "outage_deadline": {"--outage-deadline", "6h"},
	"format": {"--format", "both"}, "table_path": {"--table-path", "dt={yyyy}-{mm}-{dd}/part-{part}.parquet"},
	"table_compression": {"--table-compression", "snappy"}, "table_file_mib": {"--table-file-mib", "256"}, "table_raw": {"--table-raw"},
}

// TestExportTakesTheWholeInput: every ExportInput field has a flag, the help lists it,
// and parsing the flags sets it.
func TestExportTakesTheWholeInput(t *testing.T) {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	addExportFlags(fs)
	var help bytes.Buffer
	fs.SetOutput(&help)
	fs.PrintDefaults()
	var args []string
	for _, name := range inputFields(t) {
		a, ok := allFlags[name]
		if !ok {
			t.Errorf("ExportInput field %q has no case in this test: add a flag and a case", name)
			continue
		}
		if name != "export_id" && fs.Lookup(flagName(name)) == nil {
			t.Errorf("no --%s flag for ExportInput field %q", flagName(name), name)
		}
		if !strings.Contains(help.String(), "-"+flagName(name)) && name != "export_id" {
			t.Errorf("help does not list --%s", flagName(name))
		}
		args = append(args, a...)
	}
	in, _, wait, err := parseExport(append(args, "--wait"))
	if err != nil || !wait {
		t.Fatalf("parse: %v (wait %v)", err, wait)
	}
	v := reflect.ValueOf(in)
	for i := range v.NumField() {
		if f := v.Type().Field(i); f.Name != "State" && v.Field(i).IsZero() {
			t.Errorf("flags left ExportInput.%s unset", f.Name)
		}
	}
	if !in.Since.Equal(time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)) || in.Parallelism != 4 || in.HeartbeatSeconds != 30 ||
		in.Reconcile != "fail" || in.Filters["status"] != "active" || string(in.Query) != `{"a":1}` {
		t.Errorf("parsed %+v", in)
	}
	if raw, _ := json.Marshal(in); strings.Contains(string(raw), `"state"`) {
		t.Errorf("input carries state: %s", raw)
	}
}

func TestHelpNamesTheDefaults(t *testing.T) {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	addExportFlags(fs)
	for name, want := range map[string]string{"parallelism": "default 1,", "pages-per-run": "default 500 for a serial export; a parallel one: as many as fit in 4000 history events",
		"heartbeat-seconds": "default 10,", "reconcile": "default warn", "strategy": "default: the resource's own"} {
		if u := fs.Lookup(name).Usage; !strings.Contains(u, want) {
			t.Errorf("--%s usage %q does not say %q", name, u, want)
		}
	}
}

func TestExportFlagErrors(t *testing.T) {
	base := []string{"--provider", "close", "--resource", "lead"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--since", "yesterday"}, "RFC 3339"},
		{[]string{"--since", "2026-01-31"}, "RFC 3339"},
		{[]string{"--parallelism", "many"}, "parallelism"},
		{[]string{"stray"}, `unexpected argument "stray"`},
	} {
		if _, _, _, err := parseExport(append(append([]string{}, base...), c.args...)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want it to say %q", c.args, err, c.want)
		}
	}
	in, _, _, err := parseExport(base)
	if err != nil || !in.Since.IsZero() || in.Parallelism != 0 || in.Reconcile != "" {
		t.Errorf("without flags the workflow's defaults apply: %+v %v", in, err)
	}
}

// TestScheduleCreateSharesTheInputFlags: every field but export_id (a run's export id is
// its workflow id) reaches the schedule's input; since with incremental is refused.
func TestScheduleCreateSharesTheInputFlags(t *testing.T) {
	args := []string{"--every", "1h"}
	for _, name := range inputFields(t) {
		if name != "export_id" && name != "since" && name != "resume" {
			args = append(args, allFlags[name]...)
		}
	}
	// resume continues one stopped export; a schedule's runs have none.
	if _, err := parseScheduleCreate(append(args, "--provider", "close", "--resume")); err == nil || !strings.Contains(err.Error(), "not a schedule") {
		t.Errorf("--resume on a schedule: err = %v", err)
	}
	s, err := parseScheduleCreate(args)
	if err != nil {
		t.Fatal(err)
	}
	v := reflect.ValueOf(s.Input)
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if name != "State" && name != "ExportID" && name != "Since" && name != "Resume" && v.Field(i).IsZero() {
			t.Errorf("schedule create left ExportInput.%s unset", name)
		}
	}
	if _, err := parseScheduleCreate(append(args, allFlags["since"]...)); err == nil || !strings.Contains(err.Error(), "--since with --incremental") {
		t.Errorf("since with incremental: err = %v", err)
	}
	s, err = parseScheduleCreate([]string{"--provider", "close", "--resource", "lead", "--every", "1h", "--since", "2026-01-31T00:00:00Z"})
	if err != nil || s.Input.Since.IsZero() {
		t.Errorf("since alone: %v %v", s.Input.Since, err)
	}
}

// TestAccountFlags: --all or --resources make an account export carrying the flags that
// apply to every resource; flags of one resource are refused with it.
func TestAccountFlags(t *testing.T) {
	_, acct, _, err := parseExport([]string{"--provider", "close", "--all", "--credential", "acme", "--concurrency", "3", "--parallelism", "4", "--incremental"})
	if err != nil || acct == nil || !acct.All || acct.Credential != "acme" || acct.Concurrency != 3 || acct.Parallelism != 4 || !acct.Incremental {
		t.Fatalf("got %+v, %v", acct, err)
	}
	_, acct, _, err = parseExport([]string{"--provider", "close", "--resources", "lead,task"})
	if err != nil || acct == nil || strings.Join(acct.Resources, "|") != "lead|task" {
		t.Fatalf("got %+v, %v", acct, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--provider", "close", "--all", "--resource", "lead"}, "--resource names one export"},
		{[]string{"--provider", "close", "--all", "--fields", "id"}, "apply to one resource"},
		{[]string{"--provider", "close", "--all", "--resources", "lead"}, "not both"},
		{[]string{"--provider", "close", "--resource", "lead", "--concurrency", "2"}, "--concurrency applies"},
	} {
		if _, _, _, err := parseExport(c.args); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.args, err, c.want)
		}
	}
	s, err := parseScheduleCreate([]string{"--provider", "clio", "--all", "--every", "6h", "--incremental"})
	if err != nil || s.Account == nil || !s.Account.Incremental {
		t.Fatalf("schedule: %+v, %v", s, err)
	}
	opts, err := s.Options("q")
	if err != nil || opts.Action.(*client.ScheduleWorkflowAction).Workflow != workflows.AccountWorkflowName || opts.ID != "clio-account" {
		t.Fatalf("schedule options %+v, %v", opts, err)
	}
}
