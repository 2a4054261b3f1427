// Command starter starts pagewise exports and follows them.
//
//	starter export --provider clio --resource contacts [--wait]
//	starter export --provider close --all [--wait]
//	starter resources --provider attio
//	starter progress <export-id>
//	starter cancel <export-id>
//	starter resume [--wait] <export-id>
//	starter schedule create|list|describe|pause|unpause|trigger|delete
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/internal/config"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/tracing"
)

const usage = `starter starts pagewise exports on a Temporal worker and follows them.

usage: starter COMMAND [flags]

commands:
  export      start an export: --provider P --resource R (or --all, --resources A,B) [--wait]
  resources   list what an account holds: what export --all takes
  progress    an export's progress, or how it ended
  cancel      cancel a running export
  resume      continue a cancelled, failed or terminated export, keeping its pages
  schedule    run an export on a Temporal Schedule: create, list, describe, pause, unpause, trigger, delete
  version     print the starter's version

Run 'starter COMMAND -h' for a command's flags. The starter reads TEMPORAL_ADDRESS,
TEMPORAL_NAMESPACE and PAGEWISE_TASK_QUEUE like the worker. Exit status: 0 done, 1 failed
or refused, 2 wrong usage or input.`

// version is set at build time with -ldflags "-X main.version=v1.2.3"; otherwise the
// module's version and VCS revision as Go recorded them.
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(report(run(ctx, os.Args[1:])))
}

// report prints err as one line and a hint, and is the exit status.
func report(err error) int {
	if err == nil || errors.Is(err, errHelp) {
		return 0
	}
	fmt.Fprintln(os.Stderr, "starter:", err)
	var ue *usageError
	var ee *exportclient.Error
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, "hint:", ue.Hint())
		return 2
	case errors.As(err, &ee) && ee.Hint != "":
		fmt.Fprintln(os.Stderr, "hint:", ee.Hint)
	}
	var bad *badInput
	if errors.As(err, &bad) {
		return 2
	}
	return 1
}

// badInput is input the worker would refuse: exit 2, as for wrong usage.
type badInput struct{ error }

func (b *badInput) Unwrap() error { return b.error }

var commands = map[string]func(context.Context, []string) error{
	"export":    exportCmd,
	"resources": resourcesCmd,
	"progress":  progressCmd,
	"cancel":    cancelCmd,
	"resume":    resumeCmd,
	"schedule":  scheduleCmd,
	"version":   versionCmd,
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, usage)
		return usagef("", "no command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 && commands[rest[0]] != nil {
			return commands[rest[0]](ctx, []string{"-h"})
		}
		fmt.Println(usage)
		return nil
	case "-version", "--version":
		return versionCmd(ctx, rest)
	}
	if cmd[0] == '-' { // "starter --provider …" means export
		cmd, rest = "export", args
	}
	if f := commands[cmd]; f != nil {
		return f(ctx, rest)
	}
	msg := fmt.Sprintf("unknown command %q", cmd)
	best, bestDist := "", 3
	for name := range commands {
		if d := distance(cmd, name); d < bestDist {
			best, bestDist = name, d
		}
	}
	if best != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", best)
	}
	return &usageError{msg: msg}
}

func versionCmd(_ context.Context, args []string) error {
	c := newCommand("version", "version")
	if _, err := c.parse(args); err != nil {
		return err
	}
	fmt.Println("starter", buildVersion())
	return nil
}

func buildVersion() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v + " (" + bi.GoVersion + ")"
}

// dial connects with the same Temporal settings as the worker, and traces what it
// starts when OTEL_EXPORTER_OTLP_ENDPOINT is set.
func dial() (client.Client, config.Temporal, error) {
	t, err := config.LoadTemporal()
	if err != nil {
		return nil, t, err
	}
	log := config.Log{Level: "warn"}.Logger(os.Stderr)
	opts := t.ClientOptions(log)
	interceptors, flush, err := tracing.Setup(context.Background(), "pagewise-starter", log)
	if err != nil {
		return nil, t, err
	}
	opts.Interceptors = interceptors
	c, err := client.Dial(opts)
	if err != nil {
		return nil, t, &exportclient.Error{Msg: fmt.Sprintf("connecting to Temporal at %s: %v", t.Address, err),
			Hint: "is the server up? TEMPORAL_ADDRESS names it (make dev starts one and prints it)"}
	}
	if interceptors == nil {
		return c, t, nil
	}
	return flushingClient{c, flush}, t, nil
}

// flushingClient sends the starter's spans before the process exits.
type flushingClient struct {
	client.Client
	flush func(context.Context) error
}

func (c flushingClient) Close() {
	c.Client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.flush(ctx) // a collector that is gone must not fail the command
}
