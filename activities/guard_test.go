package activities

import (
	"context"
	"slices"
	"testing"

	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// finishedExport leaves a finished export of workflow "" in onceBase, as the victim of a
// starter who reuses its workflow id or sets replace_owner.
func finishedExport(t *testing.T, refuse bool) (*Activities, *storagetest.Memory) {
	t.Helper()
	store := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{listConnector{n: 25}}, Store: store, RefuseReplace: refuse}
	if _, err := a.Prepare(context.Background(), PrepareInput{Export: takeoverExport, Fresh: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := finishOnce(t, a, exportTwice(t, a)); err != nil {
		t.Fatal(err)
	}
	return a, store
}

// TestRefuseReplaceOwnerKeepsFinishedExports: without the guard a starter can clear a
// finished export's folder, by replace_owner or by starting a workflow under its id; with
// PAGEWISE_REFUSE_REPLACE_OWNER both are refused before anything is deleted, while a
// stopped export (no manifest) may still start over, and a finished one be resumed.
func TestRefuseReplaceOwnerKeepsFinishedExports(t *testing.T) {
	ctx := context.Background()
	replace := PrepareInput{Export: takeoverExport, Fresh: true, WorkflowID: "attacker", ReplaceOwner: true}
	// The victim's own workflow id, asking to replace its finished export.
	reuse := PrepareInput{Export: takeoverExport, Fresh: true, Replace: true}
	for _, in := range []PrepareInput{replace, reuse} {
		a, store := finishedExport(t, false)
		if _, err := a.Prepare(ctx, in); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Head(ctx, onceBase+"/"+manifestName); err == nil {
			t.Fatalf("without the guard, %+v left the finished export", in)
		}
	}
	a, store := finishedExport(t, true)
	before := keys(t, store)
	_, err := a.Prepare(ctx, replace)
	assertInvalid(t, err, "refuses replace_owner", "PAGEWISE_REFUSE_REPLACE_OWNER")
	_, err = a.Prepare(ctx, reuse)
	assertInvalid(t, err, "holds a finished export", "PAGEWISE_REFUSE_REPLACE_OWNER")
	_, err = a.WriteAccountManifest(ctx, AccountManifestInput{Prefix: "fake", ReplaceOwner: true, Manifest: AccountManifest{ExportID: "acct"}})
	assertInvalid(t, err, "refuses replace_owner")
	if after := keys(t, store); !slices.Equal(after, before) {
		t.Fatalf("refused Prepares changed the bucket:\nbefore %v\nafter  %v", before, after)
	}
	if _, err := a.Prepare(ctx, PrepareInput{Export: takeoverExport}); err != nil {
		t.Fatalf("resuming the finished export's workflow (nothing cleared): %v", err)
	}
	stopped := takeoverExport
	stopped.ID = "stopped"
	for range 2 { // a stopped export starts over under its workflow id
		if _, err := a.Prepare(ctx, PrepareInput{Export: stopped, Fresh: true}); err != nil {
			t.Fatal(err)
		}
	}
}
