package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
)

// Export pages through one provider resource and writes every page to storage.
func Export(ctx workflow.Context, in ExportInput) (ExportResult, error) {
	checked := workflow.GetVersion(ctx, inputChecksChange, workflow.DefaultVersion, inputChecksVersion) >= inputChecksVersion
	x := newExporter(ctx, in, checked)
	if err := workflow.SetQueryHandler(ctx, QueryProgress, x.progress); err != nil {
		return ExportResult{}, err
	}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (State, error) { return x.st, nil }); err != nil {
		return ExportResult{}, err
	}
	if checked {
		if err := checkInput(ctx, in); err != nil {
			return ExportResult{}, x.fail(err)
		}
	}
	x.listen(ctx)
	if in.State == nil {
		if err := x.prepare(ctx); err != nil {
			return ExportResult{}, x.fail(err)
		}
		resumed, err := x.resume(ctx)
		if err != nil {
			return ExportResult{}, x.fail(err)
		}
		if !resumed {
			x.st.CountAtStart = x.countAtStart(ctx)
			x.planUpfront(ctx)
		}
		x.upsertMemo(ctx, PhaseExporting)
	}
	x.phase = PhaseExporting
	if err := x.run(ctx); err != nil {
		return ExportResult{}, x.stop(ctx, err)
	}
	if !x.allDone() {
		next := in
		x.st.Runs++
		x.st.Paused = x.paused
		x.st.From = workflow.GetInfo(ctx).WorkflowExecution.RunID
		next.State = &x.st
		x.upsertMemo(ctx, PhaseExporting)
		return ExportResult{}, workflow.NewContinueAsNewError(ctx, WorkflowName, next)
	}
	return x.finish(ctx)
}

// exporter holds one run's state; the workflow function only sequences its steps.
type exporter struct {
	in       ExportInput
	export   activities.Export
	wfID     string
	st       State
	phase    string
	total    int
	errText  string
	runPages int
	paused   bool
	// uncounted: the connector reports no totals (Prepare says), for planning upfront.
	uncounted bool
	// halted is set while a pause has taken effect: no page in flight, none fetched ahead.
	halted bool
}

func newExporter(ctx workflow.Context, in ExportInput, checked bool) *exporter {
	info := workflow.GetInfo(ctx)
	id := in.ExportID
	switch {
	case id != "":
	case checked:
		id = ExportIDFrom(info.WorkflowExecution.ID)
	default:
		id = sanitize(info.WorkflowExecution.ID)
	}
	prefix := in.Prefix
	switch {
	case prefix != "":
	case in.Credential != "":
		prefix = in.Provider + "/" + in.Credential + "/" + in.Resource
	default:
		prefix = in.Provider + "/" + in.Resource
	}
	x := &exporter{
		in:    in,
		wfID:  info.WorkflowExecution.ID,
		phase: PhasePreparing,
		export: activities.Export{ID: id, Provider: in.Provider, Credential: in.Credential, Prefix: prefix, Spec: provider.Spec{
			Resource: in.Resource, Strategy: in.Strategy, PageSize: in.PageSize,
			Fields: in.Fields, Filters: in.Filters, Query: in.Query,
		}, Format: in.Format, Table: in.tableSpec()},
	}
	if in.State != nil {
		x.st = *in.State
		x.st.Resolved = x.fill(x.st.Resolved)
		x.paused = in.State.Paused
	}
	return x
}

// fill completes a resolved export from the request where an earlier build left a field
// out (state and results recorded before Resolved carried the provider).
func (x *exporter) fill(r activities.Resolved) activities.Resolved {
	if r.ExportID == "" {
		r.ExportID = x.export.ID
	}
	if r.Provider == "" {
		r.Provider = x.export.Provider
	}
	if r.Credential == "" {
		r.Credential = x.export.Credential
	}
	return r
}

// asked is what the export asked for, under the id and with the since Prepare resolved:
// the input the manifest records.
func (x *exporter) asked() activities.Export {
	e := x.export
	if x.st.ExportID != "" {
		e.ID = x.st.ExportID
	}
	e.Spec.Since = x.st.Plan.Since
	return e
}

// listen applies pause and resume signals for as long as the run lives.
func (x *exporter) listen(ctx workflow.Context) {
	pause := workflow.GetSignalChannel(ctx, SignalPause)
	resume := workflow.GetSignalChannel(ctx, SignalResume)
	workflow.Go(ctx, func(ctx workflow.Context) {
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(pause, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil); x.paused = true })
		sel.AddReceive(resume, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil); x.paused = false })
		for ctx.Err() == nil {
			sel.Select(ctx)
		}
	})
}

// since is the lower bound of an incremental run: the input's own, else the previous
// successful run's watermark as the schedule remembers it. Zero lets Prepare look for
// watermark.json, which outlives a deleted schedule.
func (x *exporter) since(ctx workflow.Context) time.Time {
	if !x.in.Since.IsZero() || !x.in.Incremental {
		return x.in.Since
	}
	var prev ExportResult
	if workflow.HasLastCompletionResult(ctx) && workflow.GetLastCompletionResult(ctx, &prev) == nil {
		return prev.Watermark
	}
	return time.Time{}
}

// scheduledBy is set by Temporal on every workflow a schedule starts.
var scheduledBy = temporal.NewSearchAttributeKeyKeyword("TemporalScheduledById")

// suffix is what tells a scheduled run without an export_id from an earlier run that got
// the same workflow id (a trigger in the same second): the first 8 characters of its run id.
func (x *exporter) suffix(ctx workflow.Context) string {
	if x.in.ExportID != "" {
		return ""
	}
	if _, ok := workflow.GetTypedSearchAttributes(ctx).GetKeyword(scheduledBy); !ok {
		return ""
	}
	info := workflow.GetInfo(ctx)
	id := info.FirstRunID
	if id == "" {
		id = info.WorkflowExecution.RunID
	}
	return sanitize(id[:min(8, len(id))])
}

func (x *exporter) prepare(ctx workflow.Context) error {
	var res activities.PrepareResult
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 10, MaximumInterval: time.Minute},
	})
	x.export.Spec.Since = x.since(ctx)
	in := activities.PrepareInput{Export: x.export, Fresh: !x.resuming(ctx), Incremental: x.in.Incremental, Suffix: x.suffix(ctx),
		WorkflowID: x.wfID, ReplaceOwner: x.in.ReplaceOwner, Replace: x.in.Replace}
	if err := workflow.ExecuteActivity(actx, a.Prepare, in).Get(ctx, &res); err != nil {
		return err
	}
	x.st = State{
		Resolved:   x.fill(res.Resolved),
		StartedAt:  workflow.Now(ctx),
		Partitions: []activities.Partition{{ID: 0, Position: res.Start, Start: &res.Start}},
	}
	x.uncounted = res.Uncounted
	return nil
}

// plan splits the export into partitions after its first page, once, and returns the
// new partitions to launch.
func (x *exporter) plan(total int) []int {
	x.st.Planned = true
	if total >= 0 && !x.st.CountAtStart.Known {
		x.st.CountAtStart = activities.CountResult{Total: total, Known: true}
	}
	n := min(x.in.Parallelism, x.st.Plan.MaxParallel)
	x.st.Partitions = split(x.st.Plan.Strategy, x.st.Partitions[0], total, x.st.Plan.PageSize, n)
	var added []int
	for i := 1; i < len(x.st.Partitions); i++ {
		added = append(added, i)
	}
	return added
}

func (x *exporter) apply(i int, res activities.PageResult) {
	p := &x.st.Partitions[i]
	if res.Key != "" {
		p.Pages++
		p.Records += int64(res.Records)
		p.Bytes += res.Bytes
		if !res.Done {
			p.PageSpan = provider.Span(p.Position, res.Next)
		}
	}
	p.Position = res.Next
	p.Done = res.Done
	// The first page's total is the export's; later ones may count a window or a walk.
	if res.Total > 0 && !x.st.Planned {
		x.total = res.Total
	}
	x.runPages++
}

func (x *exporter) finish(ctx workflow.Context) (ExportResult, error) {
	x.phase = PhaseFinishing
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute},
	})
	var res activities.FinishResult
	in := activities.FinishInput{
		Export: x.asked(), Strategy: x.st.Plan.Strategy, Base: x.st.Base, WorkflowID: x.wfID, Claim: x.st.Claim,
		StartedAt: x.st.StartedAt, Partitions: x.st.Partitions, Watermark: x.watermark(), SinceGiven: !x.in.Since.IsZero(),
		CountAtStart: x.st.CountAtStart, Reconcile: x.in.Reconcile, Resumed: x.st.Resumed,
	}
	x.countAtEnd(ctx, &in)
	tables, err := x.writeTables(ctx)
	if err != nil {
		return ExportResult{}, x.fail(err)
	}
	in.Tables = tables
	err = workflow.ExecuteActivity(actx, a.Finish, in).Get(ctx, &res)
	if err != nil {
		return ExportResult{}, x.fail(err)
	}
	x.phase = PhaseDone
	x.upsertMemo(ctx, "completed")
	out := ExportResult{
		ExportID: x.asked().ID, Pages: res.Pages, Records: res.Records, Bytes: res.Bytes,
		ManifestKey: res.ManifestKey, Manifest: res.Location,
		StartedAt: x.st.StartedAt, FinishedAt: workflow.Now(ctx), Runs: x.st.Runs + 1,
		Watermark: x.watermark(), Since: x.st.Plan.Since, Resumed: x.st.Resumed,
	}
	if tables != nil {
		out.TableFiles, out.Schema = len(tables.Files), tables.Schema
	}
	return out, nil
}

// watermarkSkew allows for the API's clock running behind ours: the next incremental
// run starts a little before this one did, so records may repeat across runs, never go
// missing.
const watermarkSkew = 5 * time.Minute

func (x *exporter) watermark() time.Time { return x.st.StartedAt.Add(-watermarkSkew).UTC() }

// stop records where a failed or cancelled export got to, so a person (or a restart of
// the same export) can see it; no manifest is written.
func (x *exporter) stop(ctx workflow.Context, cause error) error {
	reason := "failed: " + cause.Error()
	if temporal.IsCanceledError(cause) || errors.Is(ctx.Err(), workflow.ErrCanceled) {
		x.phase, reason = PhaseCancelled, "cancelled"
		var dctx workflow.Context
		dctx, _ = workflow.NewDisconnectedContext(ctx)
		ctx = dctx
	} else {
		x.phase = PhaseFailed
		x.errText = cause.Error()
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5},
	})
	cp := activities.CheckpointInput{Base: x.st.Base, Claim: x.st.Claim, Checkpoint: activities.Checkpoint{
		ExportID: x.asked().ID, WorkflowID: x.wfID, Reason: reason, Plan: x.st.Plan, Partitions: x.st.Partitions,
	}}
	if err := workflow.ExecuteActivity(actx, a.WriteCheckpoint, cp).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("could not write checkpoint", "export_id", x.asked().ID, "error", err)
	}
	x.upsertMemo(ctx, x.phase)
	return cause
}

func (x *exporter) fail(err error) error {
	x.phase, x.errText = PhaseFailed, err.Error()
	return err
}

// written is how many pages and records the export has written, for its ceilings.
func (x *exporter) written() (pages, records int64) {
	for _, p := range x.st.Partitions {
		pages, records = pages+int64(p.Pages), records+p.Records
	}
	return pages, records
}

func (x *exporter) allDone() bool {
	for _, p := range x.st.Partitions {
		if !p.Done {
			return false
		}
	}
	return true
}

func (x *exporter) progress() (Progress, error) {
	pr := Progress{
		Phase: x.phase, ExportID: x.asked().ID, Provider: x.export.Provider, Resource: x.export.Spec.Resource,
		Strategy: x.st.Plan.Strategy, Total: x.total, Run: x.st.Runs + 1, Partitions: x.st.Partitions,
		StartedAt: x.st.StartedAt, Error: x.errText, Paused: x.paused, Idle: x.paused && x.halted, Since: x.st.Plan.Since,
	}
	for _, p := range x.st.Partitions {
		pr.Pages += p.Pages
		pr.Records += p.Records
		pr.Bytes += p.Bytes
		if p.Holding != "" && p.LastErrorAt.After(pr.LastErrorAt) {
			pr.LastError, pr.LastErrorAt = p.LastError, p.LastErrorAt
		}
	}
	if pr.Phase == PhaseExporting && x.holding(holdCredentials) {
		pr.Phase = PhaseWaitingForCredentials
	}
	pr.Resumed = x.st.Resumed
	for _, p := range x.st.Partitions {
		if !p.Done {
			pr.Position = p.Position
			break
		}
	}
	return pr, nil
}
