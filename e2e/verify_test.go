package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// runExport starts an export on taskQueue and waits for it to end.
func runExport(t *testing.T, taskQueue string, in workflows.ExportInput, timeout time.Duration) (workflows.ExportResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	run, err := exportclient.Start(ctx, stack.client, taskQueue, in)
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.ExportResult
	err = stack.client.GetWorkflow(ctx, run.GetID(), "").Get(ctx, &res)
	return res, err
}

// readBack reads the manifest and every object it lists, checking each object's size,
// SHA-256 and record count against the manifest, and returns every stored record.
func readBack(t *testing.T, manifestKey string) (activities.Manifest, []json.RawMessage) {
	t.Helper()
	return readBackFrom(t, stack.store, manifestKey)
}

// readBackFrom is readBack from a store other than the shared one.
func readBackFrom(t *testing.T, store storage.Store, manifestKey string) (activities.Manifest, []json.RawMessage) {
	t.Helper()
	ctx := context.Background()
	body, err := store.Get(ctx, manifestKey)
	if err != nil {
		t.Fatalf("reading manifest: %v", err)
	}
	var m activities.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	var all []json.RawMessage
	var records int64
	for _, o := range m.Objects {
		obj, err := store.Get(ctx, o.Key)
		if err != nil {
			t.Fatalf("manifest lists %s: %v", o.Key, err)
		}
		sum := sha256.Sum256(obj)
		if int64(len(obj)) != o.Bytes || hex.EncodeToString(sum[:]) != o.SHA256 {
			t.Fatalf("%s: %d bytes sha256 %x, manifest says %d bytes %s", o.Key, len(obj), sum, o.Bytes, o.SHA256)
		}
		recs := decodePage(t, o.Key, obj)
		if len(recs) != o.Records {
			t.Fatalf("%s holds %d records, manifest says %d", o.Key, len(recs), o.Records)
		}
		records += int64(len(recs))
		all = append(all, recs...)
	}
	if records != m.Records || len(m.Objects) != m.Pages {
		t.Fatalf("manifest totals %d records/%d pages, objects hold %d/%d", m.Records, m.Pages, records, len(m.Objects))
	}
	listed, err := store.List(ctx, m.Input.Prefix+"/"+m.ExportID+"/data/")
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != len(m.Objects) {
		t.Fatalf("bucket holds %d page objects, manifest lists %d", len(listed), len(m.Objects))
	}
	// Serial batches' indexes are Finish's scaffolding: a finished export has none.
	if left, err := store.List(ctx, m.Input.Prefix+"/"+m.ExportID+"/index/"); err != nil || len(left) != 0 {
		t.Fatalf("finished export still holds %d batch indexes (%v)", len(left), err)
	}
	return m, all
}

func decodePage(t *testing.T, key string, obj []byte) []json.RawMessage {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(obj))
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	var recs []json.RawMessage
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := bytes.Clone(sc.Bytes())
		if !json.Valid(line) {
			t.Fatalf("%s: line is not JSON: %.100s", key, line)
		}
		recs = append(recs, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return recs
}

// assertExactly demands the stored records be the sandbox's dataset: same ids, none
// missing, none duplicated, and each record field by field the sandbox's own.
func assertExactly(t *testing.T, sb *sandbox.Server, prov, resource string, got []json.RawMessage) {
	t.Helper()
	assertExactlyFields(t, sb, prov, resource, nil, got)
}

// assertExactlyFields is assertExactly for an export whose input named fields: records are
// compared on those (and on any other field they carry).
func assertExactlyFields(t *testing.T, sb *sandbox.Server, prov, resource string, fields []string, got []json.RawMessage) {
	t.Helper()
	want := map[string]json.RawMessage{}
	for _, r := range sb.Dataset(prov, resource) {
		want[sb.IDOf(prov, r)] = r
	}
	seen := map[string]int{}
	var dups, extra []string
	for _, r := range got {
		id := sb.IDOf(prov, r)
		seen[id]++
		if seen[id] == 2 {
			dups = append(dups, id)
		}
		if want[id] == nil {
			extra = append(extra, id)
		}
	}
	var missing []string
	for id := range want {
		if seen[id] == 0 {
			missing = append(missing, id)
		}
	}
	if len(dups)+len(extra)+len(missing) > 0 {
		t.Fatalf("%s/%s: stored %d records for a dataset of %d: %d missing %v, %d duplicated %v, %d unknown %v",
			prov, resource, len(got), len(want), len(missing), head(missing), len(dups), head(dups), len(extra), head(extra))
	}
	if d := conformance.DiffRecords(sb, prov, fields, want, got); d != "" {
		t.Fatalf("%s/%s: %s", prov, resource, d)
	}
}

func head(s []string) []string { return s[:min(len(s), 5)] }

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}

// records is what the progress query reports, or -1 while it cannot answer.
func records(exportID string) int64 { return recordsOn(stack.client, exportID) }

// recordsOn is records on a Temporal server other than the shared one.
func recordsOn(c client.Client, exportID string) int64 {
	p, err := exportclient.Query(context.Background(), c, exportID)
	if err != nil {
		return -1
	}
	return p.Records
}
