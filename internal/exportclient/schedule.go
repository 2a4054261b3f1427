package exportclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/workflows"
)

// Schedule is a recurring export: one Temporal Schedule whose every action starts the
// Export workflow with the same input.
type Schedule struct {
	// ID defaults to provider-resource. Each run's workflow id is ID plus the scheduled
	// time (Temporal appends it), and the export id derives from that, so every run
	// writes its own folder.
	ID    string
	Input workflows.ExportInput
	// Account, when set, makes every run an account export instead of Input's export.
	Account *workflows.AccountInput
	// Exactly one of Every and Cron.
	Every time.Duration
	Cron  string
	// Overlap is what happens when a run is due while the previous one still runs.
	Overlap        enumspb.ScheduleOverlapPolicy
	CatchupWindow  time.Duration
	PauseOnFailure bool
	Paused         bool
	Note           string
}

// Temporal's own floors: it refuses shorter intervals and raises shorter catch-up
// windows without saying so.
const (
	minEvery         = time.Second
	minCatchupWindow = 10 * time.Second
)

// overlapNames are the --overlap values, in the order the usage lists them.
var overlapNames = []struct {
	name   string
	policy enumspb.ScheduleOverlapPolicy
}{
	{"skip", enumspb.SCHEDULE_OVERLAP_POLICY_SKIP},
	{"buffer_one", enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE},
	{"buffer_all", enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL},
	{"cancel_other", enumspb.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER},
	{"terminate_other", enumspb.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER},
	{"allow_all", enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL},
}

// OverlapNames lists the accepted overlap policy names.
func OverlapNames() []string {
	names := make([]string, len(overlapNames))
	for i, o := range overlapNames {
		names[i] = o.name
	}
	return names
}

// ParseOverlap accepts skip, buffer_one, buffer_all, cancel_other, terminate_other or
// allow_all, in any case and with '-' for '_'.
func ParseOverlap(s string) (enumspb.ScheduleOverlapPolicy, error) {
	norm := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	for _, o := range overlapNames {
		if o.name == norm {
			return o.policy, nil
		}
	}
	return 0, fmt.Errorf("overlap policy %q: allowed: %s", s, strings.Join(OverlapNames(), ", "))
}

// OverlapName is the --overlap name of a policy; unspecified is Temporal's default, skip.
func OverlapName(p enumspb.ScheduleOverlapPolicy) string {
	if p == enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED {
		p = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
	}
	for _, o := range overlapNames {
		if o.policy == p {
			return o.name
		}
	}
	return p.String()
}

// ScheduleID is the default schedule id: provider-resource, like an export's.
func ScheduleID(in workflows.ExportInput) string { return in.Provider + "-" + in.Resource }

// Options checks the schedule and builds what Temporal's ScheduleClient creates.
func (s Schedule) Options(taskQueue string) (client.ScheduleOptions, error) {
	if s.Account != nil {
		return s.accountOptions(taskQueue)
	}
	in := s.Input
	switch {
	case in.Provider == "" || in.Resource == "":
		return client.ScheduleOptions{}, errors.New("provider and resource are required")
	case in.ExportID != "":
		return client.ScheduleOptions{}, errExportID
	case in.State != nil:
		return client.ScheduleOptions{}, errors.New("state is the workflow's own; leave it empty")
	case in.Resume:
		return client.ScheduleOptions{}, errResume
	}
	if err := s.check(taskQueue); err != nil {
		return client.ScheduleOptions{}, err
	}
	if in.Incremental {
		if err := CheckIncremental(in); err != nil {
			return client.ScheduleOptions{}, err
		}
	}
	id := s.ID
	if id == "" {
		id = ScheduleID(in)
	}
	return s.options(id, taskQueue, workflows.WorkflowName, in), nil
}

var (
	errExportID = errors.New("export id cannot be set on a schedule: each run's export id is its own workflow id, so runs never share a folder")
	errResume   = errors.New("resume continues one stopped export (starter resume EXPORT_ID), not a schedule's runs")
)

// accountOptions schedules an account export. Each resource decides for itself whether
// an incremental run can narrow it, so no resource is refused here.
func (s Schedule) accountOptions(taskQueue string) (client.ScheduleOptions, error) {
	in := *s.Account
	switch {
	case in.Provider == "":
		return client.ScheduleOptions{}, errors.New("provider is required")
	case in.ExportID != "":
		return client.ScheduleOptions{}, errExportID
	case in.Resume:
		return client.ScheduleOptions{}, errResume
	}
	if err := workflows.ValidateAccountInput(in); err != nil {
		return client.ScheduleOptions{}, err
	}
	if err := s.check(taskQueue); err != nil {
		return client.ScheduleOptions{}, err
	}
	id := s.ID
	if id == "" {
		id = AccountWorkflowID(in)
	}
	return s.options(id, taskQueue, workflows.AccountWorkflowName, in), nil
}

// check is what every schedule needs, whatever it runs.
func (s Schedule) check(taskQueue string) error {
	switch {
	case (s.Every == 0) == (s.Cron == ""):
		return errors.New("give exactly one of --every and --cron")
	case s.Cron == "" && s.Every < minEvery:
		return fmt.Errorf("--every %v: Temporal's shortest interval is %v", s.Every, minEvery)
	case s.CatchupWindow != 0 && s.CatchupWindow < minCatchupWindow:
		return fmt.Errorf("--catchup-window %v: Temporal's shortest is %v", s.CatchupWindow, minCatchupWindow)
	case taskQueue == "":
		return errors.New("task queue is empty")
	}
	_, err := ParseOverlap(OverlapName(s.Overlap))
	return err
}

func (s Schedule) options(id, taskQueue, workflow string, in any) client.ScheduleOptions {
	// What the Web UI shows of each run, as for an export started by hand.
	var memo map[string]any
	var summary string
	switch in := in.(type) {
	case workflows.ExportInput:
		memo, summary = Memo(in), Summary(in)
	case workflows.AccountInput:
		memo, summary = map[string]any{"provider": in.Provider, "resource": "account", "state": "started"}, "Export the "+in.Provider+" account"
	}
	spec := client.ScheduleSpec{}
	if s.Cron != "" {
		spec.CronExpressions = []string{s.Cron}
	} else {
		spec.Intervals = []client.ScheduleIntervalSpec{{Every: s.Every}}
	}
	return client.ScheduleOptions{
		ID:   id,
		Spec: spec,
		Action: &client.ScheduleWorkflowAction{
			ID:            id,
			Workflow:      workflow,
			Args:          []any{in},
			TaskQueue:     taskQueue,
			Memo:          memo,
			StaticSummary: summary + " (schedule " + id + ")",
		},
		Overlap:        s.Overlap,
		CatchupWindow:  s.CatchupWindow,
		PauseOnFailure: s.PauseOnFailure,
		Paused:         s.Paused,
		Note:           s.Note,
	}
}

// CreateSchedule creates the schedule; Temporal refuses an id that already exists.
func CreateSchedule(ctx context.Context, c client.Client, taskQueue string, s Schedule) (client.ScheduleHandle, error) {
	opts, err := s.Options(taskQueue)
	if err != nil {
		return nil, err
	}
	h, err := c.ScheduleClient().Create(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("creating schedule %s: %w", opts.ID, err)
	}
	return h, nil
}
