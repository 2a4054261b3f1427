// Command starter starts pagewise exports and follows them.
//
//	starter export --provider clio --resource contacts [--wait]
//	starter progress <export-id>
//	starter cancel <export-id>
//	starter schedule create|list|describe|pause|unpause|trigger|delete
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/kelseyhightower/envconfig"
	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/internal/config"
)

const usage = `usage:
  starter export --provider P --resource R [flags]   start an export (see starter export -h)
  starter progress EXPORT_ID                          print an export's progress as JSON
  starter cancel EXPORT_ID                            cancel a running export
  starter schedule create --provider P --resource R (--every D | --cron EXPR) [flags]
                                                      run an export on a Temporal Schedule
  starter schedule list                               one line per schedule
  starter schedule describe SCHEDULE_ID               a schedule as JSON: spec, input, next and recent runs
  starter schedule pause|unpause SCHEDULE_ID [--note TEXT]
  starter schedule trigger SCHEDULE_ID                run it now
  starter schedule delete SCHEDULE_ID                 stop future runs (a running one carries on)`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "starter:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("no command\n%s", usage)
	}
	cmd, rest := args[0], args[1:]
	if cmd[0] == '-' { // "starter --provider …" means export
		cmd, rest = "export", args
	}
	switch cmd {
	case "export":
		return exportCmd(ctx, rest)
	case "progress":
		return progressCmd(ctx, rest)
	case "cancel":
		return cancelCmd(ctx, rest)
	case "schedule":
		return scheduleCmd(ctx, rest)
	case "help", "-h", "--help":
		fmt.Println(usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

// dial connects with the same TEMPORAL_* variables as the worker.
func dial() (client.Client, config.Temporal, error) {
	var t config.Temporal
	if err := envconfig.Process("", &t); err != nil {
		return nil, t, err
	}
	var logCfg config.Log
	logCfg.Level = "warn"
	opts, err := t.ClientOptions(logCfg.Logger(os.Stderr))
	if err != nil {
		return nil, t, err
	}
	c, err := client.Dial(opts)
	if err != nil {
		return nil, t, fmt.Errorf("connecting to Temporal at %s: %w", t.Address, err)
	}
	return c, t, nil
}
