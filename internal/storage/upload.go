package storage

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
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
// full part.
type upload struct {
	s                *S3
	ctx              context.Context
	key, contentType string
	partSize         int
	buf              []byte
	id               *string
	parts            []types.CompletedPart
	err              error // a part failed: the rest is not sent
}

func (u *upload) Write(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	n := len(p)
	for len(p) > 0 {
		take := min(u.partSize-len(u.buf), len(p))
		u.grow(take)
		u.buf = append(u.buf, p[:take]...)
		p = p[take:]
		if len(u.buf) == u.partSize {
			if u.err = u.send(); u.err != nil {
				return n - len(p), u.err
			}
		}
	}
	return n, nil
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

// send uploads the buffer as the next part, starting the upload with the first.
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
	out, err := u.s.client.UploadPart(u.ctx, &s3.UploadPartInput{Bucket: &u.s.bucket, Key: &u.key, UploadId: u.id,
		PartNumber: aws.Int32(number), Body: bytes.NewReader(u.buf), ContentLength: aws.Int64(int64(len(u.buf)))})
	if err != nil {
		return fmt.Errorf("upload part %d of s3://%s/%s: %w", number, u.s.bucket, u.key, err)
	}
	u.parts = append(u.parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(number)})
	u.buf = u.buf[:0]
	return nil
}

// complete sends what is left: as the object itself when no part was sent, else as the
// last part, and then completes the upload.
func (u *upload) complete() error {
	if u.id == nil {
		return u.s.Put(u.ctx, u.key, u.buf, u.contentType, nil)
	}
	if len(u.buf) > 0 {
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
