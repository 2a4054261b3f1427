package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// row is one measured export. Fields a section does not measure stay zero and print blank.
type row struct {
	section, export, path, strategy string
	latency                         time.Duration
	pageSize                        int
	pages                           int
	records, bytes                  int64
	elapsed                         time.Duration
	gzip                            int
	baseline                        *row // serial: the plain loop at the same latency

	budget            float64 // sandbox requests/s per credential
	requests, limited int64   // sandbox Stats: requests and 429s
	peak              int     // most requests the sandbox saw in one second

	phases    phases // durable rows: where the time went
	usage     *usage // worker process; nil for the in-process plain loop
	rssOf     *usage // scale: the smallest export's worker, for the RSS ratio
	runs      int
	maxEvents int64

	format     string // "" for the pages alone
	tableFiles int    // Parquet files the manifest lists
	tableBytes int64
}

func (r row) recordsPerSec() float64 { return float64(r.records) / r.elapsed.Seconds() }
func (r row) pagesPerSec() float64   { return float64(r.pages) / r.elapsed.Seconds() }

// floor is the least time a serial export of these pages can take: one request after
// another, each waiting the sandbox's latency.
func (r row) floor() time.Duration { return time.Duration(r.pages) * r.latency }

// columns are the table's; the first leftCols are text, the rest numbers.
var columns = []string{"section", "export", "path", "strategy", "latency", "records", "pages", "seconds",
	"prepare s", "first page s", "pages s", "finish s", "records/s", "pages/s", "% of plain", "% of floor", "overhead ms/page", "budget req/s", "% of ceiling", "429s", "429 %",
	"peak req/s", "gzip", "bytes/record", "CPU s/100k rec", "peak RSS MB", "RSS ×", "runs", "max events/run",
	"format", "table files", "pages per file", "table bytes/record"}

const leftCols = 4

func (r row) cells() []string {
	c := []string{r.section, r.export, r.path, r.strategy, fmt.Sprintf("%d ms", r.latency.Milliseconds()),
		group(r.records), group(int64(r.pages)), fmt.Sprintf("%.1f", r.elapsed.Seconds())}
	c = append(c, r.phaseCells()...)
	c = append(c, group(int64(r.recordsPerSec())), fmt.Sprintf("%.1f", r.pagesPerSec()))
	ratio, floor, overhead := "", "", ""
	if b := r.baseline; b != nil {
		ratio = fmt.Sprintf("%.0f%%", 100*r.recordsPerSec()/b.recordsPerSec())
		overhead = fmt.Sprintf("%.1f", (r.elapsed-b.elapsed).Seconds()*1000/float64(max(r.pages, 1)))
	}
	if r.section == "serial" && r.latency > 0 {
		floor = fmt.Sprintf("%.0f%%", 100*r.floor().Seconds()/r.elapsed.Seconds())
	}
	c = append(c, ratio, floor, overhead)
	budget, ceiling, limited, share, peak := "", "", "", "", ""
	if r.budget > 0 {
		budget = fmt.Sprintf("%g", r.budget)
		// The most a credential's budget allows: every request a full page.
		ceiling = fmt.Sprintf("%.0f%%", 100*r.recordsPerSec()/(r.budget*float64(r.pageSize)))
		limited = group(r.limited)
		share = fmt.Sprintf("%.1f%%", 100*float64(r.limited)/float64(max(r.requests, 1)))
		peak = strconv.Itoa(r.peak)
	}
	c = append(c, budget, ceiling, limited, share, peak, strconv.Itoa(r.gzip),
		fmt.Sprintf("%.0f", float64(r.bytes)/float64(max(r.records, 1))))
	cpu, rss, rssRatio := "", "", ""
	if u := r.usage; u != nil {
		cpu = fmt.Sprintf("%.2f", u.cpu.Seconds()*100_000/float64(max(r.records, 1)))
		rss = fmt.Sprintf("%.0f", float64(u.rssKB)/1024)
		if r.rssOf != nil {
			rssRatio = fmt.Sprintf("%.2f", float64(u.rssKB)/float64(max(r.rssOf.rssKB, 1)))
		}
	}
	runs, events := "", ""
	if r.runs > 0 {
		runs, events = strconv.Itoa(r.runs), group(r.maxEvents)
	}
	c = append(c, cpu, rss, rssRatio, runs, events)
	return append(c, r.tableCells()...)
}

// tableCells are the format columns: a Parquet row's files, how many pages each stands
// for (the small-files problem: objects a reader opens), and their bytes per record.
func (r row) tableCells() []string {
	if r.usage == nil {
		return []string{"", "", "", ""}
	}
	format := r.format
	if format == "" {
		format = "jsonl"
	}
	if r.tableFiles == 0 {
		return []string{format, "", "", ""}
	}
	return []string{format, group(int64(r.tableFiles)), group(int64(r.pages / r.tableFiles)),
		fmt.Sprintf("%.0f", float64(r.tableBytes)/float64(max(r.records, 1)))}
}

// phaseCells are the durable rows' phases, blank for the plain loop.
func (r row) phaseCells() []string {
	p := r.phases
	if r.usage == nil || r.section == "merge" {
		return []string{"", "", "", ""}
	}
	var out []string
	for _, d := range []time.Duration{p.prepare, p.first, p.pages, p.finish} {
		out = append(out, fmt.Sprintf("%.2f", d.Seconds()))
	}
	return out
}

// printTable writes rows aligned for a terminal, or as a Markdown table for the README.
func printTable(w io.Writer, rows []row, markdown bool) {
	all := [][]string{columns}
	for _, r := range rows {
		all = append(all, r.cells())
	}
	if markdown {
		for i, cells := range all {
			fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
			if i == 0 {
				seps := make([]string, len(cells))
				for j := range seps {
					seps[j] = "---:"
					if j < leftCols {
						seps[j] = "---"
					}
				}
				fmt.Fprintf(w, "|%s|\n", strings.Join(seps, "|"))
			}
		}
		return
	}
	widths := make([]int, len(columns))
	for _, cells := range all {
		for j, s := range cells {
			widths[j] = max(widths[j], len([]rune(s)))
		}
	}
	for _, cells := range all {
		var b strings.Builder
		for j, s := range cells {
			pad := strings.Repeat(" ", widths[j]-len([]rune(s)))
			if j < leftCols {
				b.WriteString(s + pad)
			} else {
				b.WriteString(pad + s)
			}
			b.WriteString("  ")
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// group writes n with thousands separators: 1,000,000 reads at a glance.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + group(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
