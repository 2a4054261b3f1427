package activities

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/testkit/devstack"
)

// realBucket is a bucket on a real S3-compatible server (versitygw) for this test alone;
// skipped with -short or before `make tools` has built the server.
func realBucket(t *testing.T) *storage.S3 {
	t.Helper()
	if testing.Short() {
		t.Skip("starts versitygw")
	}
	bin, err := devstack.FindTool("versitygw")
	if err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	srv, err := devstack.StartS3(ctx, devstack.S3Options{Bin: bin, Dir: filepath.Join(t.TempDir(), "s3")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	if err := srv.CreateBucket(ctx, "claims"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	store, err := storage.NewS3(ctx, storage.Config{Endpoint: srv.Endpoint, Region: "us-east-1", Bucket: "claims", PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// TestRacingPreparesClaimAFolderOnce: Prepares of several workflows (on as many workers)
// that reach one new folder at once, on a real S3 server: each reads no owner, and
// exactly one claim is written; the others are refused, naming the winner, and only the
// winner's pages may go in. Of replace_owners racing the same way, only one claim holds.
func TestRacingPreparesClaimAFolderOnce(t *testing.T) {
	store := realBucket(t)
	const racers = 6
	for round, replace := range []bool{false, true} {
		e := takeoverExport
		e.ID = fmt.Sprintf("raced-%d", round)
		base := "fake/items/" + e.ID
		if replace { // the folder is someone's already
			first := &Activities{Providers: oneProvider{listConnector{n: 5}}, Store: store}
			if _, err := first.Prepare(context.Background(), PrepareInput{Export: e, Fresh: true, WorkflowID: "first"}); err != nil {
				t.Fatal(err)
			}
		}
		results := make([]PrepareResult, racers)
		errs := make([]error, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range racers {
			a := &Activities{Providers: oneProvider{listConnector{n: 5}}, Store: store}
			wg.Go(func() {
				<-start
				results[i], errs[i] = a.Prepare(context.Background(), PrepareInput{Export: e, Fresh: true,
					WorkflowID: fmt.Sprintf("racer-%d", i), ReplaceOwner: replace})
			})
		}
		close(start)
		wg.Wait()
		// The folder's owner is one racer whose Prepare succeeded; racing replace_owners
		// may each succeed in turn, but only the last claim holds.
		a := &Activities{Store: store}
		owner, _, err := a.ownerRecord(context.Background(), base)
		if err != nil {
			t.Fatal(err)
		}
		holders, winners := 0, 0
		for i, err := range errs {
			if err != nil {
				if !replace {
					assertInvalid(t, err, "belongs to export workflow", fmt.Sprintf("%q", owner.WorkflowID))
				}
				continue
			}
			winners++
			if a.checkOwner(context.Background(), base, fmt.Sprintf("racer-%d", i), results[i].Claim) == nil {
				holders++
			}
		}
		if holders != 1 || !replace && winners != 1 {
			t.Fatalf("round %d (replace_owner %v): %d racers claimed %s and %d claims hold, want one that holds; owner %q, errors %v",
				round, replace, winners, base, holders, owner.WorkflowID, errs)
		}
	}
}
