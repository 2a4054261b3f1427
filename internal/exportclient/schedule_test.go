package exportclient

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/pagewise/pagewise/workflows"
)

func TestParseOverlapNamesEveryPolicy(t *testing.T) {
	want := map[string]enumspb.ScheduleOverlapPolicy{
		"skip":            enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		"buffer_one":      enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE,
		"buffer_all":      enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL,
		"cancel_other":    enumspb.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER,
		"terminate_other": enumspb.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER,
		"allow_all":       enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
	}
	if len(OverlapNames()) != len(want) {
		t.Fatalf("OverlapNames() = %v, want the %d policies", OverlapNames(), len(want))
	}
	for name, p := range want {
		got, err := ParseOverlap(name)
		if err != nil || got != p {
			t.Errorf("ParseOverlap(%q) = %v, %v; want %v", name, got, err, p)
		}
		if OverlapName(p) != name {
			t.Errorf("OverlapName(%v) = %q, want %q", p, OverlapName(p), name)
		}
	}
	for _, alias := range []string{"Cancel-Other", "CANCEL_OTHER", " cancel_other "} {
		if got, err := ParseOverlap(alias); err != nil || got != enumspb.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER {
			t.Errorf("ParseOverlap(%q) = %v, %v", alias, got, err)
		}
	}
	if OverlapName(enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED) != "skip" {
		t.Error("an unspecified policy is Temporal's default, skip")
	}
	for _, bad := range []string{"", "buffer", "allowall", "1"} {
		_, err := ParseOverlap(bad)
		if err == nil || !strings.Contains(err.Error(), "skip, buffer_one, buffer_all, cancel_other, terminate_other, allow_all") {
			t.Errorf("ParseOverlap(%q) err = %v, want one listing every allowed name", bad, err)
		}
	}
}

func TestScheduleOptionsBuildTheExportAction(t *testing.T) {
	in := workflows.ExportInput{Provider: "close", Resource: "lead", PageSize: 50, Incremental: true}
	opts, err := Schedule{Input: in, Every: 6 * time.Hour, Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE,
		CatchupWindow: time.Hour, PauseOnFailure: true}.Options("exports")
	if err != nil {
		t.Fatal(err)
	}
	if opts.ID != "close-lead" {
		t.Errorf("schedule id %q, want provider-resource", opts.ID)
	}
	if len(opts.Spec.Intervals) != 1 || opts.Spec.Intervals[0].Every != 6*time.Hour || len(opts.Spec.CronExpressions) != 0 {
		t.Errorf("spec %+v, want one 6h interval", opts.Spec)
	}
	if opts.Overlap != enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE || opts.CatchupWindow != time.Hour || !opts.PauseOnFailure {
		t.Errorf("policies %v %v %v", opts.Overlap, opts.CatchupWindow, opts.PauseOnFailure)
	}
	a, ok := opts.Action.(*client.ScheduleWorkflowAction)
	if !ok {
		t.Fatalf("action %T", opts.Action)
	}
	if a.ID != "close-lead" || a.Workflow != workflows.WorkflowName || a.TaskQueue != "exports" || len(a.Args) != 1 {
		t.Fatalf("action %+v", a)
	}
	if a.Memo["provider"] != "close" || a.Memo["resource"] != "lead" || !strings.HasPrefix(a.StaticSummary, "Export close lead (incremental)") {
		t.Errorf("each run's memo %v and summary %q: the Web UI would show only an id", a.Memo, a.StaticSummary)
	}
	body, _ := json.Marshal(a.Args[0])
	if strings.Contains(string(body), "export_id") || !strings.Contains(string(body), `"incremental":true`) {
		t.Errorf("action input %s: want incremental and no export_id, so each run's id derives from its workflow id", body)
	}

	opts, err = Schedule{ID: "nightly", Input: in, Cron: "0 2 * * *"}.Options("q")
	if err != nil {
		t.Fatal(err)
	}
	if opts.ID != "nightly" || opts.Action.(*client.ScheduleWorkflowAction).ID != "nightly" {
		t.Errorf("ids %q / %q, want nightly for both", opts.ID, opts.Action.(*client.ScheduleWorkflowAction).ID)
	}
	if len(opts.Spec.CronExpressions) != 1 || opts.Spec.CronExpressions[0] != "0 2 * * *" || len(opts.Spec.Intervals) != 0 {
		t.Errorf("spec %+v, want the cron expression alone", opts.Spec)
	}
}

func TestScheduleOptionsRefuseBadSchedules(t *testing.T) {
	ok := workflows.ExportInput{Provider: "close", Resource: "lead"}
	cases := []struct {
		name string
		s    Schedule
		want string
	}{
		{"neither every nor cron", Schedule{Input: ok}, "exactly one of --every and --cron"},
		{"both every and cron", Schedule{Input: ok, Every: time.Hour, Cron: "0 * * * *"}, "exactly one of --every and --cron"},
		{"interval under a second", Schedule{Input: ok, Every: 500 * time.Millisecond}, "shortest interval is 1s"},
		{"negative interval", Schedule{Input: ok, Every: -time.Hour}, "shortest interval"},
		{"short catch-up window", Schedule{Input: ok, Every: time.Hour, CatchupWindow: time.Second}, "shortest is 10s"},
		{"export id", Schedule{Input: workflows.ExportInput{Provider: "close", Resource: "lead", ExportID: "x"}, Every: time.Hour}, "export id cannot be set"},
		{"no resource", Schedule{Input: workflows.ExportInput{Provider: "close"}, Every: time.Hour}, "provider and resource are required"},
		{"state", Schedule{Input: workflows.ExportInput{Provider: "close", Resource: "lead", State: &workflows.State{}}, Every: time.Hour}, "state"},
		{"unknown overlap", Schedule{Input: ok, Every: time.Hour, Overlap: 99}, "allowed: skip"},
		{"incremental clever", Schedule{Input: workflows.ExportInput{Provider: "clever", Resource: "users", Incremental: true}, Every: time.Hour}, "--incremental: clever"},
	}
	for _, c := range cases {
		_, err := c.s.Options("exports")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to say %q", c.name, err, c.want)
		}
	}
	if _, err := (Schedule{Input: ok, Every: time.Hour}).Options(""); err == nil {
		t.Error("an empty task queue was accepted")
	}
}

func TestCheckIncrementalKnowsWhichResourcesHaveAChangeFilter(t *testing.T) {
	supported := []workflows.ExportInput{
		{Provider: "clio", Resource: "contacts"},
		{Provider: "close", Resource: "lead"},
		{Provider: "close", Resource: "event"},
		{Provider: "attio", Resource: "people"},
		// Unknown here, maybe known to the worker through ATTIO_OBJECTS: the worker decides.
		{Provider: "attio", Resource: "custom_thing"},
	}
	for _, in := range supported {
		if err := CheckIncremental(in); err != nil {
			t.Errorf("%s/%s: %v", in.Provider, in.Resource, err)
		}
	}
	unsupported := []workflows.ExportInput{
		{Provider: "clever", Resource: "users"},
		{Provider: "attio", Resource: "notes"},
		{Provider: "attio", Resource: "meetings"},
		{Provider: "close", Resource: "search", Query: json.RawMessage(`{"type":"and","queries":[]}`)},
	}
	for _, in := range unsupported {
		err := CheckIncremental(in)
		if err == nil || !strings.Contains(err.Error(), "since") || !strings.Contains(err.Error(), "without --incremental") {
			t.Errorf("%s/%s: err = %v, want a refusal naming since and the way out", in.Provider, in.Resource, err)
		}
	}
	if err := CheckIncremental(workflows.ExportInput{Provider: "hubspot", Resource: "x"}); err == nil {
		t.Error("an unknown provider was accepted")
	}
}

func TestSpecTextRendersIntervalsAndCalendars(t *testing.T) {
	r := func(start, end, step int) []client.ScheduleRange {
		return []client.ScheduleRange{{Start: start, End: end, Step: step}}
	}
	spec := &client.ScheduleSpec{
		Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour}, {Every: 6 * time.Hour, Offset: 5 * time.Minute}},
		Calendars: []client.ScheduleCalendarSpec{{
			Second: r(0, 0, 0), Minute: r(30, 0, 0), Hour: r(0, 23, 2), DayOfMonth: r(1, 31, 1),
			Month: r(1, 12, 1), DayOfWeek: []client.ScheduleRange{{Start: 1, End: 5}, {Start: 0}}, Comment: "weekdays",
		}},
	}
	got := SpecText(spec)
	want := []string{"every 1h0m0s", "every 6h0m0s offset 5m0s", "cron 0 30 */2 * * 1-5,0 # weekdays"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("SpecText = %q, want %q", got, want)
	}
}

func TestViewOfDecodesTheScheduledInput(t *testing.T) {
	in := workflows.ExportInput{Provider: "clio", Resource: "contacts", Incremental: true}
	p, err := converter.GetDefaultDataConverter().ToPayload(in)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	d := &client.ScheduleDescription{
		Schedule: client.Schedule{
			Action: &client.ScheduleWorkflowAction{ID: "clio-contacts", Workflow: "Export", TaskQueue: "exports", Args: []any{p}},
			Spec:   &client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour}}},
			Policy: &client.SchedulePolicies{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: time.Hour, PauseOnFailure: true},
			State:  &client.ScheduleState{Paused: true, Note: "maintenance"},
		},
		Info: client.ScheduleInfo{
			NumActions: 1, NextActionTimes: []time.Time{at.Add(time.Hour)},
			RecentActions: []client.ScheduleActionResult{{ScheduleTime: at, ActualTime: at.Add(time.Second),
				StartWorkflowResult: &client.ScheduleWorkflowExecution{WorkflowID: "clio-contacts-2026-01-02T03:00:00Z", FirstExecutionRunID: "r1"}}},
		},
	}
	v, err := viewOf("clio-contacts", d)
	if err != nil {
		t.Fatal(err)
	}
	if v.Input == nil || v.Input.Provider != "clio" || !v.Input.Incremental || v.Input.ExportID != "" {
		t.Errorf("input %+v", v.Input)
	}
	if !v.Paused || v.Note != "maintenance" || v.Overlap != "skip" || v.CatchupWindow != "1h0m0s" || !v.PauseOnFailure {
		t.Errorf("state/policies %+v", v)
	}
	if len(v.RecentActions) != 1 || v.RecentActions[0].WorkflowID != "clio-contacts-2026-01-02T03:00:00Z" || v.RecentActions[0].RunID != "r1" {
		t.Errorf("recent actions %+v", v.RecentActions)
	}
	if len(v.NextRuns) != 1 || v.WorkflowType != "Export" || v.TaskQueue != "exports" || v.Spec[0] != "every 1h0m0s" {
		t.Errorf("view %+v", v)
	}
}
