package activities

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/internal/provider"
)

// CountInput asks the provider for its own record count for an export's query.
type CountInput struct {
	Resolved
}

// CountResult is the provider's count; Known is false where its reference documents none.
type CountResult struct {
	Total int  `json:"total"`
	Known bool `json:"known"`
}

// counter is what a connector implements where its API reports a total for a query
// (Clio meta.records, Close total_results and search counts).
type counter interface {
	Count(ctx context.Context, plan provider.Plan) (int, bool, error)
}

// Count asks the provider how many records the export's query matches: an independent
// count the manifest records beside the exported one.
func (a *Activities) Count(ctx context.Context, in CountInput) (_ CountResult, err error) {
	defer a.logFailure(ctx, "provider count failed", &err, "export_id", in.ExportID, "provider", in.Provider, "resource", in.Plan.Resource)
	return a.count(ctx, in)
}

func (a *Activities) count(ctx context.Context, in CountInput) (CountResult, error) {
	conn, err := a.Providers.Get(in.Provider, in.Credential)
	if err != nil {
		return CountResult{}, asInvalid(err)
	}
	if _, err := conn.Validate(in.Plan.Spec); err != nil {
		return CountResult{}, asInvalid(err)
	}
	c, ok := conn.(counter)
	if !ok {
		return CountResult{}, nil
	}
	n, known, err := c.Count(a.limited(ctx, in.Plan.Resource), in.Plan)
	if err != nil {
		return CountResult{}, toTemporal(err)
	}
	return CountResult{Total: n, Known: known}, nil
}

// The count Finish takes beside its walk retries as the workflow's count activity does.
const (
	countBesideTimeout = 2 * time.Minute
	countAttempts      = 10
	countMaxBackoff    = 10 * time.Second
)

// countBeside takes the provider's count while the caller goes on, for Finish: the count
// at the end no longer waits on its own activity before the walk starts. Like the
// workflow's count it is a check, not a step: a failure leaves the count unknown.
func (a *Activities) countBeside(ctx context.Context, in CountInput) func() CountResult {
	done := make(chan CountResult, 1)
	go func() {
		ctx, cancel := context.WithTimeout(ctx, countBesideTimeout)
		defer cancel()
		res, err := a.countRetried(ctx, in)
		if err != nil {
			a.logger().WarnContext(ctx, "provider count unavailable; the manifest will not reconcile",
				"export_id", in.ExportID, "provider", in.Provider, "resource", in.Plan.Resource, "error", err)
		}
		done <- res
	}()
	return sync.OnceValue(func() CountResult { return <-done })
}

// ProviderCount is the reconciliation the manifest records: the provider's own count when
// the export started and when it ended, beside what was exported.
type ProviderCount struct {
	AtStart  int   `json:"at_start"`
	AtEnd    int   `json:"at_end"`
	Exported int64 `json:"exported"`
	// Within is true when Exported lies between the two counts, inclusive.
	Within bool `json:"within"`
}

func reconcile(start, end CountResult, exported int64) *ProviderCount {
	if !start.Known || !end.Known {
		return nil
	}
	lo, hi := int64(min(start.Total, end.Total)), int64(max(start.Total, end.Total))
	return &ProviderCount{AtStart: start.Total, AtEnd: end.Total, Exported: exported, Within: exported >= lo && exported <= hi}
}

// countRetried retries a retryable failure, after the provider's delay where it gave one.
func (a *Activities) countRetried(ctx context.Context, in CountInput) (CountResult, error) {
	backoff := time.Second
	for attempt := 1; ; attempt++ {
		res, err := a.count(ctx, in)
		var appErr *temporal.ApplicationError
		if err == nil || attempt == countAttempts || (errors.As(err, &appErr) && appErr.NonRetryable()) {
			return res, err
		}
		wait := backoff
		if appErr != nil && appErr.NextRetryDelay() > 0 {
			wait = appErr.NextRetryDelay()
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return CountResult{}, ctx.Err()
		case <-t.C:
		}
		backoff = min(2*backoff, countMaxBackoff)
	}
}
