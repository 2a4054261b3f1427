package main

import (
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

func TestScheduleCreateDefaults(t *testing.T) {
	s, err := parseScheduleCreate([]string{"--provider", "close", "--resource", "lead", "--every", "6h"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Overlap != enumspb.SCHEDULE_OVERLAP_POLICY_SKIP || s.CatchupWindow != time.Hour || !s.PauseOnFailure {
		t.Errorf("defaults: overlap %v, catch-up %v, pause on failure %v; want skip, 1h, true", s.Overlap, s.CatchupWindow, s.PauseOnFailure)
	}
	if s.ID != "" || s.Every != 6*time.Hour || s.Cron != "" || s.Input.Incremental || s.Paused {
		t.Errorf("schedule %+v", s)
	}
}

func TestScheduleCreateTakesTheExportFlags(t *testing.T) {
	s, err := parseScheduleCreate([]string{"--provider", "clio", "--resource", "contacts", "--schedule-id", "nightly",
		"--cron", "0 2 * * *", "--overlap", "buffer_one", "--catchup-window", "30m", "--pause-on-failure=false",
		"--incremental", "--page-size", "100", "--fields", "id,name", "--filter", "status=active", "--prefix", "crm/clio",
		"--pages-per-run", "50", "--strategy", "offset", "--paused", "--note", "starts after the migration"})
	if err != nil {
		t.Fatal(err)
	}
	in := s.Input
	if s.ID != "nightly" || s.Cron != "0 2 * * *" || s.Every != 0 || s.Overlap != enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE ||
		s.CatchupWindow != 30*time.Minute || s.PauseOnFailure || !s.Paused || s.Note != "starts after the migration" {
		t.Errorf("schedule %+v", s)
	}
	if !in.Incremental || in.PageSize != 100 || strings.Join(in.Fields, ",") != "id,name" || in.Filters["status"] != "active" ||
		in.Prefix != "crm/clio" || in.PagesPerRun != 50 || in.Strategy != "offset" || in.ExportID != "" {
		t.Errorf("input %+v", in)
	}
}

func TestScheduleCreateErrorsAreClear(t *testing.T) {
	base := []string{"--provider", "close", "--resource", "lead"}
	cases := []struct {
		args []string
		want string
	}{
		{nil, "exactly one of --every and --cron"},
		{[]string{"--every", "1h", "--cron", "0 * * * *"}, "exactly one of --every and --cron"},
		{[]string{"--every", "soon"}, `invalid value "soon" for --every: want a duration such as 90m`},
		{[]string{"--every", "1d"}, `invalid value "1d" for --every: want a duration such as 90m, 6h or 24h (units s, m, h; there is no d)`},
		{[]string{"--every", "100ms"}, "shortest interval is 1s"},
		{[]string{"--every", "1h", "--overlap", "queue"}, "--overlap: overlap policy \"queue\": allowed: skip, buffer_one, buffer_all, cancel_other, terminate_other, allow_all"},
		{[]string{"--every", "1h", "--catchup-window", "5s"}, "--catchup-window 5s"},
		{[]string{"--every", "1h", "--export-id", "mine"}, "export id cannot be set on a schedule"},
		{[]string{"--every", "1h", "--query", "{"}, "--query is not valid JSON"},
		{[]string{"--every", "1h", "extra"}, `unexpected argument "extra"`},
		{[]string{"--every", "1h", "--pause-on-failure=maybe"}, "pause-on-failure"},
	}
	for _, c := range cases {
		_, err := parseScheduleCreate(append(append([]string{}, base...), c.args...))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want it to say %q", c.args, err, c.want)
		}
	}
	if _, err := parseScheduleCreate([]string{"--every", "1h"}); err == nil || !strings.Contains(err.Error(), "--provider and --resource are required") {
		t.Errorf("no provider: err = %v", err)
	}
	if _, err := parseScheduleCreate([]string{"--provider", "clever", "--resource", "users", "--every", "1h", "--incremental"}); err == nil ||
		!strings.Contains(err.Error(), "without --incremental") {
		t.Errorf("incremental clever: err = %v", err)
	}
}

func TestScheduleIDBeforeOrAfterFlags(t *testing.T) {
	for _, args := range [][]string{{"close-lead", "--note", "why"}, {"--note", "why", "close-lead"}} {
		fs := newCommand("schedule pause", "")
		note := fs.String("note", "", "")
		id, err := idAndFlags(fs, args)
		if err != nil || id != "close-lead" || *note != "why" {
			t.Errorf("%v: id %q note %q err %v", args, id, *note, err)
		}
	}
	for _, args := range [][]string{nil, {"a", "b"}, {"--note", "x"}} {
		fs := newCommand("schedule pause", "")
		fs.String("note", "", "")
		if _, err := idAndFlags(fs, args); err == nil || !strings.Contains(err.Error(), "exactly one SCHEDULE_ID") {
			t.Errorf("%v: err = %v", args, err)
		}
	}
}

func TestScheduleUnknownCommandNeedsNoServer(t *testing.T) {
	err := run(t.Context(), []string{"schedule", "frobnicate", "x"})
	if err == nil || !strings.Contains(err.Error(), `unknown schedule command "frobnicate"`) {
		t.Fatalf("err = %v", err)
	}
}
