package workflows

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// stoppedRuns hands the resumed export the state a stopped run answered.
type stoppedRuns struct{ state activities.StoppedState }

func (s stoppedRuns) LastStopped(context.Context, string, string) (activities.StoppedRun, bool, error) {
	return activities.StoppedRun{RunID: "stopped-run", Status: "Failed", State: s.state}, true, nil
}

// stopAt runs an export that fails for good at offset failAt and returns its state, as
// the state query answers it for the closed run.
func stopAt(t *testing.T, store *storagetest.Memory, n, failAt int) activities.StoppedState {
	t.Helper()
	h := newHarnessOn(t, n, store)
	h.conn.failAt, h.conn.fail = failAt, &provider.Error{Provider: "fake", Resource: "items", Status: 400, Message: "bad page"}
	h.env.ExecuteWorkflow(Export, input())
	if err := h.env.GetWorkflowError(); err == nil {
		t.Fatal("the export did not stop")
	}
	v, err := h.env.QueryWorkflow(QueryState)
	if err != nil {
		t.Fatal(err)
	}
	var st activities.StoppedState
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func resumeOn(t *testing.T, store *storagetest.Memory, n int, st activities.StoppedState) (*fakeConnector, ExportResult) {
	t.Helper()
	conn := &fakeConnector{n: n}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(Export, workflow.RegisterOptions{Name: WorkflowName})
	env.RegisterActivity(&activities.Activities{Providers: fakeProviders{conn}, Store: store, Runs: stoppedRuns{st}})
	env.SetTestTimeout(time.Minute)
	in := input()
	in.Resume = true
	env.ExecuteWorkflow(Export, in)
	var res ExportResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return conn, res
}

// TestResumeKeepsVerifiedPagesAndGoesOn: a resumed export fetches no page the stopped run
// recorded, deletes a page written after its last record, and its manifest covers the
// whole export once and says it was resumed.
func TestResumeKeepsVerifiedPagesAndGoesOn(t *testing.T) {
	store := storagetest.NewMemory()
	st := stopAt(t, store, 95, 40)
	if len(st.Partitions) != 1 || st.Partitions[0].Pages != 4 || st.Partitions[0].Position.Offset != 40 {
		t.Fatalf("stopped state %+v", st.Partitions)
	}
	// A page the stopped run wrote but never recorded (its worker died before completing).
	stray := activities.PageKey("fake/items/t1", 0, 5)
	_ = store.Put(context.Background(), stray, []byte("unrecorded"), "", nil)
	conn, res := resumeOn(t, store, 95, st)
	if conn.offsets[0] != 40 || slices.Contains(conn.offsets, 30) {
		t.Fatalf("resumed run fetched offsets %v; want to start at 40", conn.offsets)
	}
	if res.Records != 95 || res.Resumed == nil || res.Resumed.PagesKept != 4 || res.Resumed.RecordsKept != 40 || res.Resumed.FromRunID != "stopped-run" {
		t.Fatalf("result %+v resumed %+v", res, res.Resumed)
	}
	m := readManifest(t, store, res.ManifestKey)
	if m.Resumed == nil || m.Resumed.PagesKept != 4 || m.Records != 95 || len(m.Objects) != 10 {
		t.Fatalf("manifest %d records, %d objects, resumed %+v", m.Records, len(m.Objects), m.Resumed)
	}
}

// TestResumeRedoesAPartitionWhosePagesChanged: a kept page whose bytes no longer match its
// SHA-256 sends its partition back to its start; the export still ends exact.
func TestResumeRedoesAPartitionWhosePagesChanged(t *testing.T) {
	store := storagetest.NewMemory()
	st := stopAt(t, store, 95, 40)
	key := activities.PageKey("fake/items/t1", 0, 2)
	head, _ := store.Head(context.Background(), key)
	_ = store.Put(context.Background(), key, []byte("tampered"), "", head.Metadata)
	conn, res := resumeOn(t, store, 95, st)
	if conn.offsets[0] != 0 || res.Records != 95 || res.Resumed.PartitionsRestarted != 1 || res.Resumed.PagesKept != 0 {
		t.Fatalf("offsets %v, result %+v, resumed %+v", conn.offsets, res, res.Resumed)
	}
}

func readManifest(t *testing.T, store *storagetest.Memory, key string) activities.Manifest {
	t.Helper()
	body, err := store.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	var m activities.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
