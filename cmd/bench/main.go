// Command bench measures pagewise on real servers (Temporal dev server, versitygw, the
// sandbox) and prints one table, `make bench`:
//
//   - serial: a plain loop running the page activity's code with no Temporal against the
//     durable export, at several sandbox latencies, each sized to take --serial-seconds at
//     its floor (pages × latency): what durability costs per page;
//   - budget: parallel exports of Clio, Attio and Close against a sandbox that answers 429
//     past 20 requests a second, with the worker told 20: how near the ceiling they get;
//   - skewed: the budget section's Close windows on records crowded into a tenth of the
//     time range, where equal spans of time are far from equal work;
//   - efficiency: bytes per record and worker CPU at PAGEWISE_GZIP_LEVEL 1, 6 and 9;
//   - scale (--scale only): 10,000 against 1,000,000 records (and 10,000,000 with
//     --huge): throughput, runs, the longest run's history and the worker's peak RSS;
//   - table (--scale only): the same serial export of 1,000,000 records (and
//     10,000,000 with --huge) in format jsonl and in format parquet: what the Parquet
//     files cost in time, CPU and memory, and how many objects they save a reader.
//
// Every durable row runs the worker binary as its own process, so its CPU time and peak
// RSS are the worker's alone. Progress goes to stderr, the table to stdout.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// hugeRecords is the --huge row: worker memory, history and the manifest must not grow
// with it (the manifest, about 26 MB, goes to the bucket in parts).
const hugeRecords = 10_000_000

type options struct {
	records       int
	serialSeconds int
	budgetRecords int
	budgetSeconds int
	scaleRecords  []int
	tableRecords  []int
	pageSize      int
	latencies     []time.Duration
	sections      []string
	markdown      bool
}

var sectionNames = []string{"serial", "budget", "skewed", "efficiency", "scale", "table", "merge"}

func main() {
	var o options
	var lat, scaleRecs, tableRecs, only string
	var scale, huge bool
	flag.IntVar(&o.records, "records", 20_000, "records of the serial and gzip exports (serial rows with a latency: see --serial-seconds)")
	flag.IntVar(&o.serialSeconds, "serial-seconds", 20, "size each serial row with a latency to take this long at its floor; 0 uses --records")
	flag.IntVar(&o.budgetSeconds, "budget-seconds", 60, "size the budget and skewed exports to take this long at the budget; 0 uses --budget-records")
	flag.IntVar(&o.budgetRecords, "budget-records", 20_000, "records of the budget exports with --budget-seconds 0 (Clio's stops at its offset cap, 10,000)")
	flag.IntVar(&o.pageSize, "page-size", 100, "records per page")
	flag.StringVar(&lat, "latency", "0ms,20ms,100ms", "sandbox latencies of the serial section, comma-separated")
	flag.BoolVar(&scale, "scale", false, "add the scale section (a million records: several minutes)")
	flag.StringVar(&scaleRecs, "scale-records", "10000,1000000", "record counts of the scale section, comma-separated")
	flag.StringVar(&tableRecs, "table-records", "1000000", "record counts of the table section (jsonl against parquet), comma-separated")
	flag.BoolVar(&huge, "huge", false, "add a 10,000,000-record row to the scale and table sections (about 20 minutes each on 2 cores)")
	flag.StringVar(&only, "only", "", "run only these sections, comma-separated: "+strings.Join(sectionNames, ", "))
	flag.BoolVar(&o.markdown, "markdown", false, "print the table as Markdown")
	flag.Parse()
	var err error
	if o.latencies, err = parseList(lat, time.ParseDuration); err != nil {
		badFlag("--latency: %v", err)
	}
	if o.scaleRecords, err = parseList(scaleRecs, strconv.Atoi); err != nil {
		badFlag("--scale-records: %v", err)
	}
	if o.tableRecords, err = parseList(tableRecs, strconv.Atoi); err != nil {
		badFlag("--table-records: %v", err)
	}
	o.sections = []string{"serial", "budget", "skewed", "efficiency"}
	if huge {
		o.scaleRecords = append(o.scaleRecords, hugeRecords)
		o.tableRecords = append(o.tableRecords, hugeRecords)
	}
	if scale || huge {
		o.sections = append(o.sections, "scale", "table", "merge")
	}
	if only != "" {
		if o.sections, err = parseList(only, section); err != nil {
			badFlag("--only: %v", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	dir, err := os.MkdirTemp("", "pagewise-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	env, err := startEnv(ctx, dir)
	if err != nil {
		return err
	}
	defer env.close()
	sections := map[string]func(context.Context, options) ([]row, error){
		"serial": env.serial, "budget": env.budget, "skewed": env.skewed, "efficiency": env.efficiency, "scale": env.scale,
		"table": env.table, "merge": env.merge,
	}
	var rows []row
	for _, name := range sectionNames {
		if !slices.Contains(o.sections, name) {
			continue
		}
		rs, err := sections[name](ctx, o)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		rows = append(rows, rs...)
	}
	progress("done")
	printTable(os.Stdout, rows, o.markdown)
	return nil
}

var began = time.Now()

// progress is one line on stderr, stamped with the time since the bench began.
func progress(format string, args ...any) {
	d := time.Since(began).Round(time.Second)
	fmt.Fprintf(os.Stderr, "[%02d:%02d] %s\n", int(d.Minutes()), int(d.Seconds())%60, fmt.Sprintf(format, args...))
}

func badFlag(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(2)
}

func section(s string) (string, error) {
	if !slices.Contains(sectionNames, s) {
		return "", fmt.Errorf("unknown section %q; known: %s", s, strings.Join(sectionNames, ", "))
	}
	return s, nil
}

// parseList parses a comma-separated flag value.
func parseList[T any](s string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, f := range strings.Split(s, ",") {
		v, err := parse(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
