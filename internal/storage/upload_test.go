package storage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pagewise/pagewise/internal/testkit/devstack"
)

// versitygw is a real S3-compatible server for this package's tests; skipped with -short
// or before `make tools` has built it.
func versitygw(t *testing.T) (*S3, *devstack.S3) {
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
	if err := srv.CreateBucket(ctx, "uploads"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	store, err := NewS3(ctx, Config{Endpoint: srv.Endpoint, Region: "us-east-1", Bucket: "uploads", PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	return store, srv
}

// content is n bytes that differ from part to part, so parts out of order would show.
func content(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/MinPart)
	}
	return b
}

func TestUploadInPartsOnARealServer(t *testing.T) {
	store, srv := versitygw(t)
	ctx := context.Background()
	for _, size := range []int{0, 1_000, 2*MinPart + 12_345} {
		want := content(size)
		err := store.Upload(ctx, "big.json", "application/json", func(w io.Writer) error {
			for rest := want; len(rest) > 0; { // odd-sized writes, as an encoder makes
				n := min(len(rest), 99_991)
				if _, err := w.Write(rest[:n]); err != nil {
					return err
				}
				rest = rest[n:]
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		got, err := store.Get(ctx, "big.json")
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%d bytes uploaded, %d read back (%v): not the same", size, len(got), err)
		}
	}
	if err := store.Copy(ctx, "big.json", "copy/of/big.json"); err != nil {
		t.Fatal(err)
	}
	if h, err := store.Head(ctx, "copy/of/big.json"); err != nil || h.Size != int64(2*MinPart+12_345) {
		t.Fatalf("copy: %+v, %v", h, err)
	}
	assertNoUploads(t, srv)
}

// A write that fails after parts were sent leaves neither the object nor its parts.
func TestFailedUploadLeavesNothing(t *testing.T) {
	store, srv := versitygw(t)
	ctx := context.Background()
	boom := errors.New("tally disagrees")
	err := store.Upload(ctx, "half.json", "application/json", func(w io.Writer) error {
		if _, err := w.Write(content(2*MinPart + 1)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error = %v, want write's own", err)
	}
	if _, err := store.Head(ctx, "half.json"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("half.json exists after a failed upload (%v)", err)
	}
	assertNoUploads(t, srv)
}

func assertNoUploads(t *testing.T, srv *devstack.S3) {
	t.Helper()
	out, err := srv.Client().ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: ptr("uploads")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Uploads) != 0 {
		t.Fatalf("%d multipart uploads left open", len(out.Uploads))
	}
}

func ptr(s string) *string { return &s }

// The part buffer grows to one part and no further, however the bytes arrive.
func TestUploadHoldsOnePartAtMost(t *testing.T) {
	u := &upload{partSize: 1 << 20}
	for _, n := range []int{10, 70_000, 300_000, 500_000, 1 << 20} {
		take := min(u.partSize-len(u.buf), n)
		u.grow(take)
		u.buf = append(u.buf, make([]byte, take)...)
		if cap(u.buf) > u.partSize {
			t.Fatalf("buffer of %d bytes has room for %d, over the %d-byte part", len(u.buf), cap(u.buf), u.partSize)
		}
		if len(u.buf) == u.partSize {
			u.buf = u.buf[:0]
		}
	}
}
