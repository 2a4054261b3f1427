package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

type row struct {
	name, strategy string
	latency        time.Duration
	pages          int
	records, bytes int64
	elapsed        time.Duration
	runs           int
	firstRunEvents int64
	baseline       *row
}

func (r row) recordsPerSec() float64 { return float64(r.records) / r.elapsed.Seconds() }
func (r row) pagesPerSec() float64   { return float64(r.pages) / r.elapsed.Seconds() }

func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "path\tstrategy\tlatency\trecords\tpages\tseconds\trecords/s\tpages/s\t% of plain\toverhead ms/page\tbytes/record\truns\tevents (1st run)\t")
	for _, r := range rows {
		ratio, overhead := "", ""
		if b := r.baseline; b != nil {
			ratio = fmt.Sprintf("%.0f%%", 100*r.recordsPerSec()/b.recordsPerSec())
			overhead = fmt.Sprintf("%.1f", (r.elapsed-b.elapsed).Seconds()*1000/float64(max(r.pages, 1)))
		}
		runs, events := "", ""
		if r.runs > 0 {
			runs, events = fmt.Sprint(r.runs), fmt.Sprint(r.firstRunEvents)
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%d\t%d\t%.2f\t%.0f\t%.1f\t%s\t%s\t%.1f\t%s\t%s\t\n",
			r.name, r.strategy, r.latency, r.records, r.pages, r.elapsed.Seconds(), r.recordsPerSec(), r.pagesPerSec(),
			ratio, overhead, float64(r.bytes)/float64(max(r.records, 1)), runs, events)
	}
	_ = tw.Flush()
}
