package workflows

import (
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/internal/provider"
)

// pageCounts counts page attempts by how they ran.
type pageCounts struct{ local, queued, localFailed int }

func (h *harness) countPages() *pageCounts {
	c := &pageCounts{}
	// Only pages run locally. The test environment names local activities by their
	// wrapper and reports failures as results without a value.
	h.env.SetOnLocalActivityCompletedListener(func(_ *activity.Info, res converter.EncodedValue, _ error) {
		c.local++
		if !res.HasValue() {
			c.localFailed++
		}
	})
	h.env.SetOnActivityCompletedListener(func(info *activity.Info, _ converter.EncodedValue, _ error) {
		if info.ActivityType.Name == "FetchPage" {
			c.queued++
		}
	})
	return c
}

func TestSerialExportFetchesPagesInLocalBatches(t *testing.T) {
	h := newHarness(t, 1_005)
	c := h.countPages()
	h.env.ExecuteWorkflow(Export, input())
	var res ExportResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Records != 1_005 || res.Pages != 101 || c.local != 2 || c.queued != 0 {
		t.Fatalf("%d records in %d pages from %d local batches and %d queued pages; want 1005 in 101 from 2 local batches (100 pages, then 1)",
			res.Records, res.Pages, c.local, c.queued)
	}
	assertExact(t, h.storedIDs(t), 1_005)
}

// Runs that began before batches replay as they ran: one local activity a page.
func TestSerialExportBeforeBatchesFetchesPageByPage(t *testing.T) {
	h := newHarness(t, 1_005)
	h.env.OnGetVersion(pageBatchesChange, workflow.DefaultVersion, pageBatchesVersion).Return(workflow.DefaultVersion)
	c := h.countPages()
	h.env.ExecuteWorkflow(Export, input())
	var res ExportResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Records != 1_005 || c.local != 101 || c.queued != 0 {
		t.Fatalf("%d records from %d local pages and %d queued; want 1005 from 101 local", res.Records, c.local, c.queued)
	}
	assertExact(t, h.storedIDs(t), 1_005)
}

func TestParallelExportFetchesPagesFromThePageQueue(t *testing.T) {
	h := newHarness(t, 200)
	c := h.countPages()
	in := input()
	in.Parallelism = 4
	h.env.ExecuteWorkflow(Export, in)
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if c.local != 0 || c.queued != 20 {
		t.Fatalf("%d local pages and %d queued; want all 20 queued, where the server's rate limit applies", c.local, c.queued)
	}
}

// A page that fails in a local batch moves to the page queue, retries there until it
// succeeds, and the export carries on in local batches and ends exact. The batch keeps the
// pages before the failure, whether the failing page is its first or a later one.
func TestPageFailingLocallyIsHandedToThePageQueue(t *testing.T) {
	for _, c := range []struct {
		name                       string
		failAt, local, localFailed int
	}{
		{"mid-batch", 20, 2, 0}, // pages 0 and 10 kept, the batch ends early
		{"first page", 0, 2, 1}, // the batch fails as a whole
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, 50)
			h.conn.failAt, h.conn.failures = c.failAt, 5 // one local attempt, then four on the queue: under its attempts
			h.conn.fail = &provider.Error{Provider: "fake", Resource: "items", Status: 503, Message: "unavailable", Retryable: true}
			n := h.countPages()
			h.env.ExecuteWorkflow(Export, input())
			var res ExportResult
			if err := h.env.GetWorkflowResult(&res); err != nil {
				t.Fatal(err)
			}
			if res.Records != 50 || n.queued != 1 || n.localFailed != c.localFailed || n.local != c.local || h.conn.failed != h.conn.failures {
				t.Fatalf("%d records; %d local batches (%d failed), %d queued pages, %d failures; want 50, %d batches (%d failed), then the page queued until its %d failures were over",
					res.Records, n.local, n.localFailed, n.queued, h.conn.failed, c.local, c.localFailed, h.conn.failures)
			}
			assertExact(t, h.storedIDs(t), 50)
			if got := len(h.conn.offsets); got != 5+h.conn.failures {
				t.Fatalf("%d pages fetched, want the 5 pages once and the failing one %d times", got, h.conn.failures)
			}
		})
	}
}

func assertExact(t *testing.T, ids []int, n int) {
	t.Helper()
	seen := make(map[int]bool, len(ids))
	for _, id := range ids {
		if seen[id] || id < 1 || id > n {
			t.Fatalf("id %d is a duplicate or out of 1..%d", id, n)
		}
		seen[id] = true
	}
	if len(seen) != n {
		t.Fatalf("%d distinct ids stored, want %d", len(seen), n)
	}
}
