package storage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
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
		err := store.Upload(ctx, "big.json", "application/json", func(w io.Writer) error { return writeAll(w, want) })
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

// writeAll writes b in odd-sized writes, as an encoder makes.
func writeAll(w io.Writer, b []byte) error {
	for len(b) > 0 {
		n := min(len(b), 99_991)
		if _, err := w.Write(b[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// The part is assembled in a file in $TMPDIR that is closed and gone once Upload returns,
// whether it succeeded or not.
func TestUploadSpoolLeavesNoFile(t *testing.T) {
	store, srv := versitygw(t)
	ctx := context.Background()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	want := content(2*MinPart + 12_345)
	boom := errors.New("tally disagrees")
	for _, fail := range []bool{false, true} {
		var spool *os.File
		err := store.Upload(ctx, "spooled.json", "application/json", func(w io.Writer) error {
			if spool = w.(*upload).spool; spool == nil || filepath.Dir(spool.Name()) != tmp {
				t.Fatalf("part not spooled in $TMPDIR %s (%v)", tmp, spool)
			}
			if err := writeAll(w, want); err != nil {
				return err
			}
			if fail {
				return boom
			}
			return nil
		})
		if fail && !errors.Is(err, boom) || !fail && err != nil {
			t.Fatalf("failing write %v: error = %v", fail, err)
		}
		if _, err := spool.Stat(); !errors.Is(err, os.ErrClosed) {
			t.Errorf("failing write %v: spool file still open (%v)", fail, err)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("failing write %v: %d files left in $TMPDIR: %v", fail, len(left), left)
		}
	}
	if got, err := store.Get(ctx, "spooled.json"); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%d bytes uploaded, %d read back (%v): not the same", len(want), len(got), err)
	}
	assertNoUploads(t, srv)
}

// Without a temporary directory to write to, the part is held in memory and the upload
// still succeeds.
func TestUploadWithoutTempDir(t *testing.T) {
	store, srv := versitygw(t)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tmp := range []string{filepath.Join(t.TempDir(), "missing"), file} {
		t.Setenv("TMPDIR", tmp)
		for _, size := range []int{1_000, 2*MinPart + 12_345} {
			want := content(size)
			err := store.Upload(ctx, "unspooled.json", "application/json", func(w io.Writer) error {
				if spool := w.(*upload).spool; spool != nil {
					t.Fatalf("TMPDIR=%s: spooled in %s", tmp, spool.Name())
				}
				return writeAll(w, want)
			})
			if err != nil {
				t.Fatalf("TMPDIR=%s, %d bytes: %v", tmp, size, err)
			}
			if got, err := store.Get(ctx, "unspooled.json"); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("TMPDIR=%s: %d bytes uploaded, %d read back (%v): not the same", tmp, size, len(got), err)
			}
		}
	}
	assertNoUploads(t, srv)
}

// Two parts go through the spool while the heap takes on far less than one: the part
// is in the file, not in a buffer. (Held in memory, the parts allocate over 10 MiB.)
func TestUploadSpoolKeepsPartsOutOfTheHeap(t *testing.T) {
	store, _ := versitygw(t)
	ctx := context.Background()
	t.Setenv("TMPDIR", t.TempDir())
	data := content(2 * MinPart)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := store.Upload(ctx, "heap.json", "application/json", func(w io.Writer) error {
		for rest := data; len(rest) > 0; rest = rest[64<<10:] { // as the manifest's bufio.Writer writes
			if _, err := w.Write(rest[:64<<10]); err != nil {
				return err
			}
		}
		return nil
	})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d bytes allocated uploading %d", allocated, len(data))
	if allocated >= MinPart/4 {
		t.Fatalf("uploading %d bytes allocated %d: the part is held in the heap", len(data), allocated)
	}
}

// A spool that cannot be written (a full disk) is given up for memory, with the part it
// held, and the upload goes on.
func TestUploadSpoolThatFailsFallsBackToMemory(t *testing.T) {
	want := content(3_000)
	name := filepath.Join(t.TempDir(), "spool")
	if err := os.WriteFile(name, want[:1_000], 0o600); err != nil {
		t.Fatal(err)
	}
	readOnly, err := os.Open(name) // reads back, but every write fails
	if err != nil {
		t.Fatal(err)
	}
	u := &upload{partSize: 1 << 20, spool: readOnly, n: 1_000}
	if n, err := u.Write(want[1_000:]); n != 2_000 || err != nil {
		t.Fatalf("Write = %d, %v; want 2000, nil", n, err)
	}
	if u.spool != nil || !bytes.Equal(u.buf, want) {
		t.Fatalf("spool %v, %d bytes in memory: want no spool and the %d bytes written", u.spool, len(u.buf), len(want))
	}
	if _, err := readOnly.Stat(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("spool file still open (%v)", err)
	}
}

// The memory buffer, without a spool, grows to one part and no further, however the
// bytes arrive.
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
