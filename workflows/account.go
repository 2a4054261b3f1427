package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
)

// ErrAccountIncomplete fails an account export in which some resource failed: the
// account manifest names them, and each can be resumed on its own or with the account.
const ErrAccountIncomplete = "AccountIncomplete"

// ErrDiscoveryRefused is the error type of an account entry for a kind of discovered
// resources the API refused to list (provider.Resource.Refused): no export ran for it.
const ErrDiscoveryRefused = "DiscoveryRefused"

// accountCatalogChange guards reading the catalog's Within and Refused rows: all leaves
// out resources within another, and a refused discovery is its kind's failure.
const (
	accountCatalogChange  = "account-catalog-rows"
	accountCatalogVersion = 1
)

// Account exports every resource of one provider account: one child Export per resource,
// Concurrency at a time, all paced by the credential's one budget. A resource that fails
// does not stop the others; the account manifest, written last, lists each resource's
// manifest or its error.
func Account(ctx workflow.Context, in AccountInput) (AccountResult, error) {
	ac := newAccount(ctx, in)
	if err := workflow.SetQueryHandler(ctx, QueryProgress, ac.progress); err != nil {
		return AccountResult{}, err
	}
	checked := in
	if legacyCredential(ctx, in.Credential) {
		checked.Credential = ""
	}
	if err := ValidateAccountInput(checked); err != nil {
		ac.phase = PhaseFailed
		return AccountResult{}, err
	}
	ac.started = workflow.Now(ctx)
	if err := ac.plan(ctx); err != nil {
		ac.phase = PhaseFailed
		return AccountResult{}, err
	}
	if in.DryRun {
		ac.phase = PhaseDone
		return AccountResult{ExportID: ac.id, Resources: ac.entries, Catalog: ac.chosen}, nil
	}
	ac.phase = PhaseExporting
	ac.runAll(ctx)
	return ac.finish(ctx)
}

type account struct {
	in      AccountInput
	id      string // the account's export id, each resource's export id too
	prefix  string
	wfID    string
	started time.Time
	phase   string
	chosen  []provider.Resource
	entries []activities.AccountEntry
	inputs  []ExportInput // one per entry
}

func newAccount(ctx workflow.Context, in AccountInput) *account {
	info := workflow.GetInfo(ctx)
	id := in.ExportID
	if id == "" {
		id = ExportIDFrom(info.WorkflowExecution.ID)
	}
	prefix := in.Prefix
	switch {
	case prefix != "":
	case in.Credential != "":
		prefix = in.Provider + "/" + in.Credential
	default:
		prefix = in.Provider
	}
	return &account{in: in, id: id, prefix: prefix, wfID: info.WorkflowExecution.ID, phase: PhasePreparing}
}

// plan lists the account's resources, picks the asked ones and, when resuming, keeps
// those an earlier run finished.
func (ac *account) plan(ctx workflow.Context) error {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 10, MaximumInterval: time.Minute},
	})
	var catalog []provider.Resource
	if err := workflow.ExecuteActivity(actx, a.Catalog, activities.CatalogInput{Provider: ac.in.Provider, Credential: ac.in.Credential}).Get(ctx, &catalog); err != nil {
		return err
	}
	if ac.in.All && len(catalog) > MaxAccountResources && capsAll(ctx) {
		return invalidInput("the %s account holds %d resources, more than the %d one account export takes: export them in several, each naming at most %d in resources",
			ac.in.Provider, len(catalog), MaxAccountResources, MaxAccountResources)
	}
	rows := workflow.GetVersion(ctx, accountCatalogChange, workflow.DefaultVersion, accountCatalogVersion) >= accountCatalogVersion
	chosen, err := choose(catalog, ac.in, rows)
	if err != nil {
		return err
	}
	ac.chosen = chosen
	for _, r := range chosen {
		child := ac.childInput(r)
		ac.inputs = append(ac.inputs, child)
		ac.entries = append(ac.entries, activities.AccountEntry{Resource: r.Name, WorkflowID: ac.childID(r.Name),
			Status: ResourcePending, Incremental: child.Incremental || !child.Since.IsZero()})
	}
	if !ac.in.Resume || ac.in.DryRun {
		ac.refused(rows)
		return nil
	}
	var done map[string]activities.AccountEntry
	if err := workflow.ExecuteActivity(actx, a.Exported, ac.exportedInput()).Get(ctx, &done); err != nil {
		return err
	}
	for i, e := range ac.entries {
		if kept, ok := done[e.Resource]; ok {
			ac.entries[i] = kept
			ac.entries[i].Status = ResourceKept
		}
	}
	ac.refused(rows)
	return nil
}

// allCap versions holding all to MaxAccountResources, as resources always was: an account
// may define custom objects without end. Only a run whose catalog is over the cap asks, so
// other histories carry no marker.
const (
	allCapChange  = "account-all-cap"
	allCapVersion = 1
)

func capsAll(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, allCapChange, workflow.DefaultVersion, allCapVersion) >= allCapVersion
}

// refused fails, without an export, the entries of kinds whose discovery the API refused.
func (ac *account) refused(rows bool) {
	for i, r := range ac.chosen {
		if rows && r.Refused != "" {
			ac.entries[i] = activities.AccountEntry{Resource: r.Name, Status: ResourceFailed,
				ErrorType: ErrDiscoveryRefused, Error: "listing them was refused: " + r.Refused}
		}
	}
}

// choose is the catalog rows to export: all of them (with rows, but those within
// another), or the named ones in the catalog's order. A name the catalog does not list
// fails, naming what it does.
func choose(catalog []provider.Resource, in AccountInput, rows bool) ([]provider.Resource, error) {
	if in.All && rows {
		return slices.DeleteFunc(slices.Clone(catalog), func(r provider.Resource) bool { return r.Within != "" }), nil
	}
	if in.All {
		return catalog, nil
	}
	names := make([]string, len(catalog))
	for i, r := range catalog {
		names[i] = r.Name
	}
	var out []provider.Resource
	for _, want := range in.Resources {
		i := slices.Index(names, want)
		if i < 0 {
			return nil, invalidInput("invalid resources: %q is not a resource of this %s account; it has: %s", clip(want), in.Provider, clip(strings.Join(names, ", ")))
		}
		out = append(out, catalog[i])
	}
	return out, nil
}

// childID is a resource's export workflow id: stable across the account's runs, so a
// resumed account finds its resources' stopped runs.
func (ac *account) childID(resource string) string { return ac.wfID + "/" + resource }

func (ac *account) childInput(r provider.Resource) ExportInput {
	in := ac.in
	child := ExportInput{ExportID: ac.id, Provider: in.Provider, Credential: in.Credential, Resource: r.Name,
		Prefix: ac.prefix + "/" + r.Name, Parallelism: in.Parallelism, PagesPerRun: in.PagesPerRun,
		HeartbeatSeconds: in.HeartbeatSeconds, Reconcile: in.Reconcile, Resume: in.Resume,
		CredentialDeadline: in.CredentialDeadline, OutageDeadline: in.OutageDeadline, ReplaceOwner: in.ReplaceOwner,
		Replace: in.Replace, Format: in.Format, TablePath: in.TablePath, TableCompression: in.TableCompression, TableFileMiB: in.TableFileMiB,
		TableRaw: in.TableRaw}
	if r.Incremental {
		child.Incremental, child.Since = in.Incremental, in.Since
	}
	return child
}

func (ac *account) exportedInput() activities.ExportedInput {
	var in activities.ExportedInput
	for i, e := range ac.entries {
		c := ac.inputs[i]
		in.Exports = append(in.Exports, activities.OwnedExport{WorkflowID: e.WorkflowID,
			Export: activities.Export{ID: c.ExportID, Provider: c.Provider, Credential: c.Credential, Prefix: c.Prefix,
				Spec: provider.Spec{Resource: c.Resource}}})
	}
	return in
}

// runAll runs the resources not yet exported, Concurrency at a time, until each has
// finished or failed, or the account is cancelled.
func (ac *account) runAll(ctx workflow.Context) {
	limit := ac.in.Concurrency
	if limit == 0 {
		limit = DefaultAccountConcurrency
	}
	sem := workflow.NewSemaphore(ctx, int64(limit))
	wg := workflow.NewWaitGroup(ctx)
	for i := range ac.entries {
		if ac.entries[i].Status != ResourcePending { // kept, or refused before any export
			continue
		}
		if err := sem.Acquire(ctx, 1); err != nil {
			break // cancelled: start no more
		}
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			defer sem.Release(1)
			ac.runOne(ctx, i)
		})
	}
	wg.Wait(ctx)
}

func (ac *account) runOne(ctx workflow.Context, i int) {
	e := &ac.entries[i]
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID: e.WorkflowID,
		// A cancelled account cancels its resources, which record where they stopped.
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		WaitForCancellation:   true,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	})
	e.Status = ResourceRunning
	var res ExportResult
	err := workflow.ExecuteChildWorkflow(cctx, WorkflowName, ac.inputs[i]).Get(ctx, &res)
	if err != nil {
		e.Status, e.ErrorType, e.Error = ResourceFailed, errorType(err), rootMessage(err)
		return
	}
	e.Status, e.Manifest, e.Records, e.Pages = ResourceExported, res.Manifest, res.Records, res.Pages
}

// errorType is the application error type at the root of a child's failure, or
// Cancelled, or Failed.
func errorType(err error) string {
	var app *temporal.ApplicationError
	var canceled *temporal.CanceledError
	switch {
	case errors.As(err, &app):
		return app.Type()
	case errors.As(err, &canceled):
		return "Cancelled"
	case temporal.IsTerminatedError(err):
		return "Terminated"
	case temporal.IsTimeoutError(err):
		return "TimedOut"
	}
	return "Failed"
}

// rootMessage is the child's own error message, without the wrappers Temporal puts
// around it.
func rootMessage(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// finish writes the account manifest, even when the account was cancelled, and fails
// the account when some resource did not export.
func (ac *account) finish(ctx workflow.Context) (AccountResult, error) {
	cancelled := ctx.Err() != nil
	if cancelled {
		ctx, _ = workflow.NewDisconnectedContext(ctx)
	}
	ac.phase = PhaseFinishing
	m := ac.manifest(workflow.Now(ctx))
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute, MaximumAttempts: 20},
	})
	var loc string
	err := workflow.ExecuteActivity(actx, a.WriteAccountManifest, activities.AccountManifestInput{
		Prefix: ac.prefix, Manifest: m, ReplaceOwner: ac.in.ReplaceOwner}).Get(ctx, &loc)
	if err != nil {
		ac.phase = PhaseFailed
		return AccountResult{}, err
	}
	res := AccountResult{ExportID: ac.id, Manifest: loc, Resources: ac.entries, Records: m.Records, Pages: m.Pages}
	var failed []string
	for _, e := range ac.entries {
		if e.Status != ResourceExported && e.Status != ResourceKept {
			failed = append(failed, e.Resource)
		}
	}
	switch {
	case cancelled:
		ac.phase = PhaseCancelled
		return res, temporal.NewCanceledError()
	case len(failed) > 0:
		ac.phase = PhaseFailed
		return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("%d of %d resources did not export (%s); see %s, and resume the account (starter resume %s) or each resource on its own",
			len(failed), len(ac.entries), clip(strings.Join(failed, ", ")), loc, ac.wfID), ErrAccountIncomplete, nil, res)
	}
	ac.phase = PhaseDone
	return res, nil
}

func (ac *account) manifest(now time.Time) activities.AccountManifest {
	m := activities.AccountManifest{ExportID: ac.id, WorkflowID: ac.wfID, Provider: ac.in.Provider, Credential: ac.in.Credential,
		StartedAt: ac.started, FinishedAt: now, Resources: ac.entries, Complete: true}
	for _, e := range ac.entries {
		m.Records += e.Records
		m.Pages += e.Pages
		m.Complete = m.Complete && (e.Status == ResourceExported || e.Status == ResourceKept)
	}
	return m
}

func (ac *account) progress() (AccountProgress, error) {
	p := AccountProgress{Phase: ac.phase, ExportID: ac.id, Provider: ac.in.Provider, Credential: ac.in.Credential,
		Total: len(ac.entries), Resources: ac.entries}
	for _, e := range ac.entries {
		switch e.Status {
		case ResourceExported, ResourceKept:
			p.Done++
			p.Records += e.Records
			p.Pages += e.Pages
		case ResourceFailed:
			p.Failed++
		}
	}
	return p, nil
}
