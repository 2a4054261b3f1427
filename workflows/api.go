// Package workflows holds the Export workflow: it pages through a provider one activity
// per page, keeps the position between pages, and finishes with a verified manifest.
package workflows

import (
	"encoding/json"
	"time"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/table"
)

// Names a client needs to start, query and signal exports.
const (
	WorkflowName     = "Export"
	DefaultTaskQueue = "exports"
	QueryProgress    = "progress"
	// QueryState answers the workflow's whole state; a resumed export reads a stopped
	// run's through it (Temporal answers it for closed runs by replaying their history).
	QueryState   = "state"
	SignalPause  = "pause"  // stop starting pages until resumed; running pages finish
	SignalResume = "resume" // carry on after a pause
	// DefaultPagesPerRun bounds a serial run's pages, and every run's that began before
	// runByHistory (runs.go).
	DefaultPagesPerRun = 500
)

// Phases reported by the progress query.
const (
	PhasePreparing = "preparing"
	PhaseExporting = "exporting"
	PhaseFinishing = "finishing"
	PhaseDone      = "done"
	PhaseFailed    = "failed"
	PhaseCancelled = "cancelled"
	// PhaseWaitingForCredentials: the API refused the credential mid-export; pages are
	// retried with backoff until it works again or CredentialDeadline passes.
	PhaseWaitingForCredentials = "waiting_for_credentials"
)

// ExportInput is everything an export asks for. It never carries credentials: those come
// from the worker's environment.
type ExportInput struct {
	// ExportID names the export's folder; defaults to the workflow id.
	ExportID string `json:"export_id,omitempty"`
	Provider string `json:"provider"`
	// Credential names one of several accounts' tokens on the worker (CLIO_TOKEN_ACME, or
	// a file in PAGEWISE_CREDENTIALS_DIR); empty is the provider's default token. Each
	// credential has its own rate budget. The name is never the secret.
	Credential string `json:"credential,omitempty"`
	Resource   string `json:"resource"`
	// Strategy overrides the resource's default paging strategy (cursor, offset, window).
	Strategy string `json:"strategy,omitempty"`
	// PageSize defaults to the provider's maximum for the resource.
	PageSize int               `json:"page_size,omitempty"`
	Fields   []string          `json:"fields,omitempty"`
	Filters  map[string]string `json:"filters,omitempty"`
	// Query is a JSON filter body for POST query endpoints (Attio records, Close search).
	Query json.RawMessage `json:"query,omitempty"`
	// Prefix is the folder below the bucket prefix; defaults to provider/resource, or
	// provider/credential/resource for a named credential.
	Prefix string `json:"prefix,omitempty"`
	// Parallelism is how many partitions may page at once where the strategy allows it
	// (offset ranges with a known total, date_created windows); default 1, serial.
	Parallelism int `json:"parallelism,omitempty"`
	// PagesPerRun is the most pages one run fetches before continuing as new; a run
	// also continues as new at RunEvents history events. 0: DefaultPagesPerRun for a
	// serial export, by history alone for a parallel one.
	PagesPerRun int `json:"pages_per_run,omitempty"`
	// Incremental exports only records created or updated since the previous successful
	// run's watermark (from the schedule's last completion result, else watermark.json).
	Incremental bool `json:"incremental,omitempty"`
	// Since exports only records created or updated at or after it; overrides the watermark.
	Since time.Time `json:"since,omitzero"`
	// HeartbeatSeconds is how soon a parallel export's page on a dead worker is retried
	// elsewhere (default 10). A serial export's pages run on the workflow's own worker and
	// are re-run after its workflow task times out (10 s by default).
	HeartbeatSeconds int `json:"heartbeat_seconds,omitempty"`
	// Reconcile is what happens when the exported count lies outside the provider's own
	// counts at the start and end of the export (where its API reports one): "warn" (the
	// default: logged and recorded in the manifest) or "fail" (no manifest; CountMismatch).
	Reconcile string `json:"reconcile,omitempty"`
	// Resume continues the newest stopped run of this workflow id (cancelled, failed or
	// terminated): pages it wrote and recorded are kept, and each partition goes on from
	// its last position. The input must otherwise be the stopped export's.
	Resume bool `json:"resume,omitempty"`
	// CredentialDeadline is how long a credential refused mid-export (401, 403) is waited
	// for before the export fails, as a Go duration ("24h", the default).
	CredentialDeadline string `json:"credential_deadline,omitempty"`
	// OutageDeadline is how long pages that keep failing (5xx, refused connections, a
	// storage outage) are retried before the export fails ("24h", the default).
	OutageDeadline string `json:"outage_deadline,omitempty"`
	// ReplaceOwner lets this export clear and take over a folder another workflow's
	// export owns (its owner.json names it). Without it Prepare refuses.
	ReplaceOwner bool `json:"replace_owner,omitempty"`
	// Replace lets a fresh run clear a folder that holds a completed, verified export of
	// this id. Without it Prepare refuses, so the last good export is never lost to a
	// re-run that is then cancelled or fails.
	Replace bool `json:"replace,omitempty"`
	// Format is jsonl (the pages alone, the default), parquet or both: typed Parquet
	// files and their schema.json, derived from the verified pages when the export ends.
	Format string `json:"format,omitempty"`
	// TablePath places each Parquet file inside the export's table/ folder (a template;
	// default part-{part}.parquet).
	TablePath string `json:"table_path,omitempty"`
	// TableCompression is zstd (the default), snappy or gzip.
	TableCompression string `json:"table_compression,omitempty"`
	// TableFileMiB is about how much record text one Parquet file holds (default 128).
	TableFileMiB int `json:"table_file_mib,omitempty"`
	// TableRaw adds a _raw column holding each record exactly as the API returned it.
	TableRaw bool `json:"table_raw,omitempty"`
	// State is filled in by the workflow when it continues as new; an input that sets it
	// is refused.
	State *State `json:"state,omitempty"`
}

// State is what one run hands to the next.
type State struct {
	// Resolved is the export as Prepare resolved it: its id (a scheduled run's may carry a
	// suffix), provider, plan and folder.
	activities.Resolved
	StartedAt  time.Time              `json:"started_at"`
	Runs       int                    `json:"runs"`
	Partitions []activities.Partition `json:"partitions"`
	Paused     bool                   `json:"paused,omitempty"`
	// Planned is set once the remaining range has been split into partitions.
	Planned bool `json:"planned,omitempty"`
	// CountAtStart is the provider's own count when the export started.
	CountAtStart activities.CountResult `json:"count_at_start,omitzero"`
	// Resumed is set when the export continued a stopped run.
	Resumed *activities.Resumed `json:"resumed,omitempty"`
	// From is the run that continued as new with this state. The next run accepts the
	// state only when From is the run it continued from: no starter knows a run id when
	// it writes an input, and cron runs and retries start with an input written earlier.
	From string `json:"from,omitempty"`
}

// ExportResult is the finished export.
type ExportResult struct {
	ExportID    string    `json:"export_id"`
	Pages       int       `json:"pages"`
	Records     int64     `json:"records"`
	Bytes       int64     `json:"bytes"`
	ManifestKey string    `json:"manifest_key"`
	Manifest    string    `json:"manifest"` // s3://bucket/key
	StartedAt   time.Time `json:"started_at"`
	FinishedAt  time.Time `json:"finished_at"`
	Runs        int       `json:"runs"`
	// Watermark is where the next incremental run starts: this run's start, since every
	// record created or updated before it was exported (or was there to be).
	Watermark time.Time `json:"watermark"`
	// Since is the lower bound this run used; zero for a full export.
	Since time.Time `json:"since,omitzero"`
	// Resumed is set when the export continued a stopped run.
	Resumed *activities.Resumed `json:"resumed,omitempty"`
	// TableFiles is how many Parquet files the export wrote, and Schema its schema.json.
	TableFiles int    `json:"table_files,omitempty"`
	Schema     string `json:"schema,omitempty"`
}

// tableSpec is the input's table settings; nil when it names none.
func (in ExportInput) tableSpec() *table.Spec {
	s := table.Spec{Path: in.TablePath, Compression: in.TableCompression, FileMiB: in.TableFileMiB, Raw: in.TableRaw}
	if s == (table.Spec{}) {
		return nil
	}
	return &s
}

// Progress answers the progress query.
type Progress struct {
	Phase      string                 `json:"phase"`
	ExportID   string                 `json:"export_id"`
	Provider   string                 `json:"provider"`
	Resource   string                 `json:"resource"`
	Strategy   string                 `json:"strategy,omitempty"`
	Pages      int                    `json:"pages"`
	Records    int64                  `json:"records"`
	Bytes      int64                  `json:"bytes"`
	Total      int                    `json:"total,omitempty"` // the API's own count, when it gives one
	Run        int                    `json:"run"`
	Position   provider.Position      `json:"position"` // of the first unfinished partition
	Partitions []activities.Partition `json:"partitions"`
	StartedAt  time.Time              `json:"started_at,omitzero"` // zero until Prepare has run
	// Paused is true from the pause signal on; Idle once it has taken effect: the pages in
	// flight (and any fetched ahead) are done, and none is asked for until resume.
	Paused bool      `json:"paused"`
	Idle   bool      `json:"idle,omitempty"`
	Since  time.Time `json:"since,omitzero"` // lower bound of an incremental export
	Error  string    `json:"error,omitempty"`
	// LastError is the newest failure of a page still being retried, and when it was seen.
	LastError   string              `json:"last_error,omitempty"`
	LastErrorAt time.Time           `json:"last_error_at,omitzero"`
	Resumed     *activities.Resumed `json:"resumed,omitempty"`
}
