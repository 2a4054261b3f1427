package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// Config selects the bucket. Credentials come from the AWS default chain
// (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, instance roles).
type Config struct {
	Endpoint  string `envconfig:"ENDPOINT" desc:"S3-compatible endpoint URL; empty means AWS S3"`
	Region    string `envconfig:"REGION" default:"us-east-1" desc:"bucket region"`
	Bucket    string `envconfig:"BUCKET" default:"pagewise" desc:"bucket that receives exports"`
	Prefix    string `envconfig:"PREFIX" desc:"key prefix in front of every export"`
	PathStyle bool   `envconfig:"PATH_STYLE" default:"true" desc:"path-style addressing (most S3-compatible servers need it)"`
}

// maxIdleConnsPerHost keeps a connection for every request the worker makes at once: 32
// page writes per provider, 16 heads in Finish. With the SDK's default (10) the rest are
// closed after each request: 3,200 heads 16 at a time opened 176 connections, not 9.
const maxIdleConnsPerHost = 100

// S3 is a Store on an S3-compatible server.
type S3 struct {
	client   *s3.Client
	bucket   string
	partSize int // Upload's part size; 0 is MinPart
}

// NewS3 builds the client. Checksums are computed only when an operation requires them:
// S3-compatible servers differ in which of the newer checksum headers they accept.
func NewS3(ctx context.Context, cfg Config) (*S3, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("PAGEWISE_S3_BUCKET is empty")
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx,
		awsconfig.WithRegion(cfg.Region),
		awsconfig.WithRetryMaxAttempts(3),
		// A buildable client keeps AWS_CA_BUNDLE working, which a plain *http.Client would not.
		awsconfig.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(2*time.Minute).
			WithTransportOptions(func(t *http.Transport) { t.MaxIdleConnsPerHost = maxIdleConnsPerHost })),
	)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return &S3{client: client, bucket: cfg.Bucket}, nil
}

// Put uses a bytes.Reader: the SDK must be able to seek the body to sign it on http endpoints.
func (s *S3) Put(ctx context.Context, key string, body []byte, contentType string, meta map[string]string) error {
	return s.put(ctx, key, bytes.NewReader(body), int64(len(body)), contentType, meta)
}

// put is Put from any seekable body of size bytes.
func (s *S3) put(ctx context.Context, key string, body io.ReadSeeker, size int64, contentType string, meta map[string]string) error {
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        &s.bucket,
		Key:           &key,
		Body:          body,
		ContentLength: aws.Int64(size),
		ContentType:   aws.String(contentType),
		Metadata:      meta,
	})
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", s.bucket, key, err)
	}
	return nil
}

// PutIf is a conditional PutObject. ETags go as the store gave them, unquoted: versitygw
// compares If-Match with the stored ETag as it is, and S3 accepts them either way.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
func (s *S3) PutIf(ctx context.Context, key string, body []byte, contentType, etag string) error {
	in := &s3.PutObjectInput{Bucket: &s.bucket, Key: &key, Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String(contentType)}
	if etag == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(etag)
	}
	_, err := s.client.PutObject(ctx, in)
	switch {
	case err == nil:
		return nil
	case isPreconditionFailed(err) || etag != "" && isNotFound(err):
		return fmt.Errorf("put s3://%s/%s: %w", s.bucket, key, ErrPrecondition)
	case isNotImplemented(err):
		return fmt.Errorf("put s3://%s/%s: %w (%w)", s.bucket, key, ErrUnconditional, err)
	}
	return fmt.Errorf("put s3://%s/%s: %w", s.bucket, key, err)
}

// DeleteIf is a DeleteObject with If-Match.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
func (s *S3) DeleteIf(ctx context.Context, key, etag string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &key, IfMatch: aws.String(etag)})
	switch {
	case err == nil || isNotFound(err):
		return nil
	case isPreconditionFailed(err):
		return fmt.Errorf("delete s3://%s/%s: %w", s.bucket, key, ErrPrecondition)
	case isNotImplemented(err):
		return fmt.Errorf("delete s3://%s/%s: %w (%w)", s.bucket, key, ErrUnconditional, err)
	}
	return fmt.Errorf("delete s3://%s/%s: %w", s.bucket, key, err)
}

// Get reads a whole object.
func (s *S3) Get(ctx context.Context, key string) ([]byte, error) {
	body, err := s.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer func() { _ = body.Close() }()
	return io.ReadAll(body)
}

// Open returns the object's body; the caller closes it.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("get s3://%s/%s: %w", s.bucket, key, ErrNotFound)
		}
		return nil, fmt.Errorf("get s3://%s/%s: %w", s.bucket, key, err)
	}
	return out.Body, nil
}

// Head reads an object's size and user metadata.
func (s *S3) Head(ctx context.Context, key string) (Object, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		if isNotFound(err) {
			return Object{}, fmt.Errorf("head s3://%s/%s: %w", s.bucket, key, ErrNotFound)
		}
		return Object{}, fmt.Errorf("head s3://%s/%s: %w", s.bucket, key, err)
	}
	return Object{Key: key, Size: aws.ToInt64(out.ContentLength), Metadata: out.Metadata, ETag: unquote(out.ETag)}, nil
}

// List collects Walk's pages.
func (s *S3) List(ctx context.Context, prefix string) ([]Object, error) {
	var objects []Object
	err := s.Walk(ctx, prefix, func(page []Object) error {
		objects = append(objects, page...)
		return nil
	})
	return objects, err
}

// Walk pages through ListObjectsV2 (up to 1,000 keys a page).
func (s *S3) Walk(ctx context.Context, prefix string, fn func([]Object) error) error {
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &prefix})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %w", s.bucket, prefix, err)
		}
		objects := make([]Object, len(page.Contents))
		for i, o := range page.Contents {
			objects[i] = Object{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), ETag: unquote(o.ETag)}
		}
		if err := fn(objects); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes keys in batches of the API's maximum (1,000).
func (s *S3) Delete(ctx context.Context, keys []string) error {
	for len(keys) > 0 {
		n := min(len(keys), 1000)
		ids := make([]types.ObjectIdentifier, n)
		for i, k := range keys[:n] {
			ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: &s.bucket,
			Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return fmt.Errorf("delete in s3://%s: %w", s.bucket, err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("delete s3://%s/%s: %s", s.bucket, aws.ToString(e.Key), aws.ToString(e.Message))
		}
		keys = keys[n:]
	}
	return nil
}

// Check asks for the bucket itself.
func (s *S3) Check(ctx context.Context) error {
	if _, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket}); err != nil {
		return fmt.Errorf("bucket %q: %w", s.bucket, err)
	}
	return nil
}

// Location is s3://bucket/key.
func (s *S3) Location(key string) string { return "s3://" + s.bucket + "/" + key }

// unquote strips the quotes S3 puts around an ETag.
func unquote(etag *string) string { return strings.Trim(aws.ToString(etag), `"`) }

// IsConflict reports whether err is the store refusing a key for good with 409 Conflict:
// on a store that keeps objects as files, an object where a folder is (or the reverse).
// S3's own 409s on objects (OperationAborted, ConditionalRequestConflict) pass with a
// retry and are not conflicts here.
func IsConflict(err error) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "OperationAborted", "ConditionalRequestConflict":
		return false
	case "ExistingObjectIsDirectory", "ObjectParentIsFile", // versitygw
		"XMinioParentIsObject", "XMinioObjectExistsAsDirectory": // MinIO
		return true
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusConflict
}

// isPreconditionFailed: 412, or S3's 409 ConditionalRequestConflict (another conditional
// write to the key was under way), after which the caller looks again as for a 412.
func isPreconditionFailed(err error) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "PreconditionFailed", "ConditionalRequestConflict":
		return true
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusPreconditionFailed
}

// isNotImplemented: the store does not know a header it was sent (501).
func isNotImplemented(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "NotImplemented" {
		return true
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotImplemented
}

func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	var api smithy.APIError
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return true
	}
	return errors.As(err, &api) && (api.ErrorCode() == "NotFound" || api.ErrorCode() == "NoSuchKey")
}
