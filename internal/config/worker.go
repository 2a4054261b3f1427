package config

import (
	"fmt"
	"time"

	"github.com/kelseyhightower/envconfig"

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
	MaxPages    int           `envconfig:"PAGEWISE_MAX_CONCURRENT_PAGES" default:"32" desc:"page activities one worker runs at once, per provider"`
	StopTimeout time.Duration `envconfig:"PAGEWISE_STOP_TIMEOUT" default:"30s" desc:"how long a stopping worker lets running pages finish"`
	HTTPAddr    string        `envconfig:"PAGEWISE_HTTP_ADDR" default:"127.0.0.1:9090" desc:"address of /metrics, /healthz and /readyz; empty disables"`
	// MaxBody bounds one API response: with PAGEWISE_MAX_CONCURRENT_PAGES pages at once,
	// each held about twice while decoded, it must stay well below the memory limit.
	MaxBody       ByteSize      `envconfig:"PAGEWISE_MAX_BODY" default:"32MiB" desc:"largest API response body a page may have; a larger one fails the export, naming the page"`
	MaxRetryDelay time.Duration `envconfig:"PAGEWISE_MAX_RETRY_DELAY" default:"5m" desc:"longest delay a provider may ask for (Retry-After, rate reset); longer ones are cut to it, logged and counted"`
	// RefuseReplaceOwner is the guard of the README's threat model.
	RefuseReplaceOwner bool `envconfig:"PAGEWISE_REFUSE_REPLACE_OWNER" default:"false" desc:"refuse replace_owner, and clearing a folder that holds a finished export (its manifest), whoever asks: no starter can then delete a finished export"`
}

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
	if w.MaxRetryDelay <= 0 {
		return Worker{}, fmt.Errorf("configuration: PAGEWISE_MAX_RETRY_DELAY is %v, want a positive duration", w.MaxRetryDelay)
	}
	if err := w.resolve(); err != nil {
		return Worker{}, err
	}
	return w, nil
}
