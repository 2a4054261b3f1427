package table

import (
	"fmt"
	"slices"

	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/gzip"
	"github.com/parquet-go/parquet-go/compress/snappy"
)

// Formats an export can be written in: its pages alone (the default), or Parquet files
// derived from them beside the pages.
const (
	FormatJSONL   = "jsonl"
	FormatParquet = "parquet"
	FormatBoth    = "both"
)

// Formats lists the accepted formats, the default first.
var Formats = []string{FormatJSONL, FormatParquet, FormatBoth}

// WantsTable reports whether format asks for Parquet files.
func WantsTable(format string) bool { return format == FormatParquet || format == FormatBoth }

// Compressions a table can be written with; zstd is the default.
var Compressions = []string{"zstd", "snappy", "gzip"}

// Defaults and bounds of Spec.
const (
	DefaultFileMiB = 128
	MaxFileMiB     = 4096
	// RowGroupBytes is how much record text a row group holds before the next starts: a
	// reader skips a row group whose statistics rule it out, and the writer holds one row
	// group's encoded pages (in a temporary file) until it ends.
	RowGroupBytes = 16 << 20
)

// Spec is what an export asks of its table files. The zero value is every default.
type Spec struct {
	// Path is where each file goes inside the export's table folder (Template).
	Path string `json:"path,omitempty"`
	// Compression is zstd (the default), snappy or gzip.
	Compression string `json:"compression,omitempty"`
	// FileMiB is about how much record text (uncompressed JSON) one file holds.
	FileMiB int `json:"file_mib,omitempty"`
	// Raw adds the _raw column: each record exactly as the API returned it.
	Raw bool `json:"raw,omitempty"`
}

// Validate names the first field of s that can never be written, and what is allowed.
func (s Spec) Validate() error {
	if s.Compression != "" && !slices.Contains(Compressions, s.Compression) {
		return fmt.Errorf("invalid table_compression %q: use zstd, snappy or gzip", clip(s.Compression))
	}
	if s.FileMiB < 0 || s.FileMiB > MaxFileMiB {
		return fmt.Errorf("invalid table_file_mib %d: use 1 to %d (0 means %d)", s.FileMiB, MaxFileMiB, DefaultFileMiB)
	}
	if s.Path != "" {
		if _, err := ParseTemplate(s.Path); err != nil {
			return err
		}
	}
	return nil
}

// fileBytes is the record text that closes a file.
func (s Spec) fileBytes() int64 {
	if s.FileMiB == 0 {
		return DefaultFileMiB << 20
	}
	return int64(s.FileMiB) << 20
}

func (s Spec) codec() compress.Codec {
	switch s.Compression {
	case "snappy":
		return &snappy.Codec{}
	case "gzip":
		return &gzip.Codec{Level: gzip.DefaultCompression}
	}
	return &zstdCodec{}
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
