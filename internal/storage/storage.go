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
}

// Store is the little of S3 the exporter needs. Keys are full keys inside the bucket.
type Store interface {
	// Put writes body under key, replacing any object already there.
	Put(ctx context.Context, key string, body []byte, contentType string, meta map[string]string) error
	Get(ctx context.Context, key string) ([]byte, error)
	// Open streams an object, for ones too large to hold whole (a big export's manifest).
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Head(ctx context.Context, key string) (Object, error)
	// List returns every object under prefix, in key order.
	List(ctx context.Context, prefix string) ([]Object, error)
	// Walk calls fn with every object under prefix, a listing page at a time, in key
	// order: memory stays the same however many objects there are.
	Walk(ctx context.Context, prefix string, fn func([]Object) error) error
	Delete(ctx context.Context, keys []string) error
	// Check fails when the bucket does not exist or cannot be reached with these credentials.
	Check(ctx context.Context) error
	// Location names where a key lives, for people: s3://bucket/key.
	Location(key string) string
}

// ErrNotFound is returned by Get and Head for a missing key.
var ErrNotFound = errors.New("object not found")
