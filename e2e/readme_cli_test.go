package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// readmeBlockNames are the README blocks this test runs, in the order it runs them; a
// block the README marks but this list lacks fails the test, so none goes untested.
var readmeBlockNames = []string{
	"temporal-start", "starter-export", "starter-rerun", "schedule", "schedule-manage", "schedule-temporal",
	"temporal-control", "starter-control", "resume", "resume-temporal", "reset", "account",
}

// TestReadmeCommandsWorkAsWritten runs the README's marked commands, unchanged, with the
// real temporal CLI and the starter against the shared dev server and a worker on task
// queue exports, and checks what each promises.
func TestReadmeCommandsWorkAsWritten(t *testing.T) {
	blocks := readmeBlocks(t)
	for name := range blocks {
		if !slices.Contains(readmeBlockNames, name) {
			t.Fatalf("README block %q has no test here", name)
		}
	}
	for _, name := range readmeBlockNames {
		if len(blocks[name]) == 0 {
			t.Fatalf("README has no commands in a block marked %q", name)
		}
	}
	sb, url := serveSandbox(t, sandbox.Options{Records: 1200, Seed: 21})
	w := startWorker(t, workerEnv(workflows.DefaultTaskQueue, url))
	r := &readmeRun{t: t, sb: sb, sh: newShell(t), blocks: blocks}
	steps := map[string]func(){
		"temporal-start":    r.temporalStart,
		"starter-export":    r.starterExport,
		"starter-rerun":     r.starterRerun,
		"schedule":          r.schedule,
		"schedule-manage":   r.scheduleManage,
		"schedule-temporal": r.scheduleTemporal,
		"temporal-control":  r.temporalControl,
		"starter-control":   r.starterControl,
		"resume":            r.resume,
		"resume-temporal":   r.resume,
		"reset":             r.reset,
		"account":           r.account,
	}
	for _, name := range readmeBlockNames {
		ok := t.Run(name, func(t *testing.T) {
			r.t, r.sh.t = t, t
			steps[name]()
		})
		if !ok {
			t.Fatalf("stopped after %s; worker log tail:\n%s", name, tail(w.output(), 30))
		}
	}
}

type readmeRun struct {
	t      *testing.T
	sb     *sandbox.Server
	sh     *shell
	blocks map[string][]string
	// starterView is the schedule `starter schedule create` made, to compare the
	// temporal CLI's with.
	starterView exportclient.ScheduleView
}

var (
	workflowIDFlag = regexp.MustCompile(`--workflow-id (\S+)`)
	inputFlag      = regexp.MustCompile(`--input '([^']*)'`)
	noteFlag       = regexp.MustCompile(`--note "([^"]*)"`)
	scheduledID    = regexp.MustCompile(`^close-lead-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	scheduleRow    = regexp.MustCompile(`(?m)^close-lead +active +every 1h0m0s +\d{4}-\d\d-\d\dT\S+Z +(-|\S+)$`)
)

// startCommand is a `temporal workflow start` line's workflow id and input.
func (r *readmeRun) startCommand(cmd string) (string, workflows.ExportInput) {
	r.t.Helper()
	id, raw := workflowIDFlag.FindStringSubmatch(cmd), inputFlag.FindStringSubmatch(cmd)
	var in workflows.ExportInput
	if id == nil || raw == nil || json.Unmarshal([]byte(raw[1]), &in) != nil {
		r.t.Fatalf("cannot read workflow id and JSON input from %q", cmd)
	}
	return id[1], in
}

// temporalStart: one export per provider, each complete and exactly the dataset.
func (r *readmeRun) temporalStart() {
	t := r.t
	cmds := r.blocks["temporal-start"]
	var providers []string
	for _, cmd := range cmds {
		id, in := r.startCommand(cmd)
		if out, _ := r.sh.run(cmd); !strings.Contains(out, id) {
			t.Fatalf("%s printed no workflow id:\n%s", cmd, out)
		}
		providers = append(providers, in.Provider)
	}
	slices.Sort(providers)
	if !slices.Equal(providers, []string{"attio", "clever", "clio", "close"}) {
		t.Fatalf("README starts exports of %v, want one per provider", providers)
	}
	for _, cmd := range cmds {
		id, in := r.startCommand(cmd)
		res, err := exportResultOf(t, id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		prefix := in.Prefix
		if prefix == "" {
			prefix = in.Provider + "/" + in.Resource
		}
		if res.ManifestKey != prefix+"/"+id+"/manifest.json" {
			t.Fatalf("%s wrote %s, want it under %s/%s", id, res.ManifestKey, prefix, id)
		}
		m, recs := readBack(t, res.ManifestKey)
		assertExactlyFields(t, r.sb, in.Provider, in.Resource, in.Fields, recs)
		if m.Input.Spec.PageSize != in.PageSize || !slices.Equal(m.Input.Spec.Fields, in.Fields) || m.Input.Spec.Strategy != in.Strategy {
			t.Fatalf("%s ran with %+v, the README asked for %+v", id, m.Input.Spec, in)
		}
	}
}

// starterExport: `starter export --wait` follows the export to its end.
func (r *readmeRun) starterExport() {
	t := r.t
	cmd := r.blocks["starter-export"][0]
	out, errOut := r.sh.run(cmd)
	id := strings.TrimSpace(out)
	if id != "close-contact" || !strings.Contains(errOut, "done: 1200 records") || !strings.Contains(errOut, "manifest: s3://") {
		t.Fatalf("%s printed %q and\n%s", cmd, out, errOut)
	}
	res, err := exportResultOf(t, id)
	if err != nil {
		t.Fatal(err)
	}
	_, recs := readBack(t, res.ManifestKey)
	assertExactly(t, r.sb, "close", "contact", recs)
}

// starterRerun: starting a completed export again is refused and leaves it as it was;
// with --replace it runs again.
func (r *readmeRun) starterRerun() {
	t := r.t
	ctx := context.Background()
	cmds := r.blocks["starter-rerun"]
	if len(cmds) != 2 || strings.Contains(cmds[0], "--replace") || !strings.Contains(cmds[1], "--replace") {
		t.Fatalf("README's rerun block: %q, want a plain export then one with --replace", cmds)
	}
	first, err := stack.client.DescribeWorkflowExecution(ctx, "close-contact", "")
	if err != nil {
		t.Fatal(err)
	}
	const key = "close/contact/close-contact/manifest.json"
	before, err := stack.store.Get(ctx, key)
	if err != nil {
		t.Fatalf("the completed close-contact export has no manifest: %v", err)
	}
	out, errOut, code := r.sh.runFailing(cmds[0])
	if code != 1 || out != "" || !strings.Contains(errOut, "export close-contact already completed") || !strings.Contains(errOut, "--replace") {
		t.Fatalf("%s: exit %d, stdout %q, stderr:\n%s", cmds[0], code, out, errOut)
	}
	if after, err := stack.store.Get(ctx, key); err != nil || !bytes.Equal(after, before) {
		t.Fatalf("the refused re-run changed the manifest: %v", err)
	}
	desc, err := stack.client.DescribeWorkflowExecution(ctx, "close-contact", "")
	if err != nil || desc.GetWorkflowExecutionInfo().GetExecution().GetRunId() != first.GetWorkflowExecutionInfo().GetExecution().GetRunId() {
		t.Fatalf("the refused re-run started a workflow: %v", err)
	}
	out, errOut = r.sh.run(cmds[1])
	if strings.TrimSpace(out) != "close-contact" || !strings.Contains(errOut, "done: 1200 records") {
		t.Fatalf("%s printed %q and\n%s", cmds[1], out, errOut)
	}
	_, recs := readBack(t, key)
	assertExactly(t, r.sb, "close", "contact", recs)
}

// schedule: create, list, describe and trigger; the triggered run is incremental from
// the watermark.json the exports above left.
func (r *readmeRun) schedule() {
	t := r.t
	ctx := context.Background()
	body, err := stack.store.Get(ctx, "close/lead/watermark.json")
	if err != nil {
		t.Fatalf("the close-lead exports left no watermark: %v", err)
	}
	var wm activities.Watermark
	if err := json.Unmarshal(body, &wm); err != nil {
		t.Fatal(err)
	}
	added := r.sb.Insert("close", "lead", 7)
	for _, cmd := range r.blocks["schedule"] {
		switch {
		case strings.Contains(cmd, "schedule create"):
			if out, _ := r.sh.run(cmd); strings.TrimSpace(out) != "close-lead" {
				t.Fatalf("%s printed %q", cmd, out)
			}
		case strings.Contains(cmd, "schedule list"):
			// Temporal's schedule listing lags a creation by a moment.
			var out string
			eventually(t, time.Minute, "the listing to show close-lead", func() bool {
				out, _ = r.sh.run(cmd)
				return strings.HasPrefix(out, "SCHEDULE ") && scheduleRow.MatchString(out)
			})
		case strings.Contains(cmd, "schedule describe"):
			out, _ := r.sh.run(cmd)
			var v exportclient.ScheduleView
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("describe printed no JSON: %v\n%s", err, out)
			}
			want := workflows.ExportInput{Provider: "close", Resource: "lead", Incremental: true}
			if v.ID != "close-lead" || v.Paused || v.Overlap != "skip" || v.CatchupWindow != "1h0m0s" || !v.PauseOnFailure ||
				!slices.Equal(v.Spec, []string{"every 1h0m0s"}) || v.WorkflowType != "Export" || v.WorkflowID != "close-lead" ||
				v.TaskQueue != "exports" || v.Input == nil || !reflect.DeepEqual(*v.Input, want) || len(v.NextRuns) == 0 {
				t.Fatalf("describe:\n%s", out)
			}
			r.starterView = v
		case strings.Contains(cmd, "schedule trigger"):
			r.sh.run(cmd)
			var v exportclient.ScheduleView
			eventually(t, time.Minute, "the triggered run to start", func() bool {
				v, err = exportclient.DescribeSchedule(ctx, stack.client, "close-lead")
				return err == nil && len(v.RecentActions) > 0
			})
			run := v.RecentActions[0].WorkflowID
			if !scheduledID.MatchString(run) {
				t.Fatalf("scheduled run's workflow id %q, want close-lead-<time>", run)
			}
			res, err := exportResultOf(t, run)
			if err != nil {
				t.Fatalf("%s: %v", run, err)
			}
			if res.ExportID != workflows.ExportIDFrom(run) || !res.Since.Equal(wm.Watermark) {
				t.Fatalf("run %s: export id %s since %v; want its own id and since the watermark.json's %v", run, res.ExportID, res.Since, wm.Watermark)
			}
			_, recs := readBack(t, res.ManifestKey)
			assertIDsExactly(t, r.sb, "close", recs, added)
		default:
			t.Fatalf("README command %q has no check here", cmd)
		}
	}
}

// scheduleManage: pause with a note, unpause, delete.
func (r *readmeRun) scheduleManage() {
	t := r.t
	for _, cmd := range r.blocks["schedule-manage"] {
		r.sh.run(cmd)
		switch {
		case strings.Contains(cmd, "schedule pause"):
			note := noteFlag.FindStringSubmatch(cmd)
			if note == nil {
				t.Fatalf("no --note in %q", cmd)
			}
			r.waitSchedule(cmd, func(v exportclient.ScheduleView, err error) bool { return err == nil && v.Paused && v.Note == note[1] })
		case strings.Contains(cmd, "schedule unpause"):
			r.waitSchedule(cmd, func(v exportclient.ScheduleView, err error) bool { return err == nil && !v.Paused })
		case strings.Contains(cmd, "schedule delete"):
			r.waitSchedule(cmd, func(_ exportclient.ScheduleView, err error) bool { return isNotFound(err) })
		default:
			t.Fatalf("README command %q has no check here", cmd)
		}
	}
}

// scheduleTemporal: the temporal CLI's schedule is the starter's, field for field.
func (r *readmeRun) scheduleTemporal() {
	t := r.t
	ctx := context.Background()
	for _, cmd := range r.blocks["schedule-temporal"] {
		out, _ := r.sh.run(cmd)
		switch {
		case strings.Contains(cmd, "temporal schedule create"):
			v, err := exportclient.DescribeSchedule(ctx, stack.client, "close-lead")
			if err != nil {
				t.Fatal(err)
			}
			s := r.starterView
			if !slices.Equal(v.Spec, s.Spec) || v.Overlap != s.Overlap || v.CatchupWindow != s.CatchupWindow ||
				v.PauseOnFailure != s.PauseOnFailure || v.WorkflowType != s.WorkflowType || v.WorkflowID != s.WorkflowID ||
				v.TaskQueue != s.TaskQueue || v.Input == nil || s.Input == nil || !reflect.DeepEqual(*v.Input, *s.Input) {
				a, _ := json.Marshal(v)
				b, _ := json.Marshal(s)
				t.Fatalf("the temporal CLI's schedule differs from the starter's:\n%s\n%s", a, b)
			}
		case strings.Contains(cmd, "temporal schedule describe"):
			if !strings.Contains(out, "close-lead") || !strings.Contains(out, "Export") {
				t.Fatalf("%s printed:\n%s", cmd, out)
			}
		case strings.Contains(cmd, "temporal schedule delete"):
			r.waitSchedule(cmd, func(_ exportclient.ScheduleView, err error) bool { return isNotFound(err) })
		default:
			t.Fatalf("README command %q has no check here", cmd)
		}
	}
}

// waitSchedule polls close-lead's description until ok accepts it: a change reaches
// the schedule as a signal, which describe may answer just before.
func (r *readmeRun) waitSchedule(after string, ok func(exportclient.ScheduleView, error) bool) {
	r.t.Helper()
	eventually(r.t, 30*time.Second, "the schedule to reflect "+after, func() bool {
		return ok(exportclient.DescribeSchedule(context.Background(), stack.client, "close-lead"))
	})
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

// temporalControl: query, pause, resume and cancel an export held running by an API
// that answers every request with 429.
func (r *readmeRun) temporalControl() {
	t := r.t
	cmds := r.blocks["temporal-control"]
	id := workflowIDFlag.FindStringSubmatch(cmds[0])
	if id == nil {
		t.Fatalf("no --workflow-id in %q", cmds[0])
	}
	var start string
	for _, cmd := range r.blocks["temporal-start"] {
		if wid, _ := r.startCommand(cmd); wid == id[1] {
			start = cmd
		}
	}
	if start == "" {
		t.Fatalf("the README starts no %s to control", id[1])
	}
	in := r.holdRunning(id[1], start)
	for _, cmd := range cmds {
		out, _ := r.sh.run(cmd)
		switch {
		case strings.Contains(cmd, "workflow query"):
			p := progressJSON(t, out)
			if p.ExportID != id[1] || p.Provider != in.Provider || p.Phase != workflows.PhaseExporting {
				t.Fatalf("%s printed:\n%s", cmd, out)
			}
		case strings.Contains(cmd, "--name pause"):
			eventually(t, 30*time.Second, "progress to say paused", func() bool { return r.paused(id[1]) == 1 })
		case strings.Contains(cmd, "--name resume"):
			eventually(t, 30*time.Second, "progress to say not paused", func() bool { return r.paused(id[1]) == 0 })
		case strings.Contains(cmd, "workflow cancel"):
			r.assertCancelled(id[1])
			if _, err := stack.store.Get(context.Background(), in.Provider+"/"+in.Resource+"/"+id[1]+"/checkpoint.json"); err != nil {
				t.Fatalf("no checkpoint.json after cancel: %v", err)
			}
		default:
			t.Fatalf("README command %q has no check here", cmd)
		}
	}
}

// starterControl: the starter's progress and cancel on a running export.
func (r *readmeRun) starterControl() {
	t := r.t
	cmds := r.blocks["starter-control"]
	id := lastField(cmds[0])
	in := workflows.ExportInput{Provider: "close", Resource: "contact", Replace: true} // close-contact completed above
	if exportclient.WorkflowID(in) != id {
		t.Fatalf("README controls %s, want close-contact", id)
	}
	r.sb.FailNext(in.Provider, sandbox.FaultRateLimit, 1<<30)
	if _, err := exportclient.Start(context.Background(), stack.client, workflows.DefaultTaskQueue, in); err != nil {
		t.Fatal(err)
	}
	r.waitExporting(id)
	for _, cmd := range cmds {
		out, _ := r.sh.run(cmd)
		switch {
		case strings.Contains(cmd, "starter progress") && strings.Contains(cmd, "--output json"):
			p := progressJSON(t, out)
			if p.ExportID != id || p.Phase != workflows.PhaseExporting || p.Provider != "close" {
				t.Fatalf("%s printed:\n%s", cmd, out)
			}
		case strings.Contains(cmd, "starter progress"):
			// For people: what and how far, none of the query's internals.
			if !regexp.MustCompile(`(?m)^export +close-contact \(close contact, window\)$`).MatchString(out) ||
				!regexp.MustCompile(`(?m)^state +exporting$`).MatchString(out) || !strings.Contains(out, "records") ||
				strings.Contains(out, "{") || strings.Contains(out, "partitions") {
				t.Fatalf("%s printed:\n%s", cmd, out)
			}
		case strings.Contains(cmd, "starter cancel"):
			if !strings.HasPrefix(out, "cancel requested for export close-contact") {
				t.Fatalf("%s printed %q", cmd, out)
			}
			r.assertCancelled(id)
			// Once it has ended, cancel says so and fails: nothing was cancelled.
			_, errOut, code := r.sh.runFailing(cmd)
			if code != 1 || !strings.Contains(errOut, "export close-contact already cancelled") {
				t.Fatalf("%s again: exit %d\n%s", cmd, code, errOut)
			}
		default:
			t.Fatalf("README command %q has no check here", cmd)
		}
	}
}

// holdRunning starts the export with its README command's input while every request to
// its provider gets a 429, so it stays running for as long as the test needs.
func (r *readmeRun) holdRunning(id, start string) workflows.ExportInput {
	_, in := r.startCommand(start)
	r.sb.FailNext(in.Provider, sandbox.FaultRateLimit, 1<<30)
	// The README's start command ran to completion above; again, its id needs replace.
	in.Replace = true
	if _, err := exportclient.Start(context.Background(), stack.client, workflows.DefaultTaskQueue, in); err != nil {
		r.t.Fatal(err)
	}
	r.waitExporting(id)
	return in
}

func (r *readmeRun) waitExporting(id string) {
	r.t.Helper()
	eventually(r.t, time.Minute, id+" to be exporting", func() bool {
		p, err := exportclient.Query(context.Background(), stack.client, id)
		return err == nil && p.Phase == workflows.PhaseExporting
	})
}

// paused is 1 or 0 as the progress query reports, -1 while it cannot answer.
func (r *readmeRun) paused(id string) int {
	p, err := exportclient.Query(context.Background(), stack.client, id)
	switch {
	case err != nil:
		return -1
	case p.Paused:
		return 1
	}
	return 0
}

func (r *readmeRun) assertCancelled(id string) {
	r.t.Helper()
	_, err := exportResultOf(r.t, id)
	var cancelled *temporal.CanceledError
	if !errors.As(err, &cancelled) {
		r.t.Fatalf("%s ended with %v, want cancelled", id, err)
	}
}

// progressJSON is the progress object in a command's output: the starter prints it
// alone, the temporal CLI after a "Query result" heading.
func progressJSON(t *testing.T, out string) workflows.Progress {
	t.Helper()
	i, j := strings.Index(out, "{"), strings.LastIndex(out, "}")
	var p workflows.Progress
	if i < 0 || j < i || json.Unmarshal([]byte(out[i:j+1]), &p) != nil {
		t.Fatalf("no progress JSON in:\n%s", out)
	}
	return p
}

// lastField is a command's last word, before any trailing comment.
func lastField(cmd string) string {
	cmd, _, _ = strings.Cut(cmd, " #")
	f := strings.Fields(cmd)
	return f[len(f)-1]
}

// failAfterAPage runs the README's clio-contacts export against an API that repeats its
// cursor: the first page is written and recorded, the second fails the export for good.
// Then the API is mended.
func (r *readmeRun) failAfterAPage() string {
	t := r.t
	const id = "clio-contacts"
	var in workflows.ExportInput
	for _, cmd := range r.blocks["temporal-start"] {
		if wid, input := r.startCommand(cmd); wid == id {
			in = input
		}
	}
	if in.Provider == "" {
		t.Fatalf("the README starts no %s", id)
	}
	in.Replace = true        // the README's clio-contacts export completed
	r.sb.ClearFaults("clio") // temporal-control held clio with 429s
	r.sb.Break("clio", sandbox.ContractRepeatCursor)
	defer r.sb.Break("clio")
	if _, err := startAs(t, workflows.DefaultTaskQueue, id, in, time.Minute); err == nil {
		t.Fatal("the export did not fail on a repeated cursor")
	}
	if p, err := exportclient.Query(context.Background(), stack.client, id); err != nil || p.Records == 0 || p.Phase != workflows.PhaseFailed {
		t.Fatalf("failed export's progress %+v (%v): want a page recorded before the failure", p, err)
	}
	return id
}

// resume: the README's resume command continues the failed export from its recorded page.
func (r *readmeRun) resume() {
	id := r.failAfterAPage()
	r.assertProgressShowsFailure(id)
	cmds := r.blocks[r.blockOf(r.t.Name())]
	for _, cmd := range cmds {
		r.sh.run(cmd)
	}
	var res workflows.ExportResult
	eventually(r.t, 2*time.Minute, id+" to finish", func() bool {
		var err error
		res, err = exportResultOf(r.t, id)
		return err == nil
	})
	if res.Resumed == nil || res.Resumed.PagesKept == 0 {
		r.t.Fatalf("%s ended %+v without keeping the stopped run's pages", id, res)
	}
	m, recs := readBack(r.t, res.ManifestKey)
	assertExactlyFields(r.t, r.sb, "clio", "contacts", m.Input.Spec.Fields, recs)
}

// reset: the README's reset command continues the failed run from its last workflow task.
func (r *readmeRun) reset() {
	id := r.failAfterAPage()
	failed, err := stack.client.DescribeWorkflowExecution(context.Background(), id, "")
	if err != nil {
		r.t.Fatal(err)
	}
	for _, cmd := range r.blocks["reset"] {
		r.sh.run(cmd)
	}
	var res workflows.ExportResult
	eventually(r.t, 2*time.Minute, id+"'s reset run to finish", func() bool {
		desc, err := stack.client.DescribeWorkflowExecution(context.Background(), id, "")
		if err != nil || desc.GetWorkflowExecutionInfo().GetExecution().GetRunId() == failed.GetWorkflowExecutionInfo().GetExecution().GetRunId() {
			return false
		}
		res, err = exportResultOf(r.t, id)
		return err == nil
	})
	m, recs := readBack(r.t, res.ManifestKey)
	assertExactlyFields(r.t, r.sb, "clio", "contacts", m.Input.Spec.Fields, recs)
	if _, err := stack.store.Head(context.Background(), "clio/contacts/"+id+"/checkpoint.json"); err == nil {
		r.t.Error("the stopped run's checkpoint.json is still beside the manifest")
	}
}

// assertProgressShowsFailure: starter progress of a failed export shows how it failed,
// without the SDK's layers and without a zero start time, and exits 1.
func (r *readmeRun) assertProgressShowsFailure(id string) {
	r.t.Helper()
	for _, cmd := range []string{"go run ./starter progress " + id, "go run ./starter progress " + id + " --output json"} {
		out, errOut, code := r.sh.runFailing(cmd)
		if code != 1 || !strings.Contains(out, "APIContractBroken") || strings.Contains(out+errOut, "0001-01-01") ||
			!strings.Contains(errOut, "export "+id+" failed: APIContractBroken") || strings.Contains(errOut, "workflow execution error") {
			r.t.Fatalf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", cmd, code, out, errOut)
		}
	}
}

// blockOf is the README block a subtest runs: its name's last part.
func (r *readmeRun) blockOf(name string) string {
	return name[strings.LastIndex(name, "/")+1:]
}
