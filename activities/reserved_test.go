package activities

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// TestLayoutNamesAreRefused: an export id or prefix segment named like one of the layout's
// files would make a folder where that file goes (watermark.json beside the series'
// exports, an account manifest, an export's own records); Prepare refuses it before any
// write.
func TestLayoutNamesAreRefused(t *testing.T) {
	ctx := context.Background()
	store := storagetest.NewMemory()
	a := &Activities{Providers: sandboxRegistry(t), Store: store}
	for _, e := range []Export{
		{ID: "watermark.json", Prefix: "clio/contacts"},
		{ID: "Manifest.JSON", Prefix: "clio/contacts"},
		{ID: "owner.json", Prefix: "clio/contacts"},
		{ID: "checkpoint.json", Prefix: "clio/contacts"},
		{ID: "manifest.json.staged", Prefix: "clio/contacts"},
		{ID: "acme.account.json", Prefix: "clio"},
		{ID: "contacts", Prefix: "clio/watermark.json"},
	} {
		e.Provider, e.Spec = "clio", provider.Spec{Resource: "contacts"}
		_, err := a.Prepare(ctx, PrepareInput{Export: e, Fresh: true, WorkflowID: "w"})
		assertInvalid(t, err, "the name of a file the bucket layout keeps")
	}
	if got := keys(t, store); len(got) != 0 {
		t.Fatalf("refused exports wrote %v", got)
	}
}

// TestConflictingKeysFailAtOnce: on a store that keeps objects as files, a key whose path
// is taken by a folder (or crosses a file) is refused with 409 on every attempt; the export
// fails with a non-retryable StorageConflict instead of retrying for ever.
func TestConflictingKeysFailAtOnce(t *testing.T) {
	store := realBucket(t)
	ctx := context.Background()
	a := &Activities{Store: store}
	// A folder where the series' watermark goes, as an export id of watermark.json made one.
	if err := store.Put(ctx, "series/watermark.json/owner.json", []byte(`{}`), "application/json", nil); err != nil {
		t.Fatal(err)
	}
	err := a.writeWatermark(ctx, Export{ID: "e", Prefix: "series", Provider: "clio", Spec: provider.Spec{Resource: "contacts"}}, time.Now(), "k", "")
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrStorageConflict || !appErr.NonRetryable() {
		t.Fatalf("writing over a folder: %v, want a non-retryable %s", err, ErrStorageConflict)
	}
	// A page below a file.
	if err := store.Put(ctx, "blocked/e/data", []byte(`x`), "text/plain", nil); err != nil {
		t.Fatal(err)
	}
	claimed(t, a, "blocked/e", "")
	a.Providers = oneProvider{listConnector{n: 5}}
	_, err = a.FetchPage(ctx, PageInput{Resolved: Resolved{ExportID: "e", Provider: "fake", Plan: oncePlan, Base: "blocked/e"}, Seq: 1})
	if !errors.As(err, &appErr) || appErr.Type() != ErrStorageConflict || !appErr.NonRetryable() {
		t.Fatalf("writing below a file: %v, want a non-retryable %s", err, ErrStorageConflict)
	}
}
