package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
)

// pageHolds versions pages that wait instead of failing: runs that began before it
// replay with the server retrying each page for ever.
const (
	pageHoldsChange  = "page-holds"
	pageHoldsVersion = 1

	// pageAttempts is how often the server tries a page (about two minutes of backoff)
	// before the workflow holds it.
	pageAttempts = 8
	// A held page is tried again after holdFirst, doubling up to holdMax.
	holdFirst = 30 * time.Second
	holdMax   = 5 * time.Minute
	// DefaultDeadline is how long a held export waits for a credential or an outage.
	DefaultDeadline = 24 * time.Hour

	holdCredentials = "credentials"
	holdOutage      = "outage"
)

func pageHoldsOn(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, pageHoldsChange, workflow.DefaultVersion, pageHoldsVersion) >= pageHoldsVersion
}

// hold decides whether partition i's failed page waits and is tried again, and how long
// it waits first; otherwise it returns the error that ends the export.
func (x *exporter) hold(ctx workflow.Context, i int, err error) (time.Duration, error) {
	kind, ok := holdKind(err)
	switch {
	case !ok:
		return 0, err
	case kind == holdCredentials && !x.fetched():
		return 0, invalidInput("the API refused the credential on the export's first page: %v", err)
	}
	p := &x.st.Partitions[i]
	now := workflow.Now(ctx)
	if p.HoldSince.IsZero() || p.Holding != kind {
		p.HoldSince, p.Holds = now, 0
	}
	p.Holding, p.LastError, p.LastErrorAt = kind, err.Error(), now
	if limit := x.deadline(kind); now.Sub(p.HoldSince) >= limit {
		typ := activities.ErrProvider
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) {
			typ = appErr.Type()
		}
		return 0, temporal.NewNonRetryableApplicationError(fmt.Sprintf("partition %d gave up after waiting %v for the %s: %v",
			p.ID, limit, holdReason(kind), err), typ, nil)
	}
	if p.Holds == 0 {
		x.holdStarted(ctx, kind, err)
	}
	wait := min(holdMax, holdFirst<<min(p.Holds, 10))
	p.Holds++
	return wait, nil
}

// holdKind sorts a failed page: a refused credential, a failure that may pass (an
// exhausted retryable error or a timeout), or one that ends the export.
func holdKind(err error) (string, bool) {
	var appErr *temporal.ApplicationError
	var timeout *temporal.TimeoutError
	switch {
	case temporal.IsCanceledError(err):
		return "", false
	case errors.As(err, &appErr) && appErr.Type() == activities.ErrCredentials:
		return holdCredentials, true
	case errors.As(err, &appErr):
		return holdOutage, !appErr.NonRetryable()
	case errors.As(err, &timeout):
		return holdOutage, true
	}
	return "", false
}

func holdReason(kind string) string {
	if kind == holdCredentials {
		return "credential to work again"
	}
	return "API or storage to recover"
}

// holdStarted says so once, in the worker's log at error. (The page activity keeps the
// pagewise_waiting_for_credentials gauge.)
func (x *exporter) holdStarted(ctx workflow.Context, kind string, err error) {
	workflow.GetLogger(ctx).Error("export waiting for the "+holdReason(kind), "export_id", x.st.ExportID,
		"provider", x.export.Provider, "resource", x.export.Spec.Resource, "deadline", x.deadline(kind).String(), "error", err)
}

// recovered clears partition i's hold once one of its pages succeeds.
func (x *exporter) recovered(ctx workflow.Context, i int) {
	p := &x.st.Partitions[i]
	if p.Holding == "" {
		return
	}
	was := p.Holding
	p.Holding, p.HoldSince, p.Holds = "", time.Time{}, 0
	workflow.GetLogger(ctx).Info("export going on: the "+holdReason(was)+" did", "export_id", x.st.ExportID, "partition", p.ID)
}

// holding reports whether any partition waits for kind.
func (x *exporter) holding(kind string) bool {
	for _, p := range x.st.Partitions {
		if p.Holding == kind {
			return true
		}
	}
	return false
}

// fetched reports whether the export has any page: a refused credential before that is
// bad input, after it a credential that stopped working.
func (x *exporter) fetched() bool {
	for _, p := range x.st.Partitions {
		if p.Pages > 0 || p.Done {
			return true
		}
	}
	return false
}

func (x *exporter) deadline(kind string) time.Duration {
	s := x.in.OutageDeadline
	if kind == holdCredentials {
		s = x.in.CredentialDeadline
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d
	}
	return DefaultDeadline
}
