package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3Options configures versitygw's posix backend: objects are plain files under Dir.
type S3Options struct {
	Bin                  string
	Dir                  string
	Port                 int // 0 picks a free port
	AccessKey, SecretKey string
	Log                  io.Writer
}

// S3 is a running versitygw.
type S3 struct {
	Endpoint             string
	AccessKey, SecretKey string
	Dir                  string
	proc                 *process
}

// StartS3 starts versitygw and waits until it answers S3 requests.
func StartS3(ctx context.Context, o S3Options) (*S3, error) {
	if o.AccessKey == "" {
		o.AccessKey, o.SecretKey = "pagewise-dev", "pagewise-dev-secret-key"
	}
	return retryBind(func() (*S3, error) { return startS3(ctx, o) })
}

func startS3(ctx context.Context, o S3Options) (*S3, error) {
	if o.Port == 0 {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		o.Port = port
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(o.Port)
	s := &S3{Endpoint: "http://" + addr, AccessKey: o.AccessKey, SecretKey: o.SecretKey, Dir: o.Dir,
		proc: &process{name: "versitygw", bin: o.Bin, log: o.Log,
			// --keep-alive: like S3 itself. Without it every request opens a new connection.
			args: []string{"--access", o.AccessKey, "--secret", o.SecretKey, "--port", addr, "--keep-alive", "posix", o.Dir}}}
	return s, s.startAndWait(ctx)
}

func (s *S3) startAndWait(ctx context.Context) error {
	if err := s.proc.start(); err != nil {
		return err
	}
	return s.proc.waitReady(ctx, time.Minute, func(ctx context.Context) error {
		_, err := s.Client().ListBuckets(ctx, &s3.ListBucketsInput{})
		return err
	})
}

// Client is an SDK client for this server, path-style, with the server's root keys.
func (s *S3) Client() *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint:               aws.String(s.Endpoint),
		Region:                     "us-east-1",
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		HTTPClient:                 &http.Client{Timeout: 30 * time.Second},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           1,
	})
}

// CreateBucket creates name unless it exists.
func (s *S3) CreateBucket(ctx context.Context, name string) error {
	_, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name})
	var owned *types.BucketAlreadyOwnedByYou
	var exists *types.BucketAlreadyExists
	if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
		return fmt.Errorf("creating bucket %s: %w", name, err)
	}
	return nil
}

// Stop shuts the server down.
func (s *S3) Stop() error { return s.proc.stop() }

// Kill crashes the server.
func (s *S3) Kill() error { return s.proc.kill() }

// Restart starts it again on the same port and folder.
func (s *S3) Restart(ctx context.Context) error { return s.startAndWait(ctx) }
