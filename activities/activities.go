// Package activities holds everything an export does outside workflow code: validate the
// input, fetch a page and write it, and write and verify the manifest. Records never
// leave these activities; the workflow sees positions and counts only.
package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/internal/metrics"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/table"
)

// Error types an export fails with. The workflow and operators branch on them.
const (
	ErrInvalidInput = "InvalidInput"  // the export can never succeed as asked
	ErrProvider     = "ProviderError" // the API refused or failed; retryable or not as it says
	ErrStorage      = "StorageError"  // the bucket failed; retried
	// ErrStorageConflict: the bucket refused a key for good (409) because an object and a
	// folder would share its path; retrying cannot help.
	ErrStorageConflict = "StorageConflict"
	ErrVerification    = "VerificationFailed" // stored objects disagree with what the export wrote
	// ErrReconciliation: the exported count lies outside the provider's own counts, and
	// the input asked to fail on that.
	ErrReconciliation = "CountMismatch"
	// ErrContract: the API broke its paging contract (a repeated cursor, a window that does
	// not move, records out of order): going on would never end or would duplicate records.
	ErrContract = "APIContractBroken"
	// ErrCredentials: the API refused the credential (401, 403) or the worker could not
	// read it. Mid-export the workflow waits for it to work again.
	ErrCredentials = "CredentialsRejected"
)

// Providers finds a connector by provider and credential name.
type Providers interface {
	// Get is provider name's connector for credential (empty: the default one).
	Get(name, credential string) (provider.Connector, error)
}

// Activities carries the dependencies every activity shares. The worker registers one.
type Activities struct {
	Providers Providers
	Store     storage.Store
	// Prefix is prepended to every key (PAGEWISE_S3_PREFIX).
	Prefix string
	Log    *slog.Logger
	// GzipLevel compresses pages; zero means gzip.DefaultCompression.
	GzipLevel int
	// Metrics counts pages, records, bytes and API answers; nil records nothing.
	Metrics *metrics.Exporter
	// MaxBody and MaxRetryDelay bound what a provider's answer can make a worker do
	// (PAGEWISE_MAX_BODY, PAGEWISE_MAX_RETRY_DELAY); zero keeps the provider defaults.
	MaxBody       int64
	MaxRetryDelay time.Duration
	// Ceilings bound one export's pages and records (PAGEWISE_MAX_EXPORT_PAGES and
	// _RECORDS); zero fields keep the provider defaults.
	Ceilings provider.Ceilings
	// Budget bounds the page data the worker holds (PAGEWISE_MEMORY_BUDGET); nil gives a
	// budget of provider.DefaultBudget.
	Budget *provider.Budget
	// Runs finds stopped runs for resuming them; nil refuses to resume.
	Runs StoppedRuns
	// RefuseReplace refuses replace_owner, and clearing a folder that holds a finished
	// export (PAGEWISE_REFUSE_REPLACE_OWNER).
	RefuseReplace bool

	defaultBudget sync.Once
	streams       streams // serial partitions' pages fetched ahead of their batches
	pending       pending // parallel partitions' pages written here, not yet indexed
}

// Partition is one serial chain of pages and how far it has got. A serial export has one.
type Partition struct {
	ID       int               `json:"id"`
	Position provider.Position `json:"position"`
	Pages    int               `json:"pages"`
	Records  int64             `json:"records"`
	Bytes    int64             `json:"bytes"`
	Done     bool              `json:"done"`
	// Start is where the partition began, so a resumed export can page it again from the
	// start if its pages in the bucket cannot be trusted.
	Start *provider.Position `json:"start,omitempty"`
	// PageSpan is how much of its window the partition's latest full page covered, for
	// judging how many pages are left (window partitions only).
	PageSpan time.Duration `json:"page_span,omitempty"`
	// While a page keeps failing: since when, why (credentials or outage), the latest
	// error and when it was seen, and how many waits so far.
	HoldSince   time.Time `json:"hold_since,omitzero"`
	Holding     string    `json:"holding,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	Holds       int       `json:"holds,omitempty"`
}

// Export identifies one export and what it asks for. It never holds credentials.
type Export struct {
	ID       string `json:"id"`
	Provider string `json:"provider"`
	// Credential names the token the export uses; empty is the provider's default.
	Credential string        `json:"credential,omitempty"`
	Prefix     string        `json:"prefix"` // destination prefix below the store prefix
	Spec       provider.Spec `json:"spec"`
	// Format is jsonl (the pages alone, the default), parquet or both: Parquet files
	// derived from the pages at the end (WriteTables), with Table's settings.
	Format string      `json:"format,omitempty"`
	Table  *table.Spec `json:"table,omitempty"`
}

func (a *Activities) logger() *slog.Logger {
	if a.Log == nil {
		return slog.Default()
	}
	return a.Log
}

// logFailure logs *err, if any, once with the export's identity, so every error line
// leads back to its export. Errors Temporal will not retry are logged as errors, the
// rest as warnings.
func (a *Activities) logFailure(ctx context.Context, msg string, err *error, attrs ...any) {
	if *err == nil {
		return
	}
	level := slog.LevelWarn
	var appErr *temporal.ApplicationError
	if errors.As(*err, &appErr) && appErr.NonRetryable() {
		level = slog.LevelError
	}
	a.logger().Log(ctx, level, msg, append(attrs, "error", *err)...)
}

// toTemporal turns a connector or storage error into the ApplicationError the workflow
// and Temporal's retry policy understand, honouring a provider's Retry-After.
func toTemporal(err error) error {
	var pe *provider.Error
	if errors.As(err, &pe) {
		typ := ErrProvider
		switch {
		case pe.Contract:
			typ = ErrContract
		case pe.Credentials:
			typ = ErrCredentials // the workflow decides: fail on the first page, else wait
		}
		return temporal.NewApplicationErrorWithOptions(pe.Error(), typ, temporal.ApplicationErrorOptions{
			NonRetryable:   !pe.Retryable || pe.Credentials,
			NextRetryDelay: pe.RetryAfter,
		})
	}
	return err
}

func invalid(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(sprintf(format, args...), ErrInvalidInput, nil)
}

// budget is the worker's memory budget for pages, a default one when none was given.
func (a *Activities) budget() *provider.Budget {
	a.defaultBudget.Do(func() {
		if a.Budget == nil {
			a.Budget = provider.DefaultBudgetFor(a.MaxBody)
		}
	})
	return a.Budget
}

// keep makes a fetched page's hold what the page keeps until written.
func (a *Activities) keep(ctx context.Context, h *provider.Hold, page provider.Page) error {
	if err := h.Keep(ctx, provider.KeepBytes(page)); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return temporal.NewApplicationError("memory budget: "+err.Error(), ErrProvider)
	}
	return nil
}

// limited puts the worker's bounds on provider answers into ctx; a delay cut to the
// bound is logged and counted.
func (a *Activities) limited(ctx context.Context, resource string) context.Context {
	return provider.WithLimits(ctx, provider.Limits{MaxBody: a.MaxBody, MaxDelay: a.MaxRetryDelay, Budget: a.budget(),
		Clamped: func(prov string, asked, used time.Duration) {
			a.Metrics.DelayClamped(prov, resource)
			a.logger().WarnContext(ctx, "provider asked for a longer delay than allowed; clamped",
				"provider", prov, "resource", resource, "asked", asked.String(), "used", used.String())
		}})
}

// atPosition adds where a page failed for good to its error, so the person reading it
// can find the page; retryable errors are left as they are.
func atPosition(err error, in PageInput) error {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() {
		return err
	}
	msg := appErr.Message()
	if appErr.Type() != ErrContract { // a contract error names its position already
		msg += " (at " + in.Position.Describe() + ")"
	}
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s (partition %d, page %d)", msg, in.Partition, in.Seq), appErr.Type(), nil)
}

// storageError is a bucket failure as Temporal should see it: retryable, typed StorageError,
// with the store's own error as its cause; a conflict no retry can resolve is not retried.
func storageError(err error) error {
	if storage.IsConflict(err) {
		return temporal.NewNonRetryableApplicationError(err.Error()+
			": an object and a folder of the export's keys would share a path in the bucket; choose another prefix or export_id",
			ErrStorageConflict, err)
	}
	return temporal.NewApplicationErrorWithCause(err.Error(), ErrStorage, err)
}
