package closeio_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/closeio"
	"github.com/pagewise/pagewise/internal/provider/conformance"
	"github.com/pagewise/pagewise/internal/sandbox"
)

func deepSandbox(t *testing.T, opts sandbox.Options, maxSkip int, spec provider.Spec) (*sandbox.Server, provider.Connector, provider.Plan) {
	t.Helper()
	sb, url := conformance.Serve(t, opts)
	conn := closeio.New(closeio.Config{BaseURL: url, Token: sandbox.DefaultToken(closeio.Name), MaxSkip: maxSkip}, conformance.Client())
	plan, err := conn.Validate(spec)
	if err != nil {
		t.Fatal(err)
	}
	return sb, conn, plan
}

// TestWindowDeepTies exports 20,000 leads in runs of 950 tied date_created values while the
// API refuses any _skip past 1,000.
func TestWindowDeepTies(t *testing.T) {
	opts := sandbox.Options{Seed: 5, Sizes: map[string]int{"close/lead": 20000}, CloseMaxSkip: 1000, CloseTieRun: 950}
	sb, conn, plan := deepSandbox(t, opts, 1000, provider.Spec{Resource: "lead", PageSize: 100, Fields: []string{"id", "display_name"}})
	res := conformance.Drain(t, conn, plan, conn.Start(plan))
	conformance.AssertExactly(t, sb, closeio.Name, "lead", res.Records)
	if n := sb.Stats().Providers[closeio.Name].ByStatus[400]; n != 0 {
		t.Fatalf("%d requests refused with 400", n)
	}
}

// TestOffsetStopsAtMaxSkip: plain offset paging fails clearly before the API's cap.
func TestOffsetStopsAtMaxSkip(t *testing.T) {
	opts := sandbox.Options{Seed: 5, Sizes: map[string]int{"close/lead": 2000}, CloseMaxSkip: 1000}
	sb, conn, plan := deepSandbox(t, opts, 1000, provider.Spec{Resource: "lead", Strategy: "offset", PageSize: 100})
	res := conformance.Pages(t, conn, plan, conn.Start(plan), 11)
	_, err := conn.Fetch(context.Background(), provider.Request{Plan: plan, Position: res.Next})
	if pe := conformance.AsError(t, err); pe.Retryable || !strings.Contains(pe.Message, "use strategy window") {
		t.Fatalf("after %d pages: %v", res.Pages, err)
	}
	if n := sb.Stats().Providers[closeio.Name].ByStatus[400]; n != 0 {
		t.Fatalf("%d requests refused with 400", n)
	}
}

// TestWindowTieRunPastMaxSkip fails naming the timestamp when more records share one
// date_created than _skip can step over.
func TestWindowTieRunPastMaxSkip(t *testing.T) {
	opts := sandbox.Options{Seed: 5, Sizes: map[string]int{"close/lead": 1000}, CloseMaxSkip: 200, CloseTieRun: 450}
	_, conn, plan := deepSandbox(t, opts, 200, provider.Spec{Resource: "lead", PageSize: 100})
	pos := conn.Start(plan)
	for range 10 {
		page, err := conn.Fetch(context.Background(), provider.Request{Plan: plan, Position: pos})
		if err != nil {
			if pe := conformance.AsError(t, err); pe.Retryable || !strings.Contains(pe.Message, "records share date_created "+pos.From) {
				t.Fatalf("got %v", err)
			}
			return
		}
		pos = page.Next
	}
	t.Fatal("a tie run longer than max _skip did not fail")
}

// TestWindowExcludesNewRecords: records created during the export are after its Until.
func TestWindowExcludesNewRecords(t *testing.T) {
	opts := sandbox.Options{Seed: 5, Sizes: map[string]int{"close/contact": 95}}
	sb, conn, plan := deepSandbox(t, opts, 0, provider.Spec{Resource: "contact", PageSize: 10})
	want := sb.Dataset(closeio.Name, "contact")
	first := conformance.Pages(t, conn, plan, conn.Start(plan), 3)
	sb.Insert(closeio.Name, "contact", 25)
	rest := conformance.Drain(t, conn, plan, first.Next)
	conformance.AssertSame(t, sb, closeio.Name, want, append(first.Records, rest.Records...))
}

// TestSince filters on date_updated in both list strategies.
func TestSince(t *testing.T) {
	opts := sandbox.Options{Seed: 5, Sizes: map[string]int{"close/lead": 60}}
	for _, strategy := range []string{"window", "offset"} {
		t.Run(strategy, func(t *testing.T) {
			sb, conn, plan := deepSandbox(t, opts, 0, provider.Spec{Resource: "lead", Strategy: strategy, PageSize: 7})
			touched := sb.Touch(closeio.Name, "lead", 9)
			var rec struct {
				DateUpdated string `json:"date_updated"`
			}
			all := sb.Dataset(closeio.Name, "lead")
			var want []json.RawMessage
			for _, r := range all {
				for _, id := range touched {
					if sb.IDOf(closeio.Name, r) == id {
						want = append(want, r)
						_ = json.Unmarshal(r, &rec)
					}
				}
			}
			since, err := time.Parse(time.RFC3339Nano, rec.DateUpdated)
			if err != nil {
				t.Fatal(err)
			}
			plan.Since = since
			res := conformance.Drain(t, conn, plan, conn.Start(plan))
			conformance.AssertSame(t, sb, closeio.Name, want, res.Records)
		})
	}
}
