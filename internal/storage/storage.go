// Package storage writes export objects to any S3-compatible store.
package storage

import (
	"context"
	"errors"
	"io"
)

// Object is one stored object as a listing or HEAD sees it.
type Object struct {
	Key      string
	Size     int64
	Metadata map[string]string // user metadata, lower-case keys; set by Head, nil from List
	// ETag is the store's, unquoted: the hex MD5 of the body for an object written by one
	// PUT, something else for a multipart or SSE-KMS one.
	ETag string
}

// Store is the little of S3 the exporter needs. Keys are full keys inside the bucket.
type Store interface {
	// Put writes body under key, replacing any object already there.
	Put(ctx context.Context, key string, body []byte, contentType string, meta map[string]string) error
	// PutIf writes body under key only while the object there is the one the caller saw:
	// etag "" means none may be there (If-None-Match: *), any other value is the ETag it
	// must have (If-Match). The store checks it in the write itself where it supports
	// conditional writes; otherwise it fails with ErrPrecondition (or ErrUnconditional
	// from a store that takes no conditional writes).
	PutIf(ctx context.Context, key string, body []byte, contentType, etag string) error
	Get(ctx context.Context, key string) ([]byte, error)
	// Open streams an object, for ones too large to hold whole (a big export's manifest).
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Upload writes an object too large to hold whole: write gets a writer whose bytes go
	// to the store a part at a time. The object appears only if write returns nil, and
	// write's error is returned as it is; otherwise key keeps what it held.
	Upload(ctx context.Context, key, contentType string, write func(io.Writer) error) error
	// Copy copies the object at src to dst, in the store, without reading it here.
	Copy(ctx context.Context, src, dst string) error
	Head(ctx context.Context, key string) (Object, error)
	// List returns every object under prefix, in key order.
	List(ctx context.Context, prefix string) ([]Object, error)
	// Walk calls fn with every object under prefix, a listing page at a time, in key
	// order: memory stays the same however many objects there are.
	Walk(ctx context.Context, prefix string, fn func([]Object) error) error
	Delete(ctx context.Context, keys []string) error
	// DeleteIf removes key only if its ETag is etag, else fails with ErrPrecondition; a
	// key already gone is no error.
	DeleteIf(ctx context.Context, key, etag string) error
	// Check fails when the bucket does not exist or cannot be reached with these credentials.
	Check(ctx context.Context) error
	// Location names where a key lives, for people: s3://bucket/key.
	Location(key string) string
}

// ErrNotFound is returned by Get and Head for a missing key.
var ErrNotFound = errors.New("object not found")

// ErrPrecondition is returned by PutIf and DeleteIf when the object is not the one the
// caller saw: another writer got there first.
var ErrPrecondition = errors.New("object changed meanwhile")

// ErrUnconditional is returned by PutIf and DeleteIf from a store that does not take
// conditional requests (501 Not Implemented); nothing was written or deleted.
var ErrUnconditional = errors.New("the store does not take conditional requests")
