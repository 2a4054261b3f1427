package devstack

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.temporal.io/sdk/client"
)

func tool(t *testing.T, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts real servers")
	}
	bin, err := FindTool(name)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// A workflow started before a SIGKILL is still there after a restart on the same file.
func TestTemporalPersistsAcrossKill(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv, err := StartTemporal(ctx, TemporalOptions{Bin: tool(t, "temporal"), DBFile: filepath.Join(t.TempDir(), "t.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Stop() }()
	c, err := client.Dial(client.Options{HostPort: srv.Addr, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// No worker polls this queue: the workflow just waits, durably.
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "persist", TaskQueue: "nobody"}, "Nothing")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeWorkflowExecution(ctx, "persist", run.GetRunID())
	if err != nil {
		t.Fatalf("workflow lost across restart: %v", err)
	}
	if got := desc.WorkflowExecutionInfo.GetExecution().GetRunId(); got != run.GetRunID() {
		t.Fatalf("run id %s, want %s", got, run.GetRunID())
	}
}

// Objects and their user metadata (record counts, checksums) survive a crash of the server.
func TestS3KeepsObjectsAndMetadataAcrossKill(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := StartS3(ctx, S3Options{Bin: tool(t, "versitygw"), Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Stop() }()
	if err := srv.CreateBucket(ctx, "bucket-one"); err != nil {
		t.Fatal(err)
	}
	if err := srv.CreateBucket(ctx, "bucket-one"); err != nil {
		t.Fatalf("second CreateBucket: %v", err)
	}
	c := srv.Client()
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket-one"), Key: aws.String("k/1"),
		Body: bytes.NewReader([]byte("hello")), Metadata: map[string]string{"records": "7"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bucket-one"), Key: aws.String("k/1")})
	if err != nil {
		t.Fatal(err)
	}
	if head.Metadata["records"] != "7" {
		t.Fatalf("metadata = %v, want records=7", head.Metadata)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket-one"), Key: aws.String("k/1")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(out.Body)
	if string(body) != "hello" {
		t.Fatalf("body = %q", body)
	}
}

// A server that exits because a port FreePort chose was taken meanwhile is started again,
// at most bindAttempts times; any other failure is returned at once.
func TestRetryBindOnlyRetriesATakenPort(t *testing.T) {
	taken := errors.New("temporal dev server exited before it was ready: listen tcp 127.0.0.1:41729: bind: address already in use")
	calls := 0
	if _, err := retryBind(func() (int, error) {
		if calls++; calls < 2 {
			return 0, taken
		}
		return 7, nil
	}); err != nil || calls != 2 {
		t.Fatalf("after one taken port: %d starts, %v; want 2 and a server", calls, err)
	}
	calls = 0
	if _, err := retryBind(func() (int, error) { calls++; return 0, taken }); err == nil || calls != bindAttempts {
		t.Fatalf("ports always taken: %d starts, %v; want %d and the error", calls, err, bindAttempts)
	}
	calls = 0
	if _, err := retryBind(func() (int, error) { calls++; return 0, errors.New("no such binary") }); err == nil || calls != 1 {
		t.Fatalf("another failure: %d starts, %v; want 1 and the error", calls, err)
	}
}
