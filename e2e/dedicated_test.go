package e2e

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"

	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/testkit/devstack"
	"github.com/pagewise/pagewise/workflows"
)

// Tests that crash a server start one of their own, so the shared stack stays up for
// every other test.

// quietLog keeps the SDK's reconnect warnings out of the test output.
var quietLog = log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

// dedicatedTemporal starts a dev server persisting to a file in the test's folder, and a
// client for it. The server stops when the test ends.
func dedicatedTemporal(t *testing.T) (*devstack.Temporal, client.Client) {
	t.Helper()
	bin, err := devstack.FindTool("temporal")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{Bin: bin, DBFile: filepath.Join(t.TempDir(), "temporal.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	c, err := client.Dial(client.Options{HostPort: srv.Addr, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return srv, c
}

// dedicatedS3 starts a versitygw of the test's own with the e2e bucket, and a store on it.
func dedicatedS3(t *testing.T) (*devstack.S3, *storage.S3) {
	t.Helper()
	bin, err := devstack.FindTool("versitygw")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := devstack.StartS3(ctx, devstack.S3Options{Bin: bin, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	if err := srv.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	// The store reads the same AWS variables the shared one set; a dedicated server has
	// the same default keys.
	if srv.AccessKey != stack.s3.AccessKey || srv.SecretKey != stack.s3.SecretKey {
		t.Fatal("dedicated S3 server has other keys than the shared one")
	}
	store, err := storage.NewS3(ctx, storage.Config{Endpoint: srv.Endpoint, Region: "us-east-1", Bucket: bucket, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	return srv, store
}

// waitResult waits for an export's workflow (across continue-as-new) to close.
func waitResult(t *testing.T, c client.Client, workflowID string, timeout time.Duration) (res workflows.ExportResult, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err = c.GetWorkflow(ctx, workflowID, "").Get(ctx, &res)
	return res, err
}
