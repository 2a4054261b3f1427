// Package storagetest is an in-memory storage.Store for tests, as net/http/httptest is
// for HTTP: production code never imports it.
package storagetest

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"github.com/pagewise/pagewise/internal/storage"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Memory is an in-process Store for unit tests. End-to-end tests use a real S3 server.
type Memory struct {
	mu      sync.Mutex
	objects map[string]memObject
}

type memObject struct {
	body []byte
	meta map[string]string
	etag string // the body's MD5, as S3 gives for an object written by one PUT
}

// NewMemory returns an empty Memory store.
func NewMemory() *Memory { return &Memory{objects: map[string]memObject{}} }

// Put stores a copy of body.
func (m *Memory) Put(_ context.Context, key string, body []byte, _ string, meta map[string]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.put(key, body, meta)
	return nil
}

func (m *Memory) put(key string, body []byte, meta map[string]string) {
	sum := md5.Sum(body)
	m.objects[key] = memObject{body: slices.Clone(body), meta: maps.Clone(meta), etag: hex.EncodeToString(sum[:])}
}

// PutIf is Put while the object at key has etag ("" for none), checked under the lock.
func (m *Memory) PutIf(_ context.Context, key string, body []byte, _, etag string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if o, ok := m.objects[key]; ok && o.etag != etag || !ok && etag != "" {
		return fmt.Errorf("put %s: %w", key, storage.ErrPrecondition)
	}
	m.put(key, body, nil)
	return nil
}

// DeleteIf deletes key while its ETag is etag.
func (m *Memory) DeleteIf(_ context.Context, key, etag string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	switch {
	case !ok:
		return nil
	case o.etag != etag:
		return fmt.Errorf("delete %s: %w", key, storage.ErrPrecondition)
	}
	delete(m.objects, key)
	return nil
}

// Get returns a copy of the object.
func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok {
		return nil, fmt.Errorf("get %s: %w", key, storage.ErrNotFound)
	}
	return slices.Clone(o.body), nil
}

// Open returns a reader over a copy of the object.
func (m *Memory) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	body, err := m.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(body)), nil
}

// Upload collects what write writes and stores it once write returns nil.
func (m *Memory) Upload(ctx context.Context, key, contentType string, write func(io.Writer) error) error {
	var body bytes.Buffer
	if err := write(&body); err != nil {
		return err
	}
	return m.Put(ctx, key, body.Bytes(), contentType, nil)
}

// Copy stores a copy of src under dst.
func (m *Memory) Copy(_ context.Context, src, dst string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[src]
	if !ok {
		return fmt.Errorf("copy %s: %w", src, storage.ErrNotFound)
	}
	m.objects[dst] = memObject{body: slices.Clone(o.body), meta: maps.Clone(o.meta), etag: o.etag}
	return nil
}

// Head returns size and metadata.
func (m *Memory) Head(_ context.Context, key string) (storage.Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok {
		return storage.Object{}, fmt.Errorf("head %s: %w", key, storage.ErrNotFound)
	}
	return storage.Object{Key: key, Size: int64(len(o.body)), Metadata: maps.Clone(o.meta), ETag: o.etag}, nil
}

// List returns objects under prefix in key order.
func (m *Memory) List(_ context.Context, prefix string) ([]storage.Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []storage.Object
	for k, o := range m.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, storage.Object{Key: k, Size: int64(len(o.body)), ETag: o.etag})
		}
	}
	slices.SortFunc(out, func(a, b storage.Object) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// memoryPage is small so unit tests cross listing pages.
const memoryPage = 10

// Walk hands List's result to fn in pages of memoryPage.
func (m *Memory) Walk(ctx context.Context, prefix string, fn func([]storage.Object) error) error {
	objects, _ := m.List(ctx, prefix)
	for page := range slices.Chunk(objects, memoryPage) {
		if err := fn(page); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes keys.
func (m *Memory) Delete(_ context.Context, keys []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.objects, k)
	}
	return nil
}

// Check always succeeds.
func (m *Memory) Check(context.Context) error { return nil }

// Location is mem://key.
func (m *Memory) Location(key string) string { return "mem://" + key }
