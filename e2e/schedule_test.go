package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestScheduleRunsIncrementallyEachInItsOwnFolder runs an incremental Close export on a
// five-second schedule. The first run is full. Records changed while the schedule is
// paused are exported by the next run, with the records changed in the five minutes
// before the previous run began (the documented overlap) and nothing older. Every run
// writes its own folder; pause, unpause, trigger and delete do what they say.
func TestScheduleRunsIncrementallyEachInItsOwnFolder(t *testing.T) {
	// The sandbox stamps inserted and touched records with this clock, so records can be
	// made to have changed minutes ago.
	var skew atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	sb, url := serveSandbox(t, sandbox.Options{Records: 400, Seed: 31, Now: clock})
	queue := "e2e-schedule"
	w := startWorker(t, workerEnv(queue, url))
	const prov, resource, every = "close", "lead", 5 * time.Second
	prefix := fmt.Sprintf("e2e-schedule/%d", time.Now().UnixNano()) // no watermark.json from an earlier -count
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	// A run's watermark is its start minus five minutes: ten minutes ago is before every
	// watermark this test sees, one minute ago after every one.
	skew.Store(int64(-10 * time.Minute))
	old := append(sb.Touch(prov, resource, 3), sb.Insert(prov, resource, 2)...)
	skew.Store(int64(-time.Minute))
	recent := append(sb.Touch(prov, resource, 3), sb.Insert(prov, resource, 2)...)
	skew.Store(0)

	id := "e2e-sched-close"
	h, err := exportclient.CreateSchedule(ctx, stack.client, queue, exportclient.Schedule{
		ID:    id,
		Input: workflows.ExportInput{Provider: prov, Resource: resource, Prefix: prefix, PageSize: 50, Incremental: true},
		Every: every, Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: time.Minute, PauseOnFailure: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background()) })
	s := &scheduleWatch{t: t, h: h, w: w}
	runID := regexp.MustCompile(`^` + id + `-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

	// Run 1: no completion result and no watermark.json yet, so everything.
	first := s.action(0)
	res1 := s.result(first.StartWorkflowResult.WorkflowID)
	if !runID.MatchString(first.StartWorkflowResult.WorkflowID) || !res1.Since.IsZero() {
		t.Fatalf("first run %s since %v: want %s-<time>, a full export", first.StartWorkflowResult.WorkflowID, res1.Since, id)
	}
	_, recs := readBack(t, res1.ManifestKey)
	assertExactly(t, sb, prov, resource, recs)

	// Paused: change records, and let a scheduled time pass with nothing started for it.
	s.pause("between runs")
	n := s.describe().Info.NumActions
	prev := s.result(s.lastRun())
	pausedTick := time.Now().Truncate(every).Add(every)
	between := append(sb.Insert(prov, resource, 5), sb.Touch(prov, resource, 4)...)
	// Only Temporal's completion result can carry the watermark to the next run now.
	if err := stack.store.Delete(ctx, []string{prefix + "/watermark.json"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*every, "a scheduled time to pass while paused", func() bool { return time.Now().After(pausedTick.Add(time.Second)) })
	if d := s.describe(); d.Info.NumActions != n {
		t.Fatalf("a paused schedule took %d actions", d.Info.NumActions-n)
	}

	// Run 2: the first after unpausing; the paused time is not made up.
	if err := h.Unpause(ctx, client.ScheduleUnpauseOptions{}); err != nil {
		t.Fatal(err)
	}
	next := s.action(n)
	if !next.ScheduleTime.After(pausedTick) {
		t.Fatalf("after unpausing, a run for %v: times that passed while paused must be skipped", next.ScheduleTime)
	}
	run2 := next.StartWorkflowResult.WorkflowID
	res2 := s.result(run2)
	if !res2.Since.Equal(prev.Watermark) {
		t.Fatalf("run 2 since %v, want the previous run's watermark %v", res2.Since, prev.Watermark)
	}
	changed := union(recent, between)
	_, recs = readBack(t, res2.ManifestKey)
	assertIDsExactly(t, sb, prov, recs, changed)
	stale := slices.DeleteFunc(slices.Clone(old), func(id string) bool { return slices.Contains(changed, id) })
	if len(stale) == 0 {
		t.Fatal("every old record was changed again: the test checks nothing about old ones")
	}
	for _, r := range []workflows.ExportResult{res1, res2} {
		wf := strings.TrimSuffix(strings.TrimPrefix(r.ManifestKey, prefix+"/"), "/manifest.json")
		if r.ExportID != wf || !strings.HasPrefix(wf, id+"-") {
			t.Fatalf("export %s wrote %s: want its own folder named after its workflow", r.ExportID, r.ManifestKey)
		}
	}
	if res1.ManifestKey == res2.ManifestKey || res2.ExportID != workflows.ExportIDFrom(run2) {
		t.Fatalf("runs share a folder or misname it: %s, %s (workflow %s)", res1.ManifestKey, res2.ManifestKey, run2)
	}
	readBack(t, res1.ManifestKey) // run 1's folder is intact beside run 2's
	assertWatermarkFile(t, prefix)

	// Trigger while paused: exactly one run, at once.
	s.pause("trigger")
	n = s.describe().Info.NumActions
	prev = s.result(s.lastRun())
	// A run's workflow id holds its time to the second, and a trigger's time is now: in
	// the second of the last run it would reuse that run's id, and folder.
	last := s.action(n - 1).ScheduleTime.Truncate(time.Second)
	eventually(t, 2*time.Second, "a second after the last run's", func() bool { return time.Now().Truncate(time.Second).After(last) })
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	triggered := s.action(n).StartWorkflowResult.WorkflowID
	res3 := s.result(triggered)
	if !res3.Since.Equal(prev.Watermark) || res3.ExportID == res2.ExportID {
		t.Fatalf("triggered run %s since %v, want %v and its own folder", res3.ExportID, res3.Since, prev.Watermark)
	}
	_, recs = readBack(t, res3.ManifestKey)
	assertIDsExactly(t, sb, prov, recs, changed) // nothing new: the overlap again

	if err := h.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the schedule to be gone", func() bool {
		_, err := h.Describe(ctx)
		return isNotFound(err)
	})
}

// TestSchedulePausesOnFailure: a run that fails pauses its schedule, with a note that
// names it, and no further run starts.
func TestSchedulePausesOnFailure(t *testing.T) {
	_, url := serveSandbox(t, sandbox.Options{Records: 10, Seed: 32})
	queue := "e2e-schedule-fail"
	w := startWorker(t, workerEnv(queue, url))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h, err := exportclient.CreateSchedule(ctx, stack.client, queue, exportclient.Schedule{
		ID: "e2e-sched-fail", Input: workflows.ExportInput{Provider: "close", Resource: "no_such_resource"},
		Every: 10 * time.Second, PauseOnFailure: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background()) })
	s := &scheduleWatch{t: t, h: h, w: w}
	eventually(t, time.Minute, "the schedule to pause itself", func() bool {
		d := s.describe()
		return d.Schedule.State.Paused && len(d.Info.RunningWorkflows) == 0
	})
	d := s.describe()
	run := s.action(0).StartWorkflowResult.WorkflowID
	if d.Info.NumActions != 1 || !strings.Contains(d.Schedule.State.Note, run) {
		t.Fatalf("%d runs, note %q: want one failed run, %s, named in the note", d.Info.NumActions, d.Schedule.State.Note, run)
	}
	if _, err := exportResultOf(t, run); err == nil || !strings.Contains(err.Error(), "no_such_resource") {
		t.Fatalf("run %s ended with %v, want the invalid resource", run, err)
	}
}

// scheduleWatch reads one schedule's state for a test.
type scheduleWatch struct {
	t *testing.T
	h client.ScheduleHandle
	w *workerProc // for its log when a run fails
}

func (s *scheduleWatch) describe() *client.ScheduleDescription {
	s.t.Helper()
	d, err := s.h.Describe(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return d
}

// action waits until the schedule has started run k (0-based, counting every run it
// ever started) and returns it.
func (s *scheduleWatch) action(k int) client.ScheduleActionResult {
	s.t.Helper()
	var d *client.ScheduleDescription
	eventually(s.t, time.Minute, "the schedule's run", func() bool {
		d = s.describe()
		return d.Info.NumActions > k
	})
	i := len(d.Info.RecentActions) - (d.Info.NumActions - k)
	if i < 0 || d.Info.RecentActions[i].StartWorkflowResult == nil {
		s.t.Fatalf("run %d of %d is no longer among the %d recent ones", k, d.Info.NumActions, len(d.Info.RecentActions))
	}
	return d.Info.RecentActions[i]
}

// pause pauses the schedule and waits for any run in progress to end.
func (s *scheduleWatch) pause(note string) {
	s.t.Helper()
	if err := s.h.Pause(context.Background(), client.SchedulePauseOptions{Note: note}); err != nil {
		s.t.Fatal(err)
	}
	eventually(s.t, time.Minute, "paused with no run in progress", func() bool {
		d := s.describe()
		return d.Schedule.State.Paused && len(d.Info.RunningWorkflows) == 0
	})
}

func (s *scheduleWatch) lastRun() string {
	a := s.describe().Info.RecentActions
	return a[len(a)-1].StartWorkflowResult.WorkflowID
}

func (s *scheduleWatch) result(workflowID string) workflows.ExportResult {
	s.t.Helper()
	res, err := exportResultOf(s.t, workflowID)
	if err != nil {
		s.t.Fatalf("scheduled run %s: %v\nworker log tail:\n%s", workflowID, err, tail(s.w.output(), 20))
	}
	return res
}

// assertWatermarkFile: the last successful run rewrote watermark.json.
func assertWatermarkFile(t *testing.T, prefix string) {
	t.Helper()
	body, err := stack.store.Get(context.Background(), prefix+"/watermark.json")
	var wm activities.Watermark
	if err != nil || json.Unmarshal(body, &wm) != nil || wm.Watermark.IsZero() {
		t.Fatalf("watermark.json after a successful run: %v %s", err, body)
	}
}

func union(sets ...[]string) []string {
	var out []string
	for _, s := range sets {
		for _, id := range s {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}
