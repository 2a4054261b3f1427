package workflows

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/table"
)

// Bounds on what one export may ask for, checked before any activity runs: past them an
// input could start thousands of activities or exhaust a worker's memory on replay.
const (
	MaxParallelism      = 32     // partitions paged at once
	MaxPagesPerRun      = 2_000  // about 12,000 history events a run at most
	MaxPageSize         = 10_000 // the largest page any provider serves (Clever)
	MaxHeartbeatSeconds = 3_600
	// maxPartitions bounds a continued run's state (about 400 bytes a partition):
	// planning makes at most MaxParallelism partitions, and rebalancing cuts no more.
	maxPartitions = 128
)

// inputChecks versions the checks below and the collision-free export id: runs that began
// before them replay as they ran.
const (
	inputChecksChange  = "input-checks"
	inputChecksVersion = 1
)

// ValidateInput rejects input that can never be exported, naming the field and what is
// allowed. It is pure, so fuzz tests can run it and the workflow can run it deterministically.
func ValidateInput(in ExportInput) error {
	switch {
	case in.Provider == "" || !activities.ValidSegment(in.Provider):
		return invalidInput("invalid provider %q: name one of the worker's providers (clio, attio, close, clever)", clip(in.Provider))
	case in.Credential != "" && !provider.ValidCredential(in.Credential):
		return invalidInput("invalid credential %q: the name of a credential on the worker (%s), never the token itself", clip(in.Credential), provider.CredentialRule)
	case in.Resource == "" || !activities.ValidSegment(in.Resource):
		return invalidInput("invalid resource %q: a resource name of letters, digits, '.', '_', '=' or '-'", clip(in.Resource))
	case in.ExportID != "" && !activities.ValidSegment(in.ExportID):
		return invalidInput("invalid export_id %q: use letters, digits, '.', '_', '=' or '-', starting with a letter or digit", clip(in.ExportID))
	case in.Prefix != "" && !activities.ValidPrefix(in.Prefix):
		return invalidInput("invalid prefix %q: use '/'-separated segments of letters, digits, '.', '_', '=' or '-'", clip(in.Prefix))
	case in.Parallelism < 0 || in.Parallelism > MaxParallelism:
		return invalidInput("invalid parallelism %d: use 1 to %d (0 means 1)", in.Parallelism, MaxParallelism)
	case in.PagesPerRun < 0 || in.PagesPerRun > MaxPagesPerRun:
		return invalidInput("invalid pages_per_run %d: use 1 to %d (0 means %d for a serial export, as many as fit in %d history events for a parallel one)", in.PagesPerRun, MaxPagesPerRun, DefaultPagesPerRun, RunEvents)
	case in.PageSize < 0 || in.PageSize > MaxPageSize:
		return invalidInput("invalid page_size %d: use 1 to the provider's maximum, at most %d (0 means the maximum)", in.PageSize, MaxPageSize)
	case in.Reconcile != "" && in.Reconcile != "warn" && in.Reconcile != activities.ReconcileFail:
		return invalidInput("invalid reconcile %q: use warn or fail", clip(in.Reconcile))
	case !validDeadline(in.CredentialDeadline):
		return invalidInput("invalid credential_deadline %q: a Go duration from 1m to 720h, e.g. 24h", clip(in.CredentialDeadline))
	case !validDeadline(in.OutageDeadline):
		return invalidInput("invalid outage_deadline %q: a Go duration from 1m to 720h, e.g. 24h", clip(in.OutageDeadline))
	case in.HeartbeatSeconds < 0 || in.HeartbeatSeconds > MaxHeartbeatSeconds:
		return invalidInput("invalid heartbeat_seconds %d: use 1 to %d (0 means 10)", in.HeartbeatSeconds, MaxHeartbeatSeconds)
	}
	return validateFormat(in)
}

// validateFormat checks the output format and the table settings, which only a format
// with Parquet files takes.
func validateFormat(in ExportInput) error {
	if in.Format != "" && !slices.Contains(table.Formats, in.Format) {
		return invalidInput("invalid format %q: use %s", clip(in.Format), strings.Join(table.Formats, ", "))
	}
	spec := in.tableSpec()
	if spec == nil {
		return nil
	}
	if !table.WantsTable(in.Format) {
		return invalidInput("invalid input: table_path, table_compression, table_file_mib and table_raw apply to format parquet or both, not %s", cmp.Or(in.Format, table.FormatJSONL))
	}
	if err := spec.Validate(); err != nil {
		return invalidInput("%v", err)
	}
	return nil
}

// validateState re-checks what a continued run inherits: its own earlier run wrote it, but
// it crossed history like any input.
func validateState(st *State, in ExportInput) error {
	if st.Plan.Resource != in.Resource {
		return invalidInput("invalid state: resource %q is not the input's %q", clip(st.Plan.Resource), clip(in.Resource))
	}
	if n := len(st.Partitions); n == 0 || n > maxPartitions {
		return invalidInput("invalid state: %d partitions, want 1 to %d", n, maxPartitions)
	}
	seen := map[int]bool{}
	for _, p := range st.Partitions {
		if p.ID < 0 || p.ID >= maxPartitions || seen[p.ID] || p.Pages < 0 || p.Records < 0 {
			return invalidInput("invalid state: partition %d", p.ID)
		}
		seen[p.ID] = true
	}
	switch {
	case st.Plan.PageSize < 1 || st.Plan.PageSize > MaxPageSize:
		return invalidInput("invalid state: page size %d", st.Plan.PageSize)
	case st.Plan.MaxParallel < 0 || st.Plan.MaxParallel > MaxParallelism:
		return invalidInput("invalid state: max parallel %d", st.Plan.MaxParallel)
	case st.Base == "" || !activities.ValidPrefix(st.Base):
		return invalidInput("invalid state: folder %q", clip(st.Base))
	case st.ExportID != "" && !activities.ValidSegment(st.ExportID):
		return invalidInput("invalid state: export id %q", clip(st.ExportID))
	}
	return nil
}

// stateOrigin versions accepting state only from the run it names (State.From): before
// it, any run that had continued from another took the state, cron runs and retries too.
const (
	stateOriginChange  = "state-origin"
	stateOriginVersion = 1
)

// checkInput runs before any activity. State is accepted only from the run this one
// continued from; anyone else's is refused, since it would skip Prepare's checks.
func checkInput(ctx workflow.Context, in ExportInput) error {
	if legacyCredential(ctx, in.Credential) {
		in.Credential = ""
	}
	if err := ValidateInput(in); err != nil {
		return err
	}
	if in.State == nil {
		return nil
	}
	if !fromPreviousRun(ctx, in.State) {
		return invalidInput("state is set only by an export continuing as new; leave it out of the input")
	}
	return validateState(in.State, in)
}

// fromPreviousRun reports whether st was handed on by the run this one continued from.
// Temporal sets ContinuedExecutionRunID on cron runs and retries as well, which start
// with the input the first run was given: that alone does not tell a continue-as-new.
func fromPreviousRun(ctx workflow.Context, st *State) bool {
	prev := workflow.GetInfo(ctx).ContinuedExecutionRunID
	if workflow.GetVersion(ctx, stateOriginChange, workflow.DefaultVersion, stateOriginVersion) < stateOriginVersion {
		return prev != ""
	}
	return prev != "" && st.From == prev
}

// strictCredentials versions refusing credential names with '-' or ending in _file (see
// provider.ValidCredential). Only a run whose name the rule refuses asks for the version,
// so other histories carry no marker; one that began before the rule replays as it ran.
const (
	strictCredentialsChange  = "strict-credentials"
	strictCredentialsVersion = 1
)

// legacyCredentialName is what a credential could be called before strictCredentials.
var legacyCredentialName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// legacyCredential reports whether name is refused only by the strict rule, in a run that
// began before it.
func legacyCredential(ctx workflow.Context, name string) bool {
	if name == "" || name == "file" || provider.ValidCredential(name) || !legacyCredentialName.MatchString(name) {
		return false
	}
	return workflow.GetVersion(ctx, strictCredentialsChange, workflow.DefaultVersion, strictCredentialsVersion) < strictCredentialsVersion
}

func validDeadline(s string) bool {
	if s == "" {
		return true
	}
	d, err := time.ParseDuration(s)
	return err == nil && d >= time.Minute && d <= 720*time.Hour
}

func invalidInput(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), activities.ErrInvalidInput, nil)
}

// clip keeps a rejected value readable in an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// ExportIDFrom turns a workflow id into a folder name without collisions: an id that is
// already a safe name is used as it is; any other gets its unsafe characters made '-' and
// a hash of the whole id appended, so "acme/clio" and "acme:clio" never share a folder.
// A safe id that looks like such a name is hashed too, so it cannot take another's. (Two
// hashes colliding is left to Prepare, which refuses a folder another workflow owns.)
func ExportIDFrom(workflowID string) string {
	safe := sanitize(workflowID)
	if safe == workflowID && activities.ValidSegment(safe) && !hashed.MatchString(safe) {
		return safe
	}
	sum := sha256.Sum256([]byte(workflowID))
	tag := hex.EncodeToString(sum[:6])
	if safe == "" {
		return tag
	}
	return safe + "-" + tag
}

// sanitize makes every character other than letters, digits, '.', '_', '=' and '-' a '-'
// and drops what a folder name may not start with: the id derivation before version 1.
// hashed matches the tag ExportIDFrom appends.
var hashed = regexp.MustCompile(`(^|-)[0-9a-f]{12}$`)

func sanitize(workflowID string) string {
	var b strings.Builder
	for _, r := range workflowID {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-', r == '=':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return strings.TrimLeft(b.String(), "-._=")
}
