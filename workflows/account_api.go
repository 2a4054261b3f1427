package workflows

import (
	"time"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
)

// AccountWorkflowName is the workflow type of an account export: one child Export per
// resource, all under the credential's one budget.
const AccountWorkflowName = "ExportAccount"

// Account export bounds and defaults.
const (
	// DefaultAccountConcurrency is how many resources export at once. They share one rate
	// budget, so more mostly overlaps API latency.
	DefaultAccountConcurrency = 4
	MaxAccountConcurrency     = 32
	// MaxAccountResources keeps the children (and their events) well inside one history.
	MaxAccountResources = 500
)

// Account phases reported by the progress query, beside the export phases.
const (
	ResourcePending  = "pending"
	ResourceRunning  = "running"
	ResourceExported = "exported"
	ResourceKept     = "kept" // exported by an earlier run of a resumed account
	ResourceFailed   = "failed"
)

// AccountInput is an account export: every resource a provider's catalog lists (All), or
// the ones named. Every other field is passed to each resource's export.
type AccountInput struct {
	// ExportID names the account export; each resource's export has the same id in its
	// own folder, <prefix>/<resource>/<export_id>. Defaults to the workflow id.
	ExportID   string `json:"export_id,omitempty"`
	Provider   string `json:"provider"`
	Credential string `json:"credential,omitempty"`
	// All exports every resource the catalog lists, including discovered ones.
	All bool `json:"all,omitempty"`
	// Resources names the resources to export instead of all of them.
	Resources []string `json:"resources,omitempty"`
	// Prefix is the folder the resources' folders sit in: <provider> by default, or
	// <provider>/<credential> for a named credential.
	Prefix string `json:"prefix,omitempty"`
	// Concurrency is how many resources export at once (default 4, at most 32).
	Concurrency int `json:"concurrency,omitempty"`
	// Parallelism, PagesPerRun, HeartbeatSeconds, Reconcile and the deadlines apply to
	// each resource's export as in ExportInput.
	Parallelism        int    `json:"parallelism,omitempty"`
	PagesPerRun        int    `json:"pages_per_run,omitempty"`
	HeartbeatSeconds   int    `json:"heartbeat_seconds,omitempty"`
	Reconcile          string `json:"reconcile,omitempty"`
	CredentialDeadline string `json:"credential_deadline,omitempty"`
	OutageDeadline     string `json:"outage_deadline,omitempty"`
	ReplaceOwner       bool   `json:"replace_owner,omitempty"`
	// Replace is passed to each resource's export: clear a completed export of this id.
	Replace bool `json:"replace,omitempty"`
	// Incremental makes each resource whose endpoint documents a since filter export only
	// what changed since its own watermark; the others are exported whole.
	Incremental bool      `json:"incremental,omitempty"`
	Since       time.Time `json:"since,omitzero"`
	// Resume keeps every resource an earlier run of this account exported (its folder
	// holds its manifest) and resumes the others from where they stopped.
	Resume bool `json:"resume,omitempty"`
	// Format, TablePath, TableCompression, TableFileMiB and TableRaw apply to each
	// resource's export as in ExportInput.
	Format           string `json:"format,omitempty"`
	TablePath        string `json:"table_path,omitempty"`
	TableCompression string `json:"table_compression,omitempty"`
	TableFileMiB     int    `json:"table_file_mib,omitempty"`
	TableRaw         bool   `json:"table_raw,omitempty"`
	// DryRun lists the resources the account export would take (the catalog, with what
	// discovery found) and exports nothing.
	DryRun bool `json:"dry_run,omitempty"`
}

// AccountResult is the finished account export.
type AccountResult struct {
	ExportID string `json:"export_id"`
	// Manifest is the account manifest, s3://bucket/key.
	Manifest  string                    `json:"manifest"`
	Resources []activities.AccountEntry `json:"resources"`
	Records   int64                     `json:"records"`
	Pages     int                       `json:"pages"`
	// Catalog is what a dry run found: every resource it would export.
	Catalog []provider.Resource `json:"catalog,omitempty"`
}

// AccountProgress answers an account's progress query.
type AccountProgress struct {
	Phase      string                    `json:"phase"`
	ExportID   string                    `json:"export_id"`
	Provider   string                    `json:"provider"`
	Credential string                    `json:"credential,omitempty"`
	Total      int                       `json:"total"`
	Done       int                       `json:"done"`
	Failed     int                       `json:"failed"`
	Records    int64                     `json:"records"` // of the resources finished so far
	Pages      int                       `json:"pages"`
	Resources  []activities.AccountEntry `json:"resources"`
}
