package activities

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage"
)

// PrepareInput is an export about to start or resume.
type PrepareInput struct {
	Export Export `json:"export"`
	// Fresh clears anything an earlier export with the same id left in its folder, so a
	// re-run never mixes its pages with old ones.
	Fresh bool `json:"fresh"`
	// Incremental with no Spec.Since starts from the watermark.json of the last
	// successful export at this prefix, if there is one.
	Incremental bool `json:"incremental,omitempty"`
	// Suffix, when set, is added to the export id if its folder already holds a finished
	// export. A schedule names runs by the second, so two triggered in the same second
	// share a workflow id; the second must not replace the first's output.
	Suffix string `json:"suffix,omitempty"`
	// WorkflowID is the workflow the folder is claimed for (Temporal's own word for it
	// wins when Prepare runs as an activity).
	WorkflowID string `json:"workflow_id,omitempty"`
	// ReplaceOwner lets this workflow take over a folder another workflow owns.
	ReplaceOwner bool `json:"replace_owner,omitempty"`
	// Replace lets Fresh clear a folder that holds a verified manifest. Without it (or
	// ReplaceOwner) Prepare refuses, so a re-run never destroys the last good export.
	Replace bool `json:"replace,omitempty"`
}

// PrepareResult is the validated plan and where paging starts.
type PrepareResult struct {
	// Resolved is the export every later step works on; its ExportID is the input's, or
	// it with Suffix.
	Resolved
	Start provider.Position `json:"start"`
	// Uncounted is set when the plan's pages report no total (provider.Totalless): offset
	// partitions then interleave, and can be planned before the first page.
	Uncounted bool `json:"uncounted,omitempty"`
}

// Prepare rejects input that can never succeed — with a non-retryable error naming the
// field and what is allowed — and checks the bucket before any page is fetched.
func (a *Activities) Prepare(ctx context.Context, in PrepareInput) (_ PrepareResult, err error) {
	e := in.Export
	defer a.logFailure(ctx, "export could not start", &err, "export_id", e.ID, "provider", e.Provider, "resource", e.Spec.Resource)
	if !ValidSegment(e.ID) {
		return PrepareResult{}, invalid("invalid export_id %q: use letters, digits, '.', '_', '=' or '-', starting with a letter or digit", e.ID)
	}
	if e.Prefix != "" && !ValidPrefix(e.Prefix) {
		return PrepareResult{}, invalid("invalid prefix %q: use '/'-separated segments of letters, digits, '.', '_', '=' or '-'", e.Prefix)
	}
	if err := checkLayout(e); err != nil {
		return PrepareResult{}, err
	}
	conn, err := a.Providers.Get(e.Provider, e.Credential)
	if err != nil {
		return PrepareResult{}, asInvalid(err)
	}
	if in.Incremental && e.Spec.Since.IsZero() {
		if e.Spec.Since, err = a.readWatermark(ctx, e); err != nil {
			return PrepareResult{}, err
		}
	}
	plan, err := conn.Validate(e.Spec)
	if err != nil {
		return PrepareResult{}, asInvalid(err)
	}
	if err := a.checkStore(ctx); err != nil {
		return PrepareResult{}, invalid("storage unreachable: %v (check PAGEWISE_S3_ENDPOINT, PAGEWISE_S3_BUCKET and the AWS credentials)", err)
	}
	base := a.base(e)
	if in.Suffix != "" {
		if base, err = a.untaken(ctx, &e, in.Suffix); err != nil {
			return PrepareResult{}, err
		}
	}
	if err := checkKeyLength(base); err != nil {
		return PrepareResult{}, err
	}
	if err := checkTableKeys(base, e); err != nil {
		return PrepareResult{}, err
	}
	if err := a.checkSeries(ctx, e); err != nil {
		return PrepareResult{}, err
	}
	if err := a.refuseForeign(ctx, base); err != nil {
		return PrepareResult{}, err
	}
	if err := a.guard(ctx, base, in); err != nil {
		return PrepareResult{}, err
	}
	owner := Owner{Format: OwnerFormat, WorkflowID: workflowOf(ctx, in.WorkflowID), RunID: runOf(ctx), Claim: newClaim(),
		ExportID: e.ID, Input: e, ClaimedAt: time.Now().UTC()}
	// A finished export is refused before the claim is written: a refused re-run leaves
	// its folder as it was.
	admit := func() error { return nil }
	if in.Fresh {
		admit = func() error { return a.refuseVerified(ctx, base, e, in) }
	}
	if err := a.claim(ctx, base, owner, in.ReplaceOwner, admit); err != nil {
		return PrepareResult{}, err
	}
	if in.Fresh {
		if err := a.clear(ctx, base); err != nil {
			return PrepareResult{}, err
		}
	}
	a.logger().InfoContext(ctx, "export prepared", "export_id", e.ID, "provider", e.Provider,
		"resource", plan.Resource, "strategy", plan.Strategy, "page_size", plan.PageSize, "destination", a.Store.Location(base))
	tl, ok := conn.(provider.Totalless)
	return PrepareResult{Resolved: Resolved{ExportID: e.ID, Provider: e.Provider, Credential: e.Credential, Plan: plan, Base: base, Claim: owner.Claim},
		Start: conn.Start(plan), Uncounted: ok && tl.Totalless(plan)}, nil
}

// guard is PAGEWISE_REFUSE_REPLACE_OWNER: no replace_owner, and no clearing of a folder that
// holds a finished export, even by the workflow id that made it (a starter can reuse any
// workflow id).
func (a *Activities) guard(ctx context.Context, base string, in PrepareInput) error {
	if !a.RefuseReplace {
		return nil
	}
	if in.ReplaceOwner {
		return invalid("this worker refuses replace_owner (PAGEWISE_REFUSE_REPLACE_OWNER): leave it out, or have an operator remove %s",
			a.Store.Location(base+"/"+ownerName))
	}
	if !in.Fresh {
		return nil
	}
	etag, err := a.etagOf(ctx, base+"/"+manifestName)
	if err != nil || etag == "" {
		return err
	}
	return invalid("folder %s holds a finished export, and this worker clears none (PAGEWISE_REFUSE_REPLACE_OWNER): choose another export_id",
		a.Store.Location(base))
}

// untaken adds suffix to e's id when e's folder holds a manifest, and returns the folder.
func (a *Activities) untaken(ctx context.Context, e *Export, suffix string) (string, error) {
	_, err := a.Store.Head(ctx, a.base(*e)+"/"+manifestName)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return a.base(*e), nil
	case err != nil:
		return "", storageError(err)
	}
	e.ID += "-" + suffix
	if !ValidSegment(e.ID) {
		return "", invalid("invalid export_id suffix %q", suffix)
	}
	return a.base(*e), nil
}

// refuseVerified keeps a completed export: a fresh run may clear its folder only when
// the input says replace (or replace_owner).
func (a *Activities) refuseVerified(ctx context.Context, base string, e Export, in PrepareInput) error {
	if in.Replace || in.ReplaceOwner {
		return nil
	}
	_, err := a.Store.Head(ctx, base+"/"+manifestName)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil
	case err != nil:
		return storageError(err)
	}
	return invalid("export %s already completed: %s is its verified output. Set replace (starter export --replace) to delete it and export again, or choose another export_id",
		e.ID, a.Store.Location(base+"/"+manifestName))
}

// storageCheckTimeout bounds the bucket probe. An endpoint that accepts connections and
// never answers would otherwise hold Prepare for the HTTP client's timeout on every SDK
// attempt, past Prepare's start-to-close timeout, and Temporal would retry the timeout
// instead of failing the export once as misconfigured.
var storageCheckTimeout = 15 * time.Second

func (a *Activities) checkStore(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, storageCheckTimeout)
	defer cancel()
	return a.Store.Check(ctx)
}

// maxKeyBytes is S3's limit on a key's length.
const maxKeyBytes = 1024

// checkKeyLength fails an export whose longest key would not fit S3, which would refuse
// it on every retry.
func checkKeyLength(base string) error {
	longest := max(len(PageKey(base, 999, 99_999_999)), len(base+"/"+manifestName+stagedSuffix))
	if longest > maxKeyBytes {
		return invalid("the export's keys would be up to %d bytes long, over S3's %d: shorten prefix, export_id or PAGEWISE_S3_PREFIX", longest, maxKeyBytes)
	}
	return nil
}

// clear deletes what an earlier export left in base, all but the claim just made.
func (a *Activities) clear(ctx context.Context, base string) error {
	return a.Store.Walk(ctx, base+"/", func(old []storage.Object) error {
		keys := make([]string, 0, len(old))
		for _, o := range old {
			if o.Key != base+"/"+ownerName {
				keys = append(keys, o.Key)
			}
		}
		if len(keys) == 0 {
			return nil
		}
		return a.Store.Delete(ctx, keys)
	})
}

// asInvalid keeps a validation error's own message and makes it non-retryable.
func asInvalid(err error) error {
	msg := err.Error()
	if !strings.Contains(msg, "invalid") && !strings.Contains(msg, "not set") {
		msg = "invalid input: " + msg
	}
	return invalid("%s", msg)
}
