package storage

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// MinPart is S3's smallest part but the last. An upload sends parts of this size, so it
// holds one part at a time however large the object; a smaller object is one PutObject.
const MinPart = 5 << 20

// Upload streams write's bytes to key as a multipart upload, one part at a time.
func (s *S3) Upload(ctx context.Context, key, contentType string, write func(io.Writer) error) error {
	u := &upload{s: s, ctx: ctx, key: key, contentType: contentType, partSize: s.partSize}
	if u.partSize <= 0 {
		u.partSize = MinPart
	}
	u.openSpool()
	defer u.closeSpool()
	if err := write(u); err != nil {
		u.abort()
		return err
	}
	if u.err != nil {
		u.abort()
		return u.err
	}
	if err := u.complete(); err != nil {
		u.abort()
		return err
	}
	return nil
}

// upload is one object being written in parts. The upload itself starts with the first
// full part. The part being assembled is held in spool, or in buf when there is no spool.
type upload struct {
	s                *S3
	ctx              context.Context
	key, contentType string
	partSize         int
	spool            *os.File
	spoolName        string // set when the file could not be removed while open
	n                int    // bytes of the part in spool
	buf              []byte
	id               *string
	parts            []types.CompletedPart
	err              error // a part failed: the rest is not sent
}

// openSpool makes the temporary file parts are assembled in. Held in the heap, a part
// cost ~11 MB of RSS while a 26 MB manifest went up (the 5 MiB buffer, its doubling
// copies, and the GC's headroom over them). Without a writable temporary directory (a
// read-only filesystem) the part is held in memory instead: an export never fails for it.
func (u *upload) openSpool() {
	f, err := os.CreateTemp("", "pagewise-upload-*")
	if err != nil {
		return
	}
	// Unlinked at once where the system allows it (unix): the open file keeps working and
	// a crash leaves nothing behind. Elsewhere it is removed when closed.
	if os.Remove(f.Name()) != nil {
		u.spoolName = f.Name()
	}
	u.spool = f
}

func (u *upload) closeSpool() {
	if u.spool == nil {
		return
	}
	_ = u.spool.Close()
	if u.spoolName != "" {
		_ = os.Remove(u.spoolName)
	}
	u.spool, u.spoolName, u.n = nil, "", 0
}

func (u *upload) Write(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	n := len(p)
	for len(p) > 0 {
		take := min(u.partSize-u.held(), len(p))
		if u.err = u.hold(p[:take]); u.err != nil {
			return n - len(p), u.err
		}
		p = p[take:]
		if u.held() == u.partSize {
			if u.err = u.send(); u.err != nil {
				return n - len(p), u.err
			}
		}
	}
	return n, nil
}

// held is the size of the part assembled so far.
func (u *upload) held() int {
	if u.spool != nil {
		return u.n
	}
	return len(u.buf)
}

// hold adds b to the part. A spool that cannot be written (a full disk) is given up for
// memory, with what it held, so the upload goes on.
func (u *upload) hold(b []byte) error {
	if u.spool != nil {
		w, err := u.spool.WriteAt(b, int64(u.n))
		u.n += w
		if err == nil {
			return nil
		}
		if err := u.unspool(); err != nil {
			return err
		}
		b = b[w:]
	}
	u.grow(len(b))
	u.buf = append(u.buf, b...)
	return nil
}

// unspool moves the part from the spool into buf and closes the spool.
func (u *upload) unspool() error {
	defer u.closeSpool()
	u.grow(u.n)
	u.buf = u.buf[:u.n]
	if _, err := u.spool.ReadAt(u.buf, 0); err != nil {
		return fmt.Errorf("upload s3://%s/%s: reading back the part spooled in %s: %w", u.s.bucket, u.key, u.spool.Name(), err)
	}
	return nil
}

// grow makes room for n more bytes, never past one part: append's doubling would hold
// up to twice a part.
func (u *upload) grow(n int) {
	if len(u.buf)+n <= cap(u.buf) {
		return
	}
	size := min(max(2*cap(u.buf), len(u.buf)+n, 64<<10), u.partSize)
	grown := make([]byte, len(u.buf), size)
	copy(grown, u.buf)
	u.buf = grown
}

// part is the part assembled so far, seekable so the SDK can hash and resend it.
func (u *upload) part() (io.ReadSeeker, int64) {
	if u.spool != nil {
		return io.NewSectionReader(u.spool, 0, int64(u.n)), int64(u.n)
	}
	return bytes.NewReader(u.buf), int64(len(u.buf))
}

// send uploads the part assembled so far as the next part, starting the upload with the
// first, and empties it for the next.
func (u *upload) send() error {
	if u.id == nil {
		out, err := u.s.client.CreateMultipartUpload(u.ctx, &s3.CreateMultipartUploadInput{
			Bucket: &u.s.bucket, Key: &u.key, ContentType: aws.String(u.contentType)})
		if err != nil {
			return fmt.Errorf("upload s3://%s/%s: %w", u.s.bucket, u.key, err)
		}
		u.id = out.UploadId
	}
	number := int32(len(u.parts) + 1)
	body, size := u.part()
	out, err := u.s.client.UploadPart(u.ctx, &s3.UploadPartInput{Bucket: &u.s.bucket, Key: &u.key, UploadId: u.id,
		PartNumber: aws.Int32(number), Body: body, ContentLength: aws.Int64(size)})
	if err != nil {
		return fmt.Errorf("upload part %d of s3://%s/%s: %w", number, u.s.bucket, u.key, err)
	}
	u.parts = append(u.parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(number)})
	u.buf = u.buf[:0]
	if u.spool != nil {
		u.n = 0
		// Only frees the pages: the next part is written from offset 0 and read up to its size.
		_ = u.spool.Truncate(0)
	}
	return nil
}

// complete sends what is left: as the object itself when no part was sent, else as the
// last part, and then completes the upload.
func (u *upload) complete() error {
	if u.id == nil {
		body, size := u.part()
		return u.s.put(u.ctx, u.key, body, size, u.contentType, nil)
	}
	if u.held() > 0 {
		if err := u.send(); err != nil {
			return err
		}
	}
	_, err := u.s.client.CompleteMultipartUpload(u.ctx, &s3.CompleteMultipartUploadInput{Bucket: &u.s.bucket, Key: &u.key,
		UploadId: u.id, MultipartUpload: &types.CompletedMultipartUpload{Parts: u.parts}})
	if err != nil {
		return fmt.Errorf("complete upload of s3://%s/%s: %w", u.s.bucket, u.key, err)
	}
	u.id = nil
	return nil
}

// abort drops the parts sent, even when ctx has ended: S3 keeps (and bills) parts of an
// upload nobody completes.
func (u *upload) abort() {
	if u.id == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(u.ctx), 30*time.Second)
	defer cancel()
	_, _ = u.s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &u.s.bucket, Key: &u.key, UploadId: u.id})
	u.id = nil
}

// Copy is a server-side CopyObject.
func (s *S3) Copy(ctx context.Context, src, dst string) error {
	_, err := s.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &s.bucket, Key: &dst, CopySource: aws.String(copySource(s.bucket, src))})
	if err != nil {
		if isNotFound(err) {
			return fmt.Errorf("copy s3://%s/%s: %w", s.bucket, src, ErrNotFound)
		}
		return fmt.Errorf("copy s3://%s/%s to %s: %w", s.bucket, src, dst, err)
	}
	return nil
}

// copySource is bucket/key, each segment URL-encoded as CopyObject wants.
func copySource(bucket, key string) string {
	segs := strings.Split(key, "/")
	for i, seg := range segs {
		segs[i] = url.PathEscape(seg)
	}
	return url.PathEscape(bucket) + "/" + strings.Join(segs, "/")
}
