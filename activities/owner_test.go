package activities

import (
	"context"
	"encoding/json"
	"errors"
	"path"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// testWorkflowID is what Temporal's test activity environment reports.
const testWorkflowID = "default-test-workflow-id"

// claimed marks base as workflow wf's, as Prepare would, for tests that start after it.
func claimed(t *testing.T, a *Activities, base, wf string) {
	t.Helper()
	if err := a.claim(context.Background(), base, Owner{Format: OwnerFormat, WorkflowID: wf}, true, nil); err != nil {
		t.Fatal(err)
	}
}

func assertInvalid(t *testing.T, err error, want ...string) {
	t.Helper()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrInvalidInput || !appErr.NonRetryable() {
		t.Fatalf("got %v, want a non-retryable %s", err, ErrInvalidInput)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not say %q: %v", w, err)
		}
	}
}

// TestPrepareRefusesFoldersItDoesNotOwn: another workflow's folder, a folder inside
// another export's, and a folder holding another export's are refused before anything is
// deleted; the same workflow may re-run, and replace_owner takes a folder over.
func TestPrepareRefusesFoldersItDoesNotOwn(t *testing.T) {
	ctx := context.Background()
	store := storagetest.NewMemory()
	a := &Activities{Providers: sandboxRegistry(t), Store: store}
	victim := Export{ID: "contacts-1", Provider: "clio", Prefix: "clio/contacts", Spec: provider.Spec{Resource: "contacts"}}
	if _, err := a.Prepare(ctx, PrepareInput{Export: victim, Fresh: true, WorkflowID: "victim"}); err != nil {
		t.Fatal(err)
	}
	page := PageKey("clio/contacts/contacts-1", 0, 1)
	_ = store.Put(ctx, page, []byte("x"), "", nil)
	before := keys(t, store)

	attacks := []struct {
		name string
		e    Export
		want []string
	}{
		{"same folder, other workflow", victim, []string{"belongs to export workflow", `"victim"`, "replace_owner"}},
		{"folder holding the victim's", Export{ID: "contacts", Provider: "clio", Prefix: "clio", Spec: provider.Spec{Resource: "contacts"}},
			[]string{"holds another export's folder or watermark", "clio/contacts/contacts-1"}},
		{"folder inside the victim's", Export{ID: "data", Provider: "clio", Prefix: "clio/contacts/contacts-1", Spec: provider.Spec{Resource: "contacts"}},
			[]string{"inside the folder of export", "clio/contacts/contacts-1", `"victim"`}},
		{"inside, with replace_owner", Export{ID: "part-000", Provider: "clio", Prefix: "clio/contacts/contacts-1/data", Spec: provider.Spec{Resource: "contacts"}},
			[]string{"inside the folder of export"}},
	}
	for _, c := range attacks {
		t.Run(c.name, func(t *testing.T) {
			_, err := a.Prepare(ctx, PrepareInput{Export: c.e, Fresh: true, WorkflowID: "attacker", ReplaceOwner: strings.Contains(c.name, "replace")})
			assertInvalid(t, err, c.want...)
			if after := keys(t, store); strings.Join(after, ",") != strings.Join(before, ",") {
				t.Fatalf("bucket changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
	// A folder holding only another series' watermark is refused too.
	_ = store.Put(ctx, "tenant/leads/watermark.json", []byte(`{"watermark":"2026-01-01T00:00:00Z"}`), "", nil)
	_, err := a.Prepare(ctx, PrepareInput{Export: Export{ID: "leads", Provider: "clio", Prefix: "tenant", Spec: provider.Spec{Resource: "contacts"}},
		Fresh: true, WorkflowID: "attacker"})
	assertInvalid(t, err, "holds another export's folder or watermark", "tenant/leads/watermark.json")
	// Folder ownership passes to the workflow's own re-run, and to another with replace_owner.
	if _, err := a.Prepare(ctx, PrepareInput{Export: victim, Fresh: true, WorkflowID: "victim"}); err != nil {
		t.Fatalf("re-run by the owner: %v", err)
	}
	if _, err := a.Prepare(ctx, PrepareInput{Export: victim, Fresh: true, WorkflowID: "heir", ReplaceOwner: true}); err != nil {
		t.Fatalf("replace_owner: %v", err)
	}
	if id, _, _ := a.ownerAt(ctx, "clio/contacts/contacts-1"); id != "heir" {
		t.Fatalf("owner after replace_owner is %q", id)
	}
}

// TestWritersCheckTheOwner: pages, checkpoints and manifests go only into a folder Prepare
// claimed for the same workflow.
func TestWritersCheckTheOwner(t *testing.T) {
	ctx := context.Background()
	store := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{listConnector{n: 5}}, Store: store}
	claimed(t, a, "fake/items/mine", "me")
	in := PageInput{Resolved: Resolved{ExportID: "x", Provider: "fake", Plan: oncePlan}, Seq: 1}
	for _, c := range []struct{ base, want string }{
		{"fake/items/unclaimed", "was not prepared for this export"},
		{"fake/items/mine", `belongs to export workflow "me"`},
	} {
		in.Base = c.base
		_, err := a.FetchPage(ctx, in)
		assertInvalid(t, err, c.want)
		_, err = a.WriteCheckpoint(ctx, CheckpointInput{Base: c.base, Checkpoint: Checkpoint{WorkflowID: "other"}})
		assertInvalid(t, err, c.want)
		_, err = a.Finish(ctx, FinishInput{Base: c.base, WorkflowID: "other"})
		assertInvalid(t, err, c.want)
	}
	if got := keys(t, store); len(got) != 1 {
		t.Fatalf("refused writers left %v", got)
	}
}

// TestLegacyFoldersHaveOwners: a folder made before owner.json existed is owned by the
// workflow its manifest or checkpoint names.
func TestLegacyFoldersHaveOwners(t *testing.T) {
	ctx := context.Background()
	store := storagetest.NewMemory()
	a := &Activities{Store: store}
	_ = store.Put(ctx, "p/done/manifest.json", []byte(`{"format":"pagewise.manifest/v1","export_id":"done","workflow_id":"old-run","objects":[]}`), "", nil)
	_ = store.Put(ctx, "p/stopped/checkpoint.json", []byte(`{"export_id":"stopped","workflow_id":"stopper"}`), "", nil)
	for dir, want := range map[string]string{"p/done": "old-run", "p/stopped": "stopper", "p/none": ""} {
		id, found, err := a.ownerAt(ctx, dir)
		if err != nil || id != want || found != (want != "") {
			t.Errorf("%s: owner %q found %v err %v, want %q", dir, id, found, err, want)
		}
	}
}

func TestExportDirOf(t *testing.T) {
	for key, want := range map[string]string{
		"a/b/owner.json":                        "a/b",
		"a/b/manifest.json":                     "a/b",
		"a/b/checkpoint.json":                   "a/b",
		"a/b/data/part-000/page-00000001.jsonl": "a/b",
		"a/b/manifest.json.staged":              "",
		"a/b/watermark.json":                    "",
		"a/b/notes.txt":                         "",
	} {
		got, ok := exportDirOf(key)
		if got != want || ok != (want != "") {
			t.Errorf("exportDirOf(%q) = %q, %v; want %q", key, got, ok, want)
		}
	}
}

func keys(t *testing.T, s *storagetest.Memory) []string {
	t.Helper()
	return keysUnder(t, s, "")
}

// failingPuts is a bucket that stores nothing.
type failingPuts struct{ *storagetest.Memory }

func (failingPuts) Put(context.Context, string, []byte, string, map[string]string) error {
	return errors.New("connection refused")
}

// TestStorageFailuresAreTypedAndRetried: a bucket failure reaches Temporal as a retryable
// ApplicationError of type StorageError, not a message prefix.
func TestStorageFailuresAreTypedAndRetried(t *testing.T) {
	mem := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{listConnector{n: 5}}, Store: mem}
	claimed(t, a, "fake/items/s", "")
	a.Store = failingPuts{mem}
	_, err := a.FetchPage(context.Background(), PageInput{Resolved: Resolved{ExportID: "s", Provider: "fake", Plan: oncePlan, Base: "fake/items/s"}, Seq: 1})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrStorage || appErr.NonRetryable() || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("got %#v", err)
	}
}

// TestManifestSaysHowToFindEveryPage: its glob matches each page object it lists, and not
// the manifest or the owner record beside them.
func TestManifestSaysHowToFindEveryPage(t *testing.T) {
	mem := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{listConnector{n: 25}}, Store: mem}
	claimed(t, a, onceBase, "")
	res, err := finishOnce(t, a, exportTwice(t, a))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := mem.Get(context.Background(), res.ManifestKey)
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if m.PageFormat != PageFormat || len(m.Objects) != 3 {
		t.Fatalf("manifest %+v", m)
	}
	for _, o := range m.Objects {
		if ok, _ := path.Match(m.PagesGlob, mem.Location(o.Key)); !ok {
			t.Errorf("%s does not match %s", mem.Location(o.Key), m.PagesGlob)
		}
	}
	for _, other := range []string{res.ManifestKey, onceBase + "/" + ownerName} {
		if ok, _ := path.Match(m.PagesGlob, mem.Location(other)); ok {
			t.Errorf("%s matches the pages glob", other)
		}
	}
}
