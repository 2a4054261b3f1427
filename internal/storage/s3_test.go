package storage

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"testing"
)

// Finish trusts a batch index's entry for a page only when the listed ETag is the MD5 of
// the entry's bytes: a listing must give it unquoted, and a multipart object's must never
// pass for its body's MD5.
func TestListedETagIsTheMD5OfOnePut(t *testing.T) {
	store, _ := versitygw(t)
	ctx := context.Background()
	body := content(1_000)
	if err := store.Put(ctx, "etag/one-put", body, "application/gzip", nil); err != nil {
		t.Fatal(err)
	}
	big := content(2*MinPart + 1)
	if err := store.Upload(ctx, "etag/parts", "application/json", func(w io.Writer) error { return writeAll(w, big) }); err != nil {
		t.Fatal(err)
	}
	listed, err := store.List(ctx, "etag/")
	if err != nil || len(listed) != 2 {
		t.Fatalf("listed %+v (%v), want 2 objects", listed, err)
	}
	sum := md5.Sum(body)
	if got, want := listed[0].ETag, hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("listed ETag of one PUT is %q, want its MD5 %q", got, want)
	}
	if h, err := store.Head(ctx, "etag/one-put"); err != nil || h.ETag != listed[0].ETag {
		t.Fatalf("head ETag %q (%v), listed %q", h.ETag, err, listed[0].ETag)
	}
	bigSum := md5.Sum(big)
	if got := listed[1].ETag; got == "" || got == hex.EncodeToString(bigSum[:]) {
		t.Fatalf("listed ETag of a multipart upload is %q: it must be there and not the body's MD5", got)
	}
}
