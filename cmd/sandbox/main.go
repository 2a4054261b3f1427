// Command sandbox serves the Clio, Attio, Close and Clever stand-ins on one loopback port.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:8089", "listen address; the host must be 127.0.0.1")
	records := flag.Int("records", 1000, "records per resource")
	latency := flag.Duration("latency", 0, "latency added to every data request")
	faultRate := flag.Float64("fault-rate", 0, "fraction of data requests answered with a random fault")
	faults := flag.String("faults", "", "comma list of faults for --fault-rate (429,5xx,timeout,truncate,drop; default all)")
	budget := flag.Float64("budget", 0, "requests per second per credential (0 = unlimited)")
	maxSkip := flag.Int("close-max-skip", 250000, "largest Close _skip accepted")
	tieRun := flag.Int("close-tie-run", 50, "consecutive Close records sharing one date_created")
	hold := flag.Duration("timeout-hold", 3*time.Second, "how long the timeout fault holds a request")
	seed := flag.Int64("seed", 1, "data seed")
	searchCap := flag.Int("close-search-cap", 10000, "most results one Close search cursor walk returns")
	cursorTTL := flag.Duration("close-cursor-ttl", 30*time.Second, "how long a Close search cursor lives")
	semicolons := flag.Bool("close-ratelimit-semicolons", false, `send Close's RateLimit header as "limit=N; remaining=N; reset=N"`)
	scoreBudget := flag.Int("attio-score-budget", 0, "Attio records-query score allowed per token per 10s (0 = off)")
	queryScore := flag.Int("attio-query-score-limit", 0, "Attio per-query score limit (0 = the score budget)")
	omitTotal := flag.Bool("clio-omit-total", false, "leave meta.records out of Clio answers")
	crowd := flag.Float64("crowd", 0, "create every record within this middle fraction of the five years (0.1: skewed data, as the bench's skewed rows)")
	broken := flag.String("break", "", "comma list of contracts every provider breaks (ignore-window,repeat-cursor,has-more-forever,unsorted,endless,growing-cursor)")
	flag.Parse()

	// The sandbox accepts well-known tokens: it must never be reachable from another machine.
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", *addr, err)
	}
	if host != "127.0.0.1" {
		return fmt.Errorf("--addr %q: the sandbox only listens on 127.0.0.1", *addr)
	}
	opts := sandbox.Options{
		Records: *records, Latency: *latency, FaultRate: *faultRate, Budget: *budget,
		CloseMaxSkip: *maxSkip, CloseTieRun: *tieRun, TimeoutHold: *hold, Seed: *seed,
		CloseSearchCap: *searchCap, CloseCursorTTL: *cursorTTL, CloseRateLimitSemicolons: *semicolons,
		AttioScoreBudget: *scoreBudget, AttioQueryScoreLimit: *queryScore, ClioOmitTotal: *omitTotal, Crowd: *crowd,
	}
	if *records == 0 {
		// Options treats 0 as "default"; an explicit --records 0 means empty resources.
		opts.Records = -1
	}
	if *faults != "" {
		for _, f := range strings.Split(*faults, ",") {
			opts.Faults = append(opts.Faults, sandbox.Fault(strings.TrimSpace(f)))
		}
	}
	if opts.Broken, err = contracts(*broken); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sandbox.New(opts), ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("sandbox listening on http://%s\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	log.Print("sandbox stopped")
	return nil
}

// contracts parses --break.
func contracts(list string) ([]sandbox.Contract, error) {
	var out []sandbox.Contract
	for _, c := range strings.Split(list, ",") {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		if !slices.Contains(sandbox.AllContracts, sandbox.Contract(c)) {
			return nil, fmt.Errorf("--break %q: known contracts are %v", c, sandbox.AllContracts)
		}
		out = append(out, sandbox.Contract(c))
	}
	return out, nil
}
