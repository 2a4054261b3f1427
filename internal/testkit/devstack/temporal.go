package devstack

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
)

// TemporalOptions configures a dev server. An empty DBFile keeps state in memory.
type TemporalOptions struct {
	Bin       string
	DBFile    string
	Port      int // 0 picks a free port
	Namespace string
	// UIPort, when set, serves the Web UI there; 0 keeps the server headless.
	UIPort int
	Log    io.Writer
}

// Temporal is a running `temporal server start-dev`.
type Temporal struct {
	Addr string
	opts TemporalOptions
	proc *process
}

// fastDev are the settings without which one workflow gets ~10 activities/s out of a
// dev server (see shared/INFRA.md): poll rates, a single task-queue partition, and WAL.
var fastDev = []string{
	"--dynamic-config-value", "history.transferProcessorMaxPollRPS=10000",
	"--dynamic-config-value", "history.timerProcessorMaxPollRPS=10000",
	"--dynamic-config-value", "history.visibilityProcessorMaxPollRPS=10000",
	"--dynamic-config-value", "matching.numTaskqueueReadPartitions=1",
	"--dynamic-config-value", "matching.numTaskqueueWritePartitions=1",
	"--sqlite-pragma", "journal_mode=wal",
	"--sqlite-pragma", "synchronous=normal",
}

// StartTemporal starts a dev server and waits until its namespace answers.
func StartTemporal(ctx context.Context, o TemporalOptions) (*Temporal, error) {
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	return retryBind(func() (*Temporal, error) { return startTemporal(ctx, o) })
}

func startTemporal(ctx context.Context, o TemporalOptions) (*Temporal, error) {
	if o.Port == 0 {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		o.Port = port
	}
	httpPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	metricsPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	ui := []string{"--headless"}
	if o.UIPort != 0 {
		ui = []string{"--ui-port", strconv.Itoa(o.UIPort)}
	}
	args := []string{"server", "start-dev", "--ip", "127.0.0.1",
		"--port", strconv.Itoa(o.Port), "--http-port", strconv.Itoa(httpPort), "--metrics-port", strconv.Itoa(metricsPort),
		"--namespace", o.Namespace, "--log-level", "warn"}
	args = append(args, ui...)
	if o.DBFile != "" {
		args = append(args, "--db-filename", o.DBFile)
	}
	args = append(args, fastDev...)
	t := &Temporal{Addr: "127.0.0.1:" + strconv.Itoa(o.Port), opts: o,
		proc: &process{name: "temporal dev server", bin: o.Bin, args: args, log: o.Log}}
	return t, t.startAndWait(ctx)
}

func (t *Temporal) startAndWait(ctx context.Context) error {
	started := time.Now()
	if err := t.proc.start(); err != nil {
		return err
	}
	err := t.proc.waitReady(ctx, 2*time.Minute, t.ready)
	if err == nil && t.opts.Log != nil {
		_, _ = fmt.Fprintf(t.opts.Log, "devstack: temporal ready at %s in %v\n", t.Addr, time.Since(started).Round(time.Millisecond))
	}
	return err
}

// ready dials, checks health and describes the namespace: a server that accepts
// connections is not yet one that runs workflows.
func (t *Temporal) ready(ctx context.Context) error {
	c, err := client.DialContext(ctx, client.Options{HostPort: t.Addr, Namespace: t.opts.Namespace, Logger: quiet})
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return err
	}
	nc, err := client.NewNamespaceClient(client.Options{HostPort: t.Addr, Logger: quiet})
	if err != nil {
		return err
	}
	defer nc.Close()
	_, err = nc.Describe(ctx, t.opts.Namespace)
	return err
}

// quiet drops the SDK's own log lines during readiness polling.
var quiet = log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

// Stop shuts the server down (SIGTERM, then SIGKILL after 10 s).
func (t *Temporal) Stop() error { return t.proc.stop() }

// Kill crashes the server: SIGKILL, no shutdown.
func (t *Temporal) Kill() error { return t.proc.kill() }

// Restart starts the server again on the same port and database file.
func (t *Temporal) Restart(ctx context.Context) error { return t.startAndWait(ctx) }
