package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestCloseLeadsAndContactsPastMaxSkip: 30,000 leads and 30,000 contacts behind a max
// _skip of 1,000, in runs of 300 records sharing one date_created, export exactly through
// Advanced Filtering alone: keyset re-anchoring past a 2,000-result cap per cursor walk,
// under 5 % faults, and without one parameter Close's reference does not document.
func TestCloseLeadsAndContactsPastMaxSkip(t *testing.T) {
	sb, url := serveSandbox(t, sandbox.Options{Seed: 31, FaultRate: 0.05, TimeoutHold: 2 * time.Second,
		Sizes:        map[string]int{"close/lead": 30_000, "close/contact": 30_000},
		CloseMaxSkip: 1_000, CloseTieRun: 300, CloseSearchCap: 2_000})
	queue := "e2e-close-keyset"
	w := startWorker(t, workerEnv(queue, url))
	// The worker is not told the sandbox's cap: it must notice a capped walk by itself.
	t.Run("exports", func(t *testing.T) {
		for _, c := range []struct {
			resource    string
			parallelism int
		}{{"lead", 4}, {"contact", 1}} {
			t.Run(c.resource, func(t *testing.T) {
				t.Parallel()
				in := workflows.ExportInput{ExportID: "keyset-" + c.resource, Provider: "close", Resource: c.resource,
					Parallelism: c.parallelism, PageSize: 200, HeartbeatSeconds: 5}
				res, err := runExport(t, queue, in, 8*time.Minute)
				if err != nil {
					t.Fatalf("export failed: %v\n%s", err, tail(w.output(), 30))
				}
				_, recs := readBack(t, res.ManifestKey)
				assertExactly(t, sb, "close", c.resource, recs)
			})
		}
	})
	st := sb.Stats()
	for key, n := range st.Undocumented {
		t.Errorf("the connector sent an undocumented parameter %d times: %s", n, key)
	}
	if st.Providers["close"].Faults[sandbox.FaultServer] == 0 {
		t.Errorf("no faults were injected: %+v", st.Providers["close"].Faults)
	}
}

// TestBrokenContractsEndTheExport: an API that breaks its paging contract — ignores the
// window, repeats a cursor, says there is more forever, sorts wrongly — fails the export
// with APIContractBroken within a bounded number of requests; the folder gets a checkpoint
// and no manifest.
func TestBrokenContractsEndTheExport(t *testing.T) {
	cases := []struct {
		contract                     sandbox.Contract
		provider, resource, strategy string
		parallelism                  int
	}{
		{sandbox.ContractIgnoreWindow, "close", "opportunity", "window", 4},
		{sandbox.ContractRepeatCursor, "clio", "contacts", "", 1},
		{sandbox.ContractHasMoreForever, "close", "activity", "offset", 1},
		{sandbox.ContractUnsorted, "clever", "users", "", 1},
	}
	for _, c := range cases {
		t.Run(string(c.contract), func(t *testing.T) {
			t.Parallel() // each has its own sandbox, worker and queue
			sb, url := serveSandbox(t, sandbox.Options{Seed: 5, Records: 1_000, Broken: []sandbox.Contract{c.contract}})
			queue := "e2e-contract-" + string(c.contract)
			w := startWorker(t, workerEnv(queue, url))
			in := workflows.ExportInput{ExportID: "broken-" + string(c.contract), Provider: c.provider, Resource: c.resource,
				Strategy: c.strategy, Parallelism: c.parallelism, PageSize: 100}
			_, err := runExport(t, queue, in, 3*time.Minute)
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) || appErr.Type() != activities.ErrContract || !appErr.NonRetryable() {
				t.Fatalf("export ended with %v, want a non-retryable %s\n%s", err, activities.ErrContract, tail(w.output(), 20))
			}
			for _, want := range []string{c.provider, c.resource, "broken paging contract at"} {
				if !strings.Contains(appErr.Error(), want) {
					t.Errorf("error does not name %q: %v", want, appErr)
				}
			}
			// 1,000 records are 10 pages; a loop would go on for ever.
			if n := sb.Stats().Providers[c.provider].Requests; n > 40 {
				t.Errorf("%d requests before the export stopped", n)
			}
			base := c.provider + "/" + c.resource + "/" + in.ExportID
			if _, err := stack.store.Head(context.Background(), base+"/manifest.json"); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("a manifest exists for a broken export (%v)", err)
			}
			if cp := readCheckpoint(t, base+"/checkpoint.json"); !strings.Contains(cp.Reason, "broken paging contract") {
				t.Errorf("checkpoint reason %q", cp.Reason)
			}
		})
	}
}

// TestEndlessAPIMeetsTheCeiling: an API that hands out fresh records and fresh cursors for
// ever passes every page guard; the worker's page ceiling (PAGEWISE_MAX_EXPORT_PAGES, set
// low here) fails the export as APIContractBroken, with a checkpoint and no manifest.
func TestEndlessAPIMeetsTheCeiling(t *testing.T) {
	sb, url := serveSandbox(t, sandbox.Options{Seed: 6, Records: 100, Broken: []sandbox.Contract{sandbox.ContractEndless}})
	queue := "e2e-contract-endless"
	w := startWorker(t, workerEnv(queue, url, "PAGEWISE_MAX_EXPORT_PAGES=30"))
	in := workflows.ExportInput{ExportID: "endless", Provider: "attio", Resource: "meetings", PageSize: 20}
	_, err := runExport(t, queue, in, 3*time.Minute)
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activities.ErrContract || !appErr.NonRetryable() ||
		!strings.Contains(appErr.Error(), "PAGEWISE_MAX_EXPORT_PAGES") {
		t.Fatalf("export ended with %v, want a non-retryable %s naming the ceiling\n%s", err, activities.ErrContract, tail(w.output(), 20))
	}
	// 100 records are 5 pages; the ceiling stops it at 31 (and what a batch fetched ahead).
	if n := sb.Stats().Providers["attio"].Requests; n < 31 || n > 31+64 {
		t.Errorf("%d requests before the export stopped", n)
	}
	base := "attio/meetings/" + in.ExportID
	if _, err := stack.store.Head(context.Background(), base+"/manifest.json"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a manifest exists for a broken export (%v)", err)
	}
	if cp := readCheckpoint(t, base+"/checkpoint.json"); !strings.Contains(cp.Reason, "past the ceiling") {
		t.Errorf("checkpoint reason %q", cp.Reason)
	}
}
