// Command bench measures the durable path (Temporal + S3 + sandbox) against a plain loop
// doing the same fetch + write with no Temporal, and prints one table. `make bench`.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pagewise/pagewise/internal/sandbox"
)

type options struct {
	records   int
	pageSize  int
	latencies []time.Duration
	provider  string
	resource  string
}

func main() {
	var o options
	var lat string
	flag.IntVar(&o.records, "records", 20_000, "records per scenario")
	flag.IntVar(&o.pageSize, "page-size", 100, "records per page")
	flag.StringVar(&lat, "latency", "0ms,20ms,100ms", "sandbox latencies to measure, comma-separated")
	flag.StringVar(&o.provider, "provider", "clio", "provider to export (serial cursor paging)")
	flag.StringVar(&o.resource, "resource", "contacts", "resource to export")
	flag.Parse()
	for _, s := range strings.Split(lat, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: --latency:", err)
			os.Exit(2)
		}
		o.latencies = append(o.latencies, d)
	}
	if err := run(context.Background(), o); err != nil {
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
	var rows []row
	for _, lat := range o.latencies {
		url, stop, err := serveSandbox(sandbox.Options{Records: o.records, Seed: 1, Latency: lat})
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "measuring %s/%s at %v latency…\n", o.provider, o.resource, lat)
		plain, err := env.plainLoop(ctx, o, url)
		if err != nil {
			stop()
			return err
		}
		plain.latency = lat
		durable, err := env.durable(ctx, o, url, lat)
		stop()
		if err != nil {
			return err
		}
		durable.latency = lat
		durable.baseline = &plain
		rows = append(rows, plain, durable)
	}
	printTable(os.Stdout, rows)
	return nil
}

func serveSandbox(opts sandbox.Options) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: sandbox.New(opts), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

func logFile(dir string) (*os.File, error) {
	return os.Create(filepath.Join(dir, "servers.log"))
}
