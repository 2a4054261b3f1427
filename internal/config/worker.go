package config

import (
	"fmt"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/pagewise/pagewise/internal/provider"

	"github.com/pagewise/pagewise/internal/provider/registry"
	"github.com/pagewise/pagewise/internal/storage"
)

// Worker is the worker process's whole configuration.
type Worker struct {
	Temporal
	registry.Config
	S3 storage.Config `envconfig:"PAGEWISE_S3"`
	Log
	HTTPTimeout time.Duration `envconfig:"PAGEWISE_HTTP_TIMEOUT" default:"60s" desc:"timeout of one API request"`
	GzipLevel   int           `envconfig:"PAGEWISE_GZIP_LEVEL" default:"6" desc:"gzip level of page objects (1 fastest, 9 smallest)"`
	MaxPages    int           `envconfig:"PAGEWISE_MAX_CONCURRENT_PAGES" default:"32" desc:"page activities one worker runs at once, per credential's page queue; memory stays within PAGEWISE_MEMORY_BUDGET whatever this is"`
	StopTimeout time.Duration `envconfig:"PAGEWISE_STOP_TIMEOUT" default:"30s" desc:"how long a stopping worker lets running pages finish"`
	HTTPAddr    string        `envconfig:"PAGEWISE_HTTP_ADDR" default:"127.0.0.1:9090" desc:"address of /metrics, /healthz and /readyz; empty disables"`
	// MaxBody bounds one API response; MemoryBudget bounds all the page data a worker
	// holds, each page claiming from it in MaxBody units (see provider.Budget).
	MaxBody       ByteSize      `envconfig:"PAGEWISE_MAX_BODY" default:"32MiB" desc:"largest API response body a page may have; a larger one fails the export, naming the page"`
	MemoryBudget  ByteSize      `envconfig:"PAGEWISE_MEMORY_BUDGET" default:"640MiB" desc:"page data one worker holds at once: bodies being read, pages fetched ahead, pages being written; at least 3 × PAGEWISE_MAX_BODY. The worker's memory limit is this + 384 MiB (see Running in production)"`
	MaxRetryDelay time.Duration `envconfig:"PAGEWISE_MAX_RETRY_DELAY" default:"5m" desc:"longest delay a provider may ask for (Retry-After, rate reset); longer ones are cut to it, logged and counted"`
	// The ceilings end an export whose API hands out fresh pages for ever: far above any
	// real account, so that only a broken API meets them.
	MaxExportPages   int64 `envconfig:"PAGEWISE_MAX_EXPORT_PAGES" default:"100000000" desc:"most pages one export may write; past it the export fails as APIContractBroken"`
	MaxExportRecords int64 `envconfig:"PAGEWISE_MAX_EXPORT_RECORDS" default:"1000000000" desc:"most records one export may write; past it the export fails as APIContractBroken"`
	// RefuseReplaceOwner is the guard of the README's threat model.
	RefuseReplaceOwner bool `envconfig:"PAGEWISE_REFUSE_REPLACE_OWNER" default:"false" desc:"refuse replace_owner, and clearing a folder that holds a finished export (its manifest), whoever asks: no starter can then delete a finished export"`
}

// What a worker needs beside its page budget: MemoryBase for the Go runtime, the Temporal
// SDK's pollers and workflow cache, the S3 client, gzip writers (at most activities.maxEncoders
// at once) and pooled buffers; MemoryHeadroom for what the garbage collector and the
// kernel's accounting may go past the Go memory limit.
const (
	MemoryBase     = 256 << 20
	MemoryHeadroom = 128 << 20
)

// GoMemoryLimit is the soft limit the worker gives Go's garbage collector, unless
// GOMEMLIMIT is set: the page budget plus MemoryBase.
func (w Worker) GoMemoryLimit() int64 { return int64(w.MemoryBudget) + MemoryBase }

// MemoryLimit is the memory a worker's container needs: PAGEWISE_MEMORY_BUDGET +
// MemoryBase + MemoryHeadroom. deploy/k8s sets its limit from it (a test checks).
func (w Worker) MemoryLimit() int64 { return w.GoMemoryLimit() + MemoryHeadroom }

// Log selects the log output.
type Log struct {
	Level  string `envconfig:"PAGEWISE_LOG_LEVEL" default:"info" desc:"debug, info, warn or error"`
	Format string `envconfig:"PAGEWISE_LOG_FORMAT" default:"auto" desc:"json, text, or auto (json unless stderr is a terminal)"`
}

// LoadWorker reads the environment.
func LoadWorker() (Worker, error) {
	var w Worker
	if err := envconfig.Process("", &w); err != nil {
		return Worker{}, fmt.Errorf("configuration: %w", err)
	}
	if w.GzipLevel < 1 || w.GzipLevel > 9 {
		return Worker{}, fmt.Errorf("configuration: PAGEWISE_GZIP_LEVEL is %d, want 1 to 9", w.GzipLevel)
	}
	if w.MaxExportPages <= 0 || w.MaxExportRecords <= 0 {
		return Worker{}, fmt.Errorf("configuration: PAGEWISE_MAX_EXPORT_PAGES and PAGEWISE_MAX_EXPORT_RECORDS must be positive, got %d and %d", w.MaxExportPages, w.MaxExportRecords)
	}
	if minimum := provider.MinBudget(int64(w.MaxBody)); int64(w.MemoryBudget) < minimum {
		return Worker{}, fmt.Errorf("configuration: PAGEWISE_MEMORY_BUDGET is %d bytes, want at least 3 × PAGEWISE_MAX_BODY (%d): one page could not be read", w.MemoryBudget, minimum)
	}
	if w.MaxRetryDelay <= 0 {
		return Worker{}, fmt.Errorf("configuration: PAGEWISE_MAX_RETRY_DELAY is %v, want a positive duration", w.MaxRetryDelay)
	}
	if err := w.resolve(); err != nil {
		return Worker{}, err
	}
	return w, nil
}
