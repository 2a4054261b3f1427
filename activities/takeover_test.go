package activities

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// takeoverExport is the export two workers fight over below.
var takeoverExport = Export{ID: "once", Provider: "fake", Prefix: "fake/items", Spec: oncePlan.Spec}

// heirManifest is the manifest a finished heir leaves (its head is all that is read).
const heirManifest = `{"format":"pagewise.manifest/v1","export_id":"once","workflow_id":"heir","objects":[]}`

// TestAnExportStopsOnceItsFolderChangesHands: after replace_owner on another worker, the
// old export's next page, batch, checkpoint and Finish each refuse before they write or
// delete anything, however recently its own worker saw the folder as its own: the heir's
// folder, manifest included, is left exactly as it was.
func TestAnExportStopsOnceItsFolderChangesHands(t *testing.T) {
	ctx := context.Background()
	store := storagetest.NewMemory()
	oldWorker := &Activities{Providers: oneProvider{listConnector{n: 25}}, Store: store}
	heirWorker := &Activities{Providers: oneProvider{listConnector{n: 25}}, Store: store}
	// The old export's activities run as Temporal runs them, so its worker knows its workflow.
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(oldWorker)
	run := func(activity, in any) error {
		_, err := env.ExecuteActivity(activity, in)
		return err
	}
	old, err := oldWorker.Prepare(ctx, PrepareInput{Export: takeoverExport, Fresh: true, WorkflowID: testWorkflowID})
	if err != nil {
		t.Fatal(err)
	}
	page := PageInput{Resolved: old.Resolved, Seq: 1}
	if err := run(oldWorker.FetchPage, page); err != nil {
		t.Fatal(err)
	}
	if _, err := heirWorker.Prepare(ctx, PrepareInput{Export: takeoverExport, Fresh: true, WorkflowID: "heir", ReplaceOwner: true}); err != nil {
		t.Fatal(err)
	}
	_ = store.Put(ctx, onceBase+"/"+manifestName, []byte(heirManifest), "application/json", nil)
	before := keys(t, store)

	page.Seq, page.Position = 2, provider.Position{Offset: 10}
	assertInvalid(t, run(oldWorker.FetchPage, page), `belongs to export workflow "heir"`)
	assertInvalid(t, run(oldWorker.FetchPages, PagesInput{PageInput: page, MaxPages: 5, MaxTime: time.Minute}), `belongs to export workflow "heir"`)
	assertInvalid(t, run(oldWorker.WriteCheckpoint, CheckpointInput{Base: onceBase, Claim: old.Claim}), `belongs to export workflow "heir"`)
	assertInvalid(t, run(oldWorker.Finish, FinishInput{Export: takeoverExport, Base: onceBase, Claim: old.Claim,
		Partitions: []Partition{{Pages: 2, Records: 20, Done: true}}}), `belongs to export workflow "heir"`)
	if after := keys(t, store); !slices.Equal(after, before) {
		t.Fatalf("the old export changed the heir's folder:\nbefore %v\nafter  %v", before, after)
	}
	if body, _ := store.Get(ctx, onceBase+"/"+manifestName); string(body) != heirManifest {
		t.Fatalf("the heir's manifest is now %q", body)
	}
}

// TestANewClaimStopsTheEarlierRun: a run started again under the same workflow id claims
// the folder anew; activities of the earlier run, still under way, stop at the claim.
func TestANewClaimStopsTheEarlierRun(t *testing.T) {
	ctx := context.Background()
	store := storagetest.NewMemory()
	w1 := &Activities{Providers: oneProvider{listConnector{n: 25}}, Store: store}
	w2 := &Activities{Providers: oneProvider{listConnector{n: 25}}, Store: store}
	earlier, err := w1.Prepare(ctx, PrepareInput{Export: takeoverExport, Fresh: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w1.FetchPage(ctx, PageInput{Resolved: earlier.Resolved, Seq: 1}); err != nil {
		t.Fatal(err)
	}
	later, err := w2.Prepare(ctx, PrepareInput{Export: takeoverExport, Fresh: true})
	if err != nil {
		t.Fatal(err)
	}
	if later.Claim == earlier.Claim || later.Claim == "" {
		t.Fatalf("claims %q and %q", earlier.Claim, later.Claim)
	}
	_, err = w1.FetchPage(ctx, PageInput{Resolved: earlier.Resolved, Seq: 1})
	assertInvalid(t, err, "was claimed again since this export prepared it")
	if _, err := w2.FetchPage(ctx, PageInput{Resolved: later.Resolved, Seq: 1}); err != nil {
		t.Fatalf("the later run's own page: %v", err)
	}
}

// TestFailedVerificationRemovesOnlyItsOwnManifest: a verification that fails in a folder
// whose manifest another workflow wrote (kept by a resume with replace_owner) leaves that
// manifest, and removes the staged one it wrote itself.
func TestFailedVerificationRemovesOnlyItsOwnManifest(t *testing.T) {
	ctx := context.Background()
	store := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{listConnector{n: 25}}, Store: store}
	_ = store.Put(ctx, onceBase+"/"+manifestName, []byte(heirManifest), "application/json", nil)
	res, err := a.Prepare(ctx, PrepareInput{Export: takeoverExport, WorkflowID: "", ReplaceOwner: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.FetchPage(ctx, PageInput{Resolved: res.Resolved, Seq: 1}); err != nil {
		t.Fatal(err)
	}
	// The workflow says two pages; the bucket holds one.
	_, err = a.Finish(ctx, FinishInput{Export: takeoverExport, Base: onceBase, Claim: res.Claim,
		Partitions: []Partition{{Pages: 2, Records: 20, Done: true}}})
	if !isVerificationFailure(err) {
		t.Fatalf("Finish: %v, want a failed verification", err)
	}
	if body, _ := store.Get(ctx, onceBase+"/"+manifestName); string(body) != heirManifest {
		t.Fatalf("another workflow's manifest is now %q", body)
	}
	for _, k := range keys(t, store) {
		if strings.HasSuffix(k, stagedSuffix) {
			t.Fatalf("the unverified manifest %s was left", k)
		}
	}
}

// unconditional is a bucket that takes no conditional requests, as some S3-compatible
// stores do not.
type unconditional struct{ *storagetest.Memory }

func (unconditional) PutIf(context.Context, string, []byte, string, string) error {
	return storage.ErrUnconditional
}

func (unconditional) DeleteIf(context.Context, string, string) error { return storage.ErrUnconditional }

// TestClaimsOnAStoreWithoutConditionalWrites: such a store still gets checked claims, and
// a later claim still stops the earlier export; only the race is no longer excluded.
func TestClaimsOnAStoreWithoutConditionalWrites(t *testing.T) {
	ctx := context.Background()
	store := unconditional{storagetest.NewMemory()}
	a := &Activities{Providers: oneProvider{listConnector{n: 25}}, Store: store}
	earlier, err := a.Prepare(ctx, PrepareInput{Export: takeoverExport, Fresh: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Prepare(ctx, PrepareInput{Export: takeoverExport, Fresh: true, WorkflowID: "other"}); err == nil {
		t.Fatal("another workflow claimed the folder")
	}
	if _, err := a.Prepare(ctx, PrepareInput{Export: takeoverExport, Fresh: true}); err != nil {
		t.Fatal(err)
	}
	_, err = a.FetchPage(ctx, PageInput{Resolved: earlier.Resolved, Seq: 1})
	assertInvalid(t, err, "was claimed again since this export prepared it")
}
