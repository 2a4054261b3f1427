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
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/internal/config"
	"github.com/pagewise/pagewise/internal/tracing"
)

const usage = `usage:
  starter export --provider P --resource R [flags]   start an export (see starter export -h)
  starter export --provider P --all [flags]           export every resource of the account, one export each
  starter export --provider P --resources A,B [flags] export these resources as one account export
  starter resources --provider P [--credential C]     list what the account holds: what --all exports
  starter progress EXPORT_ID                          print an export's progress as JSON
  starter cancel EXPORT_ID                            cancel a running export
  starter resume EXPORT_ID [--wait]                   continue a cancelled, failed or terminated export
  starter schedule create --provider P (--resource R | --all) (--every D | --cron EXPR) [flags]
                                                      run an export on a Temporal Schedule
  starter schedule list                               one line per schedule
  starter schedule describe SCHEDULE_ID               a schedule as JSON: spec, input, next and recent runs
  starter schedule pause|unpause SCHEDULE_ID [--note TEXT]
  starter schedule trigger SCHEDULE_ID                run it now
  starter schedule delete SCHEDULE_ID                 stop future runs (a running one carries on)`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return // -h: the flag set printed its help
	}
	if err != nil {
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
	case "resources":
		return resourcesCmd(ctx, rest)
	case "progress":
		return progressCmd(ctx, rest)
	case "cancel":
		return cancelCmd(ctx, rest)
	case "resume":
		return resumeCmd(ctx, rest)
	case "schedule":
		return scheduleCmd(ctx, rest)
	case "help", "-h", "--help":
		fmt.Println(usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
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
		return nil, t, fmt.Errorf("connecting to Temporal at %s: %w", t.Address, err)
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
