// Package config loads the worker's and starter's settings from the environment.
package config

import (
	"fmt"
	"log/slog"

	"github.com/kelseyhightower/envconfig"
	"go.temporal.io/sdk/client"
	temporalenv "go.temporal.io/sdk/contrib/envconfig"
	tlog "go.temporal.io/sdk/log"
)

// DefaultAddress is where pagewise looks for Temporal when nothing says otherwise: the
// CLI's default is localhost:7233, loopback either way, but a fixed IP never resolves
// to ::1 where a dev server listens on 127.0.0.1 only.
const DefaultAddress = "127.0.0.1:7233"

// Temporal is how to reach the cluster. The connection is read the way the Temporal CLI
// reads it (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
// TEMPORAL_PROFILE and TEMPORAL_CONFIG_FILE's temporal.toml), through the SDK's
// envconfig; only the task queue is pagewise's own.
type Temporal struct {
	TaskQueue string `envconfig:"PAGEWISE_TASK_QUEUE" default:"exports" desc:"task queue the worker polls"`
	// Address and Namespace are the resolved connection, for logs and error messages.
	Address   string `ignored:"true"`
	Namespace string `ignored:"true"`

	opts     client.Options
	warnings []string
}

// LoadTemporal reads the Temporal settings alone, as the starter needs them.
func LoadTemporal() (Temporal, error) {
	var t Temporal
	if err := envconfig.Process("", &t); err != nil {
		return Temporal{}, fmt.Errorf("configuration: %w", err)
	}
	return t, t.resolve()
}

// resolve loads the connection from temporal.toml and the environment.
func (t *Temporal) resolve() error {
	env := &legacyEnv{}
	opts, err := temporalenv.LoadClientOptions(temporalenv.LoadClientOptionsRequest{EnvLookup: env})
	if err != nil {
		return fmt.Errorf("configuration: Temporal connection (TEMPORAL_* variables, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE): %w", err)
	}
	if opts.HostPort == "" {
		opts.HostPort = DefaultAddress
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	t.opts, t.warnings = opts, env.warnings
	t.Address, t.Namespace = opts.HostPort, opts.Namespace
	return nil
}

// ClientOptions is the resolved connection with the logger, which also gets the SDK's own
// log lines. It logs each deprecated variable in use.
func (t Temporal) ClientOptions(logger *slog.Logger) client.Options {
	for _, w := range t.warnings {
		logger.Warn(w)
	}
	opts := t.opts
	opts.Logger = tlog.NewStructuredLogger(logger)
	return opts
}
