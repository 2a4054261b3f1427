package closeio_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/closeio"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

func deepSandbox(t *testing.T, opts sandbox.Options, cfg closeio.Config, spec provider.Spec) (*sandbox.Server, provider.Connector, provider.Plan) {
	t.Helper()
	sb, url := conformance.Serve(t, opts)
	cfg.BaseURL, cfg.Token = url, sandbox.DefaultToken(closeio.Name)
	conn := closeio.New(cfg, conformance.Client())
	plan, err := conn.Validate(spec)
	if err != nil {
		t.Fatal(err)
	}
	return sb, conn, plan
}

// TestWalkReanchors exports leads and contacts through Advanced Filtering past its per-walk
// cap, with runs of tied date_created values, and gets every record exactly once.
func TestWalkReanchors(t *testing.T) {
	cases := []struct {
		name           string
		resource       string
		records, ties  int
		searchCap, per int
	}{
		{"deep ties, default cap", "lead", 20000, 950, 0, 100},
		{"small cap", "contact", 3000, 120, 500, 50},
		{"ties longer than half the cap", "contact", 1500, 300, 500, 50},
		{"page size dividing nothing", "lead", 1234, 37, 300, 29},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := sandbox.Options{Seed: 5, Sizes: map[string]int{"close/" + tc.resource: tc.records}, CloseTieRun: tc.ties, CloseSearchCap: tc.searchCap}
			sb, conn, plan := deepSandbox(t, opts, closeio.Config{SearchCap: tc.searchCap}, provider.Spec{Resource: tc.resource, PageSize: tc.per})
			res := conformance.Drain(t, conn, plan, conn.Start(plan))
			conformance.AssertExactly(t, sb, closeio.Name, tc.resource, res.Records)
			if st := sb.Stats().Providers[closeio.Name]; st.ByStatus[400] != 0 {
				t.Fatalf("%d requests refused with 400", st.ByStatus[400])
			}
		})
	}
}

// TestWalkExpiredCursors: every cursor has expired by the next page (the worker was slow
// between pages), so each page re-anchors once after a 400, and the export is still exact.
func TestWalkExpiredCursors(t *testing.T) {
	var clock atomic64
	clock.set(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	opts := sandbox.Options{Seed: 6, Sizes: map[string]int{"close/contact": 700}, CloseTieRun: 40, CloseCursorTTL: 30 * time.Second, Now: clock.now}
	sb, conn, plan := deepSandbox(t, opts, closeio.Config{}, provider.Spec{Resource: "contact", PageSize: 25})
	var got []json.RawMessage
	pos := conn.Start(plan)
	for pages := 0; ; pages++ {
		if pages > 200 {
			t.Fatal("export does not end")
		}
		clock.add(31 * time.Second)
		page, err := conn.Fetch(context.Background(), provider.Request{Plan: plan, Position: pos})
		if err == nil {
			page, err = provider.Advance(closeio.Name, plan.Resource, pos, page)
		}
		if err != nil {
			t.Fatalf("page %d at %+v: %v", pages, pos, err)
		}
		got = append(got, page.Records...)
		if page.Done {
			break
		}
		pos = page.Next
	}
	conformance.AssertExactly(t, sb, closeio.Name, "contact", got)
	if sb.Stats().Providers[closeio.Name].ByStatus[400] == 0 {
		t.Fatal("no cursor expired: the test did not test re-anchoring after a 400")
	}
}

// TestWalkTieRunPastCap fails, naming the timestamp, when more records share one
// date_created than one walk can return.
func TestWalkTieRunPastCap(t *testing.T) {
	opts := sandbox.Options{Seed: 5, Sizes: map[string]int{"close/lead": 1000}, CloseTieRun: 450, CloseSearchCap: 400}
	_, conn, plan := deepSandbox(t, opts, closeio.Config{SearchCap: 400}, provider.Spec{Resource: "lead", PageSize: 50})
	res, err := conformance.Try(t, conn, plan, conn.Start(plan), 50)
	if err == nil {
		t.Fatalf("no error after %d pages (done %v, %d records, at %+v)", res.Pages, res.Done, len(res.Records), res.Next)
	}
	if pe := conformance.AsError(t, err); pe.Retryable || pe.Contract || !strings.Contains(pe.Message, "records share date_created") || !strings.Contains(pe.Message, "CLOSE_SEARCH_CAP") {
		t.Fatalf("got %v", err)
	}
}

// TestWindowPartitions splits a window after its first page as the workflow does
// (partition 0 keeps From and Offset; the others start at their bound) and gets every
// record once.
func TestWindowPartitions(t *testing.T) {
	for _, resource := range []string{"lead", "opportunity"} {
		t.Run(resource, func(t *testing.T) {
			opts := sandbox.Options{Seed: 8, Sizes: map[string]int{"close/" + resource: 900}, CloseTieRun: 30, CloseSearchCap: 300}
			sb, conn, plan := deepSandbox(t, opts, closeio.Config{SearchCap: 300}, provider.Spec{Resource: resource, PageSize: 40})
			first := conformance.Pages(t, conn, plan, conn.Start(plan), 1)
			all := first.Records
			for _, pos := range splitWindow(t, first.Next, 3) {
				all = append(all, conformance.Drain(t, conn, plan, pos).Records...)
			}
			conformance.AssertExactly(t, sb, closeio.Name, resource, all)
		})
	}
}

// splitWindow is workflows/partition.go's split of [From, Until) into n spans of time.
func splitWindow(t *testing.T, first provider.Position, n int) []provider.Position {
	const layout = "2006-01-02T15:04:05.000000+00:00"
	from, err1 := time.Parse(time.RFC3339Nano, first.From)
	until, err2 := time.Parse(time.RFC3339Nano, first.Until)
	if err1 != nil || err2 != nil {
		t.Fatalf("unsplittable %+v", first)
	}
	span := until.Sub(from) / time.Duration(n)
	out := make([]provider.Position, n)
	for i := range out {
		lo, hi := from.Add(time.Duration(i)*span).UTC().Format(layout), from.Add(time.Duration(i+1)*span).UTC().Format(layout)
		if i == 0 {
			lo = first.From
		}
		if i == n-1 {
			hi = first.Until
		}
		out[i] = provider.Position{From: lo, Until: hi}
	}
	out[0].Offset = first.Offset
	return out
}

// TestOffsetStopsAtMaxSkip: plain offset paging fails clearly before the API's cap.
func TestOffsetStopsAtMaxSkip(t *testing.T) {
	opts := sandbox.Options{Seed: 5, Sizes: map[string]int{"close/lead": 2000}, CloseMaxSkip: 1000}
	sb, conn, plan := deepSandbox(t, opts, closeio.Config{MaxSkip: 1000}, provider.Spec{Resource: "lead", Strategy: "offset", PageSize: 100})
	res := conformance.Pages(t, conn, plan, conn.Start(plan), 11)
	_, err := conn.Fetch(context.Background(), provider.Request{Plan: plan, Position: res.Next})
	if pe := conformance.AsError(t, err); pe.Retryable || !strings.Contains(pe.Message, "use strategy window") {
		t.Fatalf("after %d pages: %v", res.Pages, err)
	}
	if n := sb.Stats().Providers[closeio.Name].ByStatus[400]; n != 0 {
		t.Fatalf("%d requests refused with 400", n)
	}
}

// TestListWindowDeepTies exports activities and tasks (of every type) in runs of tied
// date_created values while the API refuses any _skip past 1,000: six times more records
// than one _skip walk reaches.
func TestListWindowDeepTies(t *testing.T) {
	for _, resource := range []string{"activity", "task"} {
		t.Run(resource, func(t *testing.T) {
			opts := sandbox.Options{Seed: 5, Sizes: map[string]int{"close/" + resource: 6000}, CloseMaxSkip: 1000, CloseTieRun: 950}
			sb, conn, plan := deepSandbox(t, opts, closeio.Config{MaxSkip: 1000}, provider.Spec{Resource: resource, PageSize: 100})
			res := conformance.Drain(t, conn, plan, conn.Start(plan))
			conformance.AssertExactly(t, sb, closeio.Name, resource, res.Records)
			if n := sb.Stats().Providers[closeio.Name].ByStatus[400]; n != 0 {
				t.Fatalf("%d requests refused with 400", n)
			}
		})
	}
}

// TestListWindowTieRunPastMaxSkip fails naming the timestamp when more records share one
// date_created than _skip can step over.
func TestListWindowTieRunPastMaxSkip(t *testing.T) {
	opts := sandbox.Options{Seed: 5, Sizes: map[string]int{"close/opportunity": 1000}, CloseMaxSkip: 200, CloseTieRun: 450}
	_, conn, plan := deepSandbox(t, opts, closeio.Config{MaxSkip: 200}, provider.Spec{Resource: "opportunity", PageSize: 100})
	_, err := conformance.Try(t, conn, plan, conn.Start(plan), 10)
	if pe := conformance.AsError(t, err); pe.Retryable || !strings.Contains(pe.Message, "records share date_created") {
		t.Fatalf("got %v", err)
	}
}

// TestWindowExcludesNewRecords: records created during the export are after its Until.
func TestWindowExcludesNewRecords(t *testing.T) {
	for _, resource := range []string{"contact", "activity"} {
		t.Run(resource, func(t *testing.T) {
			// The sandbox's clock runs a second ahead, so an insert made within the same
			// millisecond as Start is still after Until (Close's timestamps are in ms here).
			ahead := func() time.Time { return time.Now().Add(time.Second) }
			opts := sandbox.Options{Seed: 5, Sizes: map[string]int{"close/" + resource: 95}, Now: ahead}
			sb, conn, plan := deepSandbox(t, opts, closeio.Config{}, provider.Spec{Resource: resource, PageSize: 10})
			want := sb.Dataset(closeio.Name, resource)
			first := conformance.Pages(t, conn, plan, conn.Start(plan), 3)
			sb.Insert(closeio.Name, resource, 25)
			rest := conformance.Drain(t, conn, plan, first.Next)
			conformance.AssertSame(t, sb, closeio.Name, want, append(first.Records, rest.Records...))
		})
	}
}

// TestSince: since is date_updated on or after it for lead (Advanced Filtering) and
// opportunity (its documented filter), and date_created on or after it for activity, which
// documents no date_updated filter.
func TestSince(t *testing.T) {
	cases := []struct{ resource, strategy, field string }{
		{"lead", "window", "date_updated"},
		{"contact", "window", "date_updated"},
		{"opportunity", "window", "date_updated"},
		{"opportunity", "offset", "date_updated"},
		{"activity", "window", "date_created"},
		{"activity", "offset", "date_created"},
		{"task", "window", "date_updated"},
		{"task", "offset", "date_updated"},
	}
	for _, tc := range cases {
		t.Run(tc.resource+"/"+tc.strategy, func(t *testing.T) {
			opts := sandbox.Options{Seed: 5, Sizes: map[string]int{"close/" + tc.resource: 60}}
			sb, conn, plan := deepSandbox(t, opts, closeio.Config{}, provider.Spec{Resource: tc.resource, Strategy: tc.strategy, PageSize: 7})
			sb.Touch(closeio.Name, tc.resource, 9)
			all := sb.Dataset(closeio.Name, tc.resource)
			since := stampOf(t, all[5], tc.field) // newest first: a handful are on or after it
			if tc.field == "date_updated" {
				since = time.Now().Add(-time.Hour)
			}
			var want []json.RawMessage
			for _, r := range all {
				if !stampOf(t, r, tc.field).Before(since) {
					want = append(want, r)
				}
			}
			spec := plan.Spec
			spec.Since = since
			if plan, err := conn.Validate(spec); err != nil {
				t.Fatal(err)
			} else {
				res := conformance.Drain(t, conn, plan, conn.Start(plan))
				conformance.AssertSame(t, sb, closeio.Name, want, res.Records)
			}
			if len(want) == 0 || len(want) == len(all) {
				t.Fatalf("since %v keeps %d of %d records: pick another", since, len(want), len(all))
			}
		})
	}
}

func stampOf(t *testing.T, rec json.RawMessage, field string) time.Time {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec, &m); err != nil {
		t.Fatal(err)
	}
	s, _ := m[field].(string)
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("%s %q: %v", field, s, err)
	}
	return at
}

// TestCountMatchesExport: the provider's own total for the plan's query is what the export
// gets, for the resources whose reference documents one.
func TestCountMatchesExport(t *testing.T) {
	for _, tc := range []struct{ resource, strategy string }{{"lead", "window"}, {"contact", "offset"}, {"opportunity", "window"}, {"opportunity", "offset"}} {
		t.Run(tc.resource+"/"+tc.strategy, func(t *testing.T) {
			opts := sandbox.Options{Seed: 5, Sizes: map[string]int{"close/" + tc.resource: 77}, CloseTieRun: 4}
			sb, conn, plan := deepSandbox(t, opts, closeio.Config{}, provider.Spec{Resource: tc.resource, Strategy: tc.strategy, PageSize: 20})
			if tc.resource != "contact" {
				sb.Touch(closeio.Name, tc.resource, 13)
				plan.Since = time.Now().Add(-time.Hour)
			}
			n, ok, err := conn.(provider.Counter).Count(context.Background(), plan)
			res := conformance.Drain(t, conn, plan, conn.Start(plan))
			if err != nil || !ok || n != len(res.Records) || n == 0 {
				t.Fatalf("count %d %v %v, exported %d", n, ok, err, len(res.Records))
			}
		})
	}
}
