// Package current keeps, run after run, a table of what an account holds now: the latest
// version of every record of a resource, one row per id, deleted records kept with the
// time they were deleted (or dropped, by a setting), and, optionally, a history of every
// version with the span it held.
//
// Each merge writes a new generation of the table under <series>/current/<resource>/
// gen-<n>/ (sorted gzip'd JSONL parts, Parquet files when the format asks, a manifest),
// verifies it, and only then publishes it by replacing one small pointer object,
// current.json, with a conditional write. A reader that follows the pointer never sees a
// half-merged table; a crash before the pointer moved changes nothing; a run older than
// the one the pointer names is refused. Merging holds a bounded number of records
// whatever the table's size: the run's changes are sorted in runs spilled to disk and
// merged with the previous generation as it streams from the store.
//
// The package owns this format and knows nothing of Temporal: callers hand it a store, a
// run and its changes.
package current

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/pagewise/pagewise/internal/table"
)

// Format names the layout of current.json and the generations' manifests.
const Format = "pagewise.current/v1"

// Folder is the folder, beside a series' export folders, that holds its current tables.
const Folder = "current"

// Defaults of Options.
const (
	DefaultKeep         = 3
	DefaultPartMiB      = 128
	DefaultSpillRecords = 100_000
	DefaultSpillMiB     = 64
	// MinSpillRecords leaves room for the merge's inputs: see Options.SpillRecords.
	MinSpillRecords = 5
)

// Options are what an export asks of its current tables. The zero value is every default.
type Options struct {
	// Format is the export's: table.FormatParquet or FormatBoth add Parquet files beside
	// the JSONL parts, which every generation has (the next merge reads them).
	Format string `json:"format,omitempty"`
	// Table is the Parquet files' settings; its Path is not used.
	Table table.Spec `json:"table,omitzero"`
	// DropDeleted leaves deleted records out of the current table instead of keeping them
	// with _deleted_at (soft delete). The history table always keeps them.
	DropDeleted bool `json:"drop_deleted,omitempty"`
	// History also keeps the history table: every version of every record.
	History bool `json:"history,omitempty"`
	// Keep is how many published generations stay (default 3): readers that followed an
	// older pointer keep reading them while later ones are published.
	Keep int `json:"keep,omitempty"`
	// PartMiB is about how much row text (uncompressed) one JSONL part holds.
	PartMiB int `json:"part_mib,omitempty"`
	// SpillRecords bounds the records a merge holds in memory at once: the run's changes
	// are sorted in batches of at most this many, written to disk, and merged with at most
	// SpillRecords-3 batches open at once. SpillMiB bounds a batch's record text too.
	SpillRecords int `json:"-"`
	SpillMiB     int `json:"-"`
	// TempDir holds the sorted batches; "" is os.TempDir.
	TempDir string `json:"-"`

	partBytes int64 // tests: parts of a few rows
}

func (o Options) withDefaults() Options {
	if o.Format == "" {
		o.Format = table.FormatJSONL
	}
	if o.Keep <= 0 {
		o.Keep = DefaultKeep
	}
	if o.PartMiB <= 0 {
		o.PartMiB = DefaultPartMiB
	}
	if o.SpillRecords <= 0 {
		o.SpillRecords = DefaultSpillRecords
	}
	if o.SpillMiB <= 0 {
		o.SpillMiB = DefaultSpillMiB
	}
	return o
}

// Validate names the first setting that can never work.
func (o Options) Validate() error {
	switch {
	case o.Format != "" && o.Format != table.FormatJSONL && !table.WantsTable(o.Format):
		return fmt.Errorf("%w: format %q: use %s", ErrInvalid, o.Format, strings.Join(table.Formats, ", "))
	case o.Keep < 0 || o.Keep > 100:
		return fmt.Errorf("%w: keep %d: use 1 to 100 generations (0 means %d)", ErrInvalid, o.Keep, DefaultKeep)
	case o.SpillRecords != 0 && o.SpillRecords < MinSpillRecords:
		return fmt.Errorf("%w: spill records %d: at least %d", ErrInvalid, o.SpillRecords, MinSpillRecords)
	case o.PartMiB < 0 || o.PartMiB > table.MaxFileMiB:
		return fmt.Errorf("%w: part_mib %d: use 1 to %d", ErrInvalid, o.PartMiB, table.MaxFileMiB)
	}
	if err := o.Table.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

// Run is one export run whose changes a merge applies.
type Run struct {
	// ID is the run's export id; rows it wrote name it.
	ID string `json:"id"`
	// ExtractedAt is when the run started: the time of every record it upserts, and the
	// order runs are published in. A run older than the pointer's last one is refused.
	ExtractedAt time.Time `json:"extracted_at"`
	// Watermark is the run's incremental watermark, recorded in the manifest.
	Watermark time.Time `json:"watermark,omitzero"`
	// Sweep says the run listed every id the provider holds (its upserts and Seen ids):
	// a live row whose id it did not list is deleted at ExtractedAt. A full snapshot run
	// is a sweep; so is a listing of ids alone.
	Sweep bool `json:"sweep,omitempty"`
}

func (r Run) validate() error {
	switch {
	case !safeSegment.MatchString(r.ID):
		return fmt.Errorf("%w: run id %q: letters, digits, '.', '_', '=', '-'", ErrInvalid, clip(r.ID))
	case r.ExtractedAt.IsZero():
		return fmt.Errorf("%w: run %s has no extraction time", ErrInvalid, r.ID)
	}
	return nil
}

// Errors a merge returns; others are the store's, for the caller to retry.
var (
	// ErrInvalid is input that can never merge: a setting, a run, a record without an id.
	ErrInvalid = errors.New("invalid merge input")
	// ErrSuperseded is a run older than (or as old as, and not) the one the pointer
	// names: a newer run has published, and this one's changes are older than its. The
	// generation it wrote, if any, is left for a later merge to collect.
	ErrSuperseded = errors.New("a newer run has published the table")
	// ErrCorrupt is a published generation that does not read back as its manifest says.
	ErrCorrupt = errors.New("generation does not match its manifest")
)

var safeSegment = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._=-]{0,199}$`)

// Root is the folder of a resource's current table inside the series folder (the folder
// that holds the series' exports and its watermark.json, with the store's prefix).
func Root(series, resource string) (string, error) {
	clean := strings.TrimSuffix(series, "/")
	switch {
	case !cleanKey(clean):
		return "", fmt.Errorf("%w: series folder %q", ErrInvalid, clip(series))
	case !safeSegment.MatchString(resource):
		return "", fmt.Errorf("%w: resource %q: letters, digits, '.', '_', '=', '-'", ErrInvalid, clip(resource))
	}
	return clean + "/" + Folder + "/" + resource, nil
}

// cleanKey reports whether k is a relative key of '/'-separated segments, none empty,
// "." or "..".
func cleanKey(k string) bool {
	if k == "" {
		return false
	}
	for seg := range strings.SplitSeq(k, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// HistoryRoot is the folder of the history table beside a current table at root.
func HistoryRoot(root string) string { return root + "/" + historyDir }

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
