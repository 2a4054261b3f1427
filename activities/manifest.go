package activities

import "time"

// ManifestFormat names the manifest's schema; bump it on incompatible changes.
const ManifestFormat = "pagewise.manifest/v1"

// Manifest is written last: its presence means the export completed and was verified.
type Manifest struct {
	Format     string    `json:"format"`
	ExportID   string    `json:"export_id"`
	WorkflowID string    `json:"workflow_id"`
	Provider   string    `json:"provider"`
	Input      Export    `json:"input"` // what was asked; never holds credentials
	Strategy   string    `json:"strategy"`
	Location   string    `json:"location"` // s3://bucket/base
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Since      time.Time `json:"since,omitzero"`     // lower bound of an incremental export
	Watermark  time.Time `json:"watermark,omitzero"` // where the next incremental export starts
	Pages      int       `json:"pages"`
	Records    int64     `json:"records"`
	Bytes      int64     `json:"bytes"`
	// Objects lists every page object, in key order.
	Objects []PageObject `json:"objects"`
}

// PageObject is one page file: gzip-compressed newline-delimited JSON records.
type PageObject struct {
	Key       string `json:"key"`
	Partition int    `json:"partition"`
	Seq       int    `json:"seq"`
	Records   int    `json:"records"`
	Bytes     int64  `json:"bytes"`
	SHA256    string `json:"sha256"`
}
