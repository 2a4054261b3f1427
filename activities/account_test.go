package activities

import (
	"context"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// TestAccountManifestStaysOutOfOtherExports: an account manifest is written only where
// no export owns the folder, and never over another account workflow's manifest.
func TestAccountManifestStaysOutOfOtherExports(t *testing.T) {
	ctx := context.Background()
	store := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{listConnector{n: 5}}, Store: store}
	owned := Export{ID: "theirs", Provider: "fake", Prefix: "clio/contacts"}
	if err := a.claim(ctx, a.base(owned), Owner{Format: OwnerFormat, WorkflowID: "their-workflow", ExportID: "theirs"}, false, nil); err != nil {
		t.Fatal(err)
	}
	m := AccountManifest{ExportID: "acct", WorkflowID: "mine", Provider: "fake"}
	_, err := a.WriteAccountManifest(ctx, AccountManifestInput{Prefix: "clio/contacts/theirs", Manifest: m})
	if err == nil || !strings.Contains(err.Error(), "inside the folder of export") {
		t.Fatalf("into another export's folder: %v", err)
	}
	if _, err := store.Head(ctx, "clio/contacts/theirs/acct.account.json"); err == nil {
		t.Fatal("the account manifest was written into another export's folder")
	}
	if _, err := a.WriteAccountManifest(ctx, AccountManifestInput{Prefix: "fake", Manifest: m}); err != nil {
		t.Fatal(err)
	}
	m.WorkflowID = "another"
	_, err = a.WriteAccountManifest(ctx, AccountManifestInput{Prefix: "fake", Manifest: m})
	if err == nil || !strings.Contains(err.Error(), `belongs to account export workflow "mine"`) {
		t.Fatalf("over another account's manifest: %v", err)
	}
	if _, err := a.WriteAccountManifest(ctx, AccountManifestInput{Prefix: "fake", Manifest: m, ReplaceOwner: true}); err != nil {
		t.Fatalf("with replace_owner: %v", err)
	}
}
