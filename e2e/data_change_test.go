package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestRecordsChangingDuringExport inserts and updates records while exports run. Every
// strategy must export each record that existed at the start exactly once; what happens
// to the new records depends on the strategy, as the README says:
//   - cursor (Clio contacts by ascending id, Clever users by starting_after): new records
//     sort after every existing one, so the cursor reaches them: all exported.
//   - offset, serial (Attio people by ascending created_at): the same, new records land
//     past the current offset: all exported.
//   - window (Close lead): the export is bounded by date_created < its start, so records
//     created after it started are not exported.
func TestRecordsChangingDuringExport(t *testing.T) {
	const total = 4000
	// Pages slow enough, and small enough, that the export lasts eight of the serial path's
	// 2 s workflow tasks, after which progress and signals are taken in.
	sb, url := serveSandbox(t, sandbox.Options{Records: total, Seed: 9, Latency: 200 * time.Millisecond})
	queue := "e2e-data-change"
	w := startWorker(t, workerEnv(queue, url))
	cases := []struct {
		provider, resource, strategy string
		newExported                  bool
	}{
		{"clio", "contacts", "cursor", true},
		{"clever", "users", "cursor", true},
		{"attio", "people", "offset", true},
		{"close", "lead", "window", false},
	}
	for _, c := range cases {
		t.Run(c.provider+"-"+c.strategy, func(t *testing.T) {
			t.Parallel()
			before := idSet(sb, c.provider, sb.Dataset(c.provider, c.resource))
			in := workflows.ExportInput{ExportID: "changing-" + c.provider, Provider: c.provider, Resource: c.resource,
				Strategy: c.strategy, PageSize: 50, HeartbeatSeconds: 5}
			ctx := context.Background()
			run, err := exportclient.Start(ctx, stack.client, queue, in)
			if err != nil {
				t.Fatal(err)
			}
			var inserted []string
			for _, at := range []int64{total * 3 / 10, total * 5 / 10} {
				eventually(t, 2*time.Minute, "export progress", func() bool { return records(in.ExportID) >= at })
				// Pausing holds the export mid-way, so the change lands while it runs
				// however fast the pages go; pages already in flight finish meanwhile.
				if err := stack.client.SignalWorkflow(ctx, in.ExportID, "", workflows.SignalPause, nil); err != nil {
					t.Fatal(err)
				}
				var p workflows.Progress
				eventually(t, time.Minute, "the export to pause", func() bool {
					p, err = exportclient.Query(ctx, stack.client, in.ExportID)
					return err == nil && p.Paused
				})
				if p.Phase != workflows.PhaseExporting || !slices.ContainsFunc(p.Partitions, func(p activities.Partition) bool { return !p.Done }) {
					t.Fatalf("export no longer exporting when records changed: phase %q, partitions %+v", p.Phase, p.Partitions)
				}
				t.Logf("paused at %d records", p.Records)
				inserted = append(inserted, sb.Insert(c.provider, c.resource, 25)...)
				sb.Touch(c.provider, c.resource, 50)
				if err := stack.client.SignalWorkflow(ctx, in.ExportID, "", workflows.SignalResume, nil); err != nil {
					t.Fatal(err)
				}
			}
			var res workflows.ExportResult
			if err := run.Get(ctx, &res); err != nil {
				t.Fatalf("export failed: %v\n%s", err, tail(w.output(), 30))
			}
			_, recs := readBack(t, res.ManifestKey)
			assertChanged(t, sb, c.provider, before, inserted, c.newExported, recs)
		})
	}
}

func idSet(sb *sandbox.Server, prov string, recs []json.RawMessage) map[string]bool {
	ids := make(map[string]bool, len(recs))
	for _, r := range recs {
		ids[sb.IDOf(prov, r)] = true
	}
	return ids
}

// assertChanged: no record twice, every record of before present, and the inserted ones
// all present (newExported) or all absent.
func assertChanged(t *testing.T, sb *sandbox.Server, prov string, before map[string]bool, inserted []string, newExported bool, got []json.RawMessage) {
	t.Helper()
	isNew := map[string]bool{}
	for _, id := range inserted {
		isNew[id] = true
	}
	seen := map[string]int{}
	var dups, unknown []string
	for _, r := range got {
		id := sb.IDOf(prov, r)
		if seen[id]++; seen[id] == 2 {
			dups = append(dups, id)
		}
		if !before[id] && !isNew[id] {
			unknown = append(unknown, id)
		}
	}
	var missing, newGot []string
	for id := range before {
		if seen[id] == 0 {
			missing = append(missing, id)
		}
	}
	for _, id := range inserted {
		if seen[id] > 0 {
			newGot = append(newGot, id)
		}
	}
	if len(dups)+len(missing)+len(unknown) > 0 {
		t.Fatalf("%s: %d duplicated %v, %d of the %d records there at the start missing %v, %d unknown %v",
			prov, len(dups), head(dups), len(missing), len(before), head(missing), len(unknown), head(unknown))
	}
	switch {
	case newExported && len(newGot) != len(inserted):
		t.Fatalf("%s: %d of %d records inserted mid-export exported, want all", prov, len(newGot), len(inserted))
	case !newExported && len(newGot) > 0:
		t.Fatalf("%s: %d records created after the export started were exported %v, want none", prov, len(newGot), head(newGot))
	}
	t.Logf("%s: %d records at the start, %d inserted mid-export, %d of them exported; none twice", prov, len(before), len(inserted), len(newGot))
}
