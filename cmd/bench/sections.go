package main

import (
	"context"
	"time"

	"github.com/pagewise/pagewise/internal/provider/clio"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// The budget section's setting: a sandbox allowing 20 requests a second per credential, a
// worker told the same 20 (its pacer keeps 1 % back for jitter), and latency high enough
// that only parallel paging can reach the budget.
const (
	budgetPerSecond = 20
	budgetRate      = 20
	budgetLatency   = 150 * time.Millisecond
	budgetParallel  = 8
	defaultGzip     = 6 // the worker's own default
)

// clioCursor is the serial export of sections serial, gzip and scale.
func clioCursor(section string, records, pageSize int) spec {
	return spec{section: section, provider: "clio", resource: "contacts", strategy: "cursor",
		records: records, pageSize: pageSize, gzip: defaultGzip}
}

// serial is the durable path's overhead: the same serial export as a plain loop and as a
// durable export, at each latency.
func (e *env) serial(ctx context.Context, o options) ([]row, error) {
	var rows []row
	for _, lat := range o.latencies {
		s := clioCursor("serial", serialRecords(o, lat), o.pageSize)
		s.latency = lat
		_, url, stop, err := serveSandbox(sandbox.Options{Records: s.records, Seed: 1, Latency: lat})
		if err != nil {
			return nil, err
		}
		progress("serial: %s %s, %d records at %v latency: plain loop…", s.export(), s.strategy, s.records, lat)
		plain, err := e.plainLoop(ctx, s, url)
		if err != nil {
			stop()
			return nil, err
		}
		progress("serial: … durable…")
		durable, err := e.durable(ctx, s, url)
		stop()
		if err != nil {
			return nil, err
		}
		durable.baseline = &plain
		rows = append(rows, plain, durable)
	}
	return rows, nil
}

// serialRecords sizes a serial row to take --serial-seconds at its floor (pages ×
// latency), so every latency weighs the export's fixed start and finish alike: at 20,000
// records a 20 ms row's floor is 4 s, and the same 0.15 s of start and finish is five
// times the share it is of a 100 ms row's 20 s.
func serialRecords(o options, latency time.Duration) int {
	if o.serialSeconds <= 0 || latency <= 0 {
		return o.records
	}
	pages := int(time.Duration(o.serialSeconds) * time.Second / latency)
	return max(pages, 1) * o.pageSize
}

// budget is how close parallel exports get to a credential's budget without going over:
// each provider's parallel strategy against a sandbox that answers 429 past the budget.
func (e *env) budget(ctx context.Context, o options) ([]row, error) {
	specs := []spec{
		{provider: "clio", resource: "contacts", strategy: "offset"},
		{provider: "attio", resource: "people", strategy: "offset"},
		{provider: "close", resource: "lead", strategy: "window"},
	}
	return e.budgetRows(ctx, o, "budget", specs, 0)
}

// budgetSize is how many records a budget export of provider pages, and how many a page:
// enough for --budget-seconds at the budget. Clio refuses offsets past 10,000, so its
// pages shrink instead.
func budgetSize(o options, provider string) (records, pageSize int) {
	records, pageSize = o.budgetRecords, o.pageSize
	if o.budgetSeconds > 0 {
		records = o.budgetSeconds * budgetPerSecond * pageSize
	}
	if provider == "clio" && records > clio.OffsetCap {
		records = clio.OffsetCap
		if o.budgetSeconds > 0 {
			pageSize = (records + o.budgetSeconds*budgetPerSecond - 1) / (o.budgetSeconds * budgetPerSecond)
		}
	}
	return records, pageSize
}

// skewCrowd is the part of the sandbox's time range the skewed section's records are
// created in: a tenth of it, in the middle.
const skewCrowd = 0.1

// skewed is the budget section on data crowded into a tenth of its time range, where
// equal spans of time hold very different numbers of records: rebalancing's test.
func (e *env) skewed(ctx context.Context, o options) ([]row, error) {
	specs := []spec{
		{provider: "close", resource: "lead", strategy: "window"},
		{provider: "close", resource: "activity", strategy: "window"},
	}
	return e.budgetRows(ctx, o, "skewed", specs, skewCrowd)
}

// budgetRows runs each spec in parallel against a sandbox holding the budget, with its
// records crowded into crowd of the time range (0: spread evenly).
func (e *env) budgetRows(ctx context.Context, o options, section string, specs []spec, crowd float64) ([]row, error) {
	var rows []row
	for _, s := range specs {
		s.section, s.parallelism, s.gzip = section, budgetParallel, defaultGzip
		s.latency, s.budget, s.rate = budgetLatency, budgetPerSecond, budgetRate
		s.records, s.pageSize = budgetSize(o, s.provider)
		sb, url, stop, err := serveSandbox(sandbox.Options{Records: s.records, Seed: 1, Latency: s.latency, Budget: s.budget, Crowd: crowd})
		if err != nil {
			return nil, err
		}
		progress("%s: %s %s ×%d, %d records, budget %g/s, rate %g/s…", section, s.export(), s.strategy, s.parallelism, s.records, s.budget, s.rate)
		r, err := e.durable(ctx, s, url)
		stop()
		if err != nil {
			return nil, err
		}
		st := sb.Stats().Providers[s.provider]
		r.requests, r.limited = st.Requests, st.RateLimited
		r.peak = st.MaxPerSecond[sandbox.DefaultToken(s.provider)]
		progress("  sandbox: %d requests, %d answered 429, at most %d in one second", r.requests, r.limited, r.peak)
		rows = append(rows, r)
	}
	return rows, nil
}

// efficiency is what each gzip level costs in worker CPU and saves in bytes.
func (e *env) efficiency(ctx context.Context, o options) ([]row, error) {
	var rows []row
	for _, level := range []int{1, 6, 9} {
		s := clioCursor("efficiency", o.records, o.pageSize)
		s.gzip = level
		_, url, stop, err := serveSandbox(sandbox.Options{Records: s.records, Seed: 1})
		if err != nil {
			return nil, err
		}
		progress("efficiency: %s %s, %d records, PAGEWISE_GZIP_LEVEL=%d…", s.export(), s.strategy, s.records, level)
		r, err := e.durable(ctx, s, url)
		stop()
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// scale is whether throughput, history and worker memory stay flat as an export grows.
func (e *env) scale(ctx context.Context, o options) ([]row, error) {
	var rows []row
	for _, n := range o.scaleRecords {
		s := clioCursor("scale", n, o.pageSize)
		_, url, stop, err := serveSandbox(sandbox.Options{Records: n, Seed: 1})
		if err != nil {
			return nil, err
		}
		progress("scale: %s %s, %d records…", s.export(), s.strategy, n)
		r, err := e.durable(ctx, s, url)
		stop()
		if err != nil {
			return nil, err
		}
		if len(rows) > 0 {
			r.rssOf = rows[0].usage
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// table is what format parquet costs beside the pages: the same serial export in format
// jsonl and in format parquet, each on a fresh worker, at each record count.
func (e *env) table(ctx context.Context, o options) ([]row, error) {
	var rows []row
	for _, n := range o.tableRecords {
		var jsonl *row
		for _, format := range []string{"jsonl", "parquet"} {
			s := clioCursor("table", n, o.pageSize)
			s.format = format
			_, url, stop, err := serveSandbox(sandbox.Options{Records: n, Seed: 1})
			if err != nil {
				return nil, err
			}
			progress("table: %s %s, %d records, format %s…", s.export(), s.strategy, n, format)
			r, err := e.durable(ctx, s, url)
			stop()
			if err != nil {
				return nil, err
			}
			r.format = format
			if jsonl == nil {
				jsonl = &r
			} else {
				r.rssOf = jsonl.usage
				progress("  %d Parquet files for %d pages, %.0f bytes a record", r.tableFiles, r.pages, float64(r.tableBytes)/float64(max(r.records, 1)))
			}
			rows = append(rows, r)
		}
	}
	return rows, nil
}
