package exportclient

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/pagewise/pagewise/workflows"
)

// ScheduleView is a schedule as `starter schedule describe` prints it.
type ScheduleView struct {
	ID             string                 `json:"schedule_id"`
	Paused         bool                   `json:"paused"`
	Note           string                 `json:"note,omitempty"`
	Spec           []string               `json:"spec"`
	Overlap        string                 `json:"overlap"`
	CatchupWindow  string                 `json:"catchup_window"`
	PauseOnFailure bool                   `json:"pause_on_failure"`
	WorkflowType   string                 `json:"workflow_type"`
	WorkflowID     string                 `json:"workflow_id"`
	TaskQueue      string                 `json:"task_queue"`
	Input          *workflows.ExportInput `json:"input,omitempty"`
	NextRuns       []time.Time            `json:"next_runs"`
	RecentActions  []ScheduleRun          `json:"recent_actions"`
	Running        []string               `json:"running"`
	Actions        int                    `json:"actions"`
	SkippedOverlap int                    `json:"skipped_overlap"`
	MissedCatchup  int                    `json:"missed_catchup_window"`
	CreatedAt      time.Time              `json:"created_at"`
}

// ScheduleRun is one action a schedule took: the export run it started.
type ScheduleRun struct {
	ScheduledAt time.Time `json:"scheduled_at"`
	StartedAt   time.Time `json:"started_at"`
	WorkflowID  string    `json:"workflow_id"`
	RunID       string    `json:"run_id"`
}

// DescribeSchedule reads a schedule from Temporal.
func DescribeSchedule(ctx context.Context, c client.Client, id string) (ScheduleView, error) {
	d, err := c.ScheduleClient().GetHandle(ctx, id).Describe(ctx)
	if err != nil {
		return ScheduleView{}, fmt.Errorf("schedule %s: %w", id, err)
	}
	return viewOf(id, d)
}

func viewOf(id string, d *client.ScheduleDescription) (ScheduleView, error) {
	v := ScheduleView{
		ID: id, NextRuns: d.Info.NextActionTimes, Actions: d.Info.NumActions,
		SkippedOverlap: d.Info.NumActionsSkippedOverlap, MissedCatchup: d.Info.NumActionsMissedCatchupWindow,
		CreatedAt: d.Info.CreatedAt, RecentActions: runsOf(d.Info.RecentActions), Running: []string{},
	}
	for _, r := range d.Info.RunningWorkflows {
		v.Running = append(v.Running, r.WorkflowID)
	}
	if st := d.Schedule.State; st != nil {
		v.Paused, v.Note = st.Paused, st.Note
	}
	if p := d.Schedule.Policy; p != nil {
		v.Overlap, v.CatchupWindow, v.PauseOnFailure = OverlapName(p.Overlap), p.CatchupWindow.String(), p.PauseOnFailure
	}
	v.Spec = SpecText(d.Schedule.Spec)
	if a, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction); ok {
		v.WorkflowID, v.TaskQueue = a.ID, a.TaskQueue
		v.WorkflowType, _ = a.Workflow.(string)
		if len(a.Args) == 1 {
			if p, ok := a.Args[0].(*commonpb.Payload); ok {
				var in workflows.ExportInput
				if err := converter.GetDefaultDataConverter().FromPayload(p, &in); err != nil {
					return v, fmt.Errorf("schedule %s: its input is not an export input: %w", id, err)
				}
				v.Input = &in
			}
		}
	}
	return v, nil
}

func runsOf(actions []client.ScheduleActionResult) []ScheduleRun {
	runs := make([]ScheduleRun, 0, len(actions))
	for _, a := range actions {
		r := ScheduleRun{ScheduledAt: a.ScheduleTime, StartedAt: a.ActualTime}
		if w := a.StartWorkflowResult; w != nil {
			r.WorkflowID, r.RunID = w.WorkflowID, w.FirstExecutionRunID
		}
		runs = append(runs, r)
	}
	return runs
}

// ScheduleRow is one schedule as `starter schedule list` shows it.
type ScheduleRow struct {
	ID      string   `json:"schedule_id"`
	State   string   `json:"state"` // active or paused
	Spec    []string `json:"spec"`
	NextRun string   `json:"next_run,omitempty"` // RFC 3339
	LastRun string   `json:"last_run,omitempty"` // the last run's workflow id
}

// ListScheduleRows lists the namespace's schedules. Temporal's listing lags a change by
// a moment.
func ListScheduleRows(ctx context.Context, c client.Client) ([]ScheduleRow, error) {
	it, err := c.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		return nil, err
	}
	rows := []ScheduleRow{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, err
		}
		r := ScheduleRow{ID: e.ID, State: "active", Spec: SpecText(e.Spec)}
		if e.Paused {
			r.State = "paused"
		}
		if len(e.NextActionTimes) > 0 {
			r.NextRun = e.NextActionTimes[0].UTC().Format(time.RFC3339)
		}
		if n := len(e.RecentActions); n > 0 && e.RecentActions[n-1].StartWorkflowResult != nil {
			r.LastRun = e.RecentActions[n-1].StartWorkflowResult.WorkflowID
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// SpecText renders when a schedule fires: "every 1h0m0s", or a calendar as the cron-like
// "sec min hour day-of-month month day-of-week" Temporal turned a --cron into.
func SpecText(s *client.ScheduleSpec) []string {
	if s == nil {
		return nil
	}
	out := []string{}
	for _, iv := range s.Intervals {
		t := "every " + iv.Every.String()
		if iv.Offset != 0 {
			t += " offset " + iv.Offset.String()
		}
		out = append(out, t)
	}
	for _, c := range s.Calendars {
		t := "cron " + strings.Join([]string{
			rangesText(c.Second, 0, 59), rangesText(c.Minute, 0, 59), rangesText(c.Hour, 0, 23),
			rangesText(c.DayOfMonth, 1, 31), rangesText(c.Month, 1, 12), rangesText(c.DayOfWeek, 0, 6),
		}, " ")
		if c.Comment != "" {
			t += " # " + c.Comment
		}
		out = append(out, t)
	}
	return out
}

// rangesText is one calendar field in cron notation; lo-hi is the field's whole range.
func rangesText(rs []client.ScheduleRange, lo, hi int) string {
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		end, step := max(r.End, r.Start), max(r.Step, 1)
		var p string
		switch {
		case r.Start == lo && end == hi:
			p = "*"
		case end == r.Start:
			p = strconv.Itoa(r.Start)
		default:
			p = strconv.Itoa(r.Start) + "-" + strconv.Itoa(end)
		}
		if step > 1 {
			p += "/" + strconv.Itoa(step)
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return "*"
	}
	return strings.Join(parts, ",")
}
