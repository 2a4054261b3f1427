package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/testkit/devstack"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestRecordAccountHistory regenerates workflows/testdata/account-history*.json, which
// workflows.TestReplayAccountHistory replays: an account export with a refused resource,
// then that account resumed. Keep earlier files under a new name when the account
// workflow changes, as for TestRecordHistory.
//
//	make tools && PAGEWISE_RECORD_HISTORY=1 go test ./e2e -run TestRecordAccountHistory -count=1
func TestRecordAccountHistory(t *testing.T) {
	if os.Getenv("PAGEWISE_RECORD_HISTORY") != "1" {
		t.Skip("writes workflows/testdata; set PAGEWISE_RECORD_HISTORY=1 to regenerate the replay histories")
	}
	root, err := devstack.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "workflows", "testdata")
	sb, url := serveSandbox(t, sandbox.Options{Records: 300, Seed: 13})
	queue := "e2e-record-account-history"
	startWorker(t, workerEnv(queue, url))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	sb.Deny("clever", "/v3.0/sections")
	in := workflows.AccountInput{ExportID: "replay-account", Provider: "clever", All: true, Concurrency: 2}
	run, err := exportclient.StartAccount(ctx, stack.client, queue, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err == nil {
		t.Fatal("the account export did not report its refused resource")
	}
	writeHistory(t, filepath.Join(dir, "account-history-incomplete.json"), in.ExportID, run.GetRunID())

	sb.Allow("clever", "/v3.0/sections")
	resumed, err := exportclient.Resume(ctx, stack.client, queue, in.ExportID)
	if err != nil {
		t.Fatal(err)
	}
	if err := resumed.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	writeHistory(t, filepath.Join(dir, "account-history-resumed.json"), in.ExportID, resumed.GetRunID())
}
