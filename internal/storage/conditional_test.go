package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConditionalWritesOnARealServer: PutIf and DeleteIf hold only while the object is the
// one the caller saw, and of writers racing to create a key exactly one wins.
func TestConditionalWritesOnARealServer(t *testing.T) {
	store, _ := versitygw(t)
	ctx := context.Background()
	key := "claims/owner.json"
	if err := store.PutIf(ctx, key, []byte(`{"n":1}`), "application/json", ""); err != nil {
		t.Fatalf("creating: %v", err)
	}
	if err := store.PutIf(ctx, key, []byte(`{"n":2}`), "application/json", ""); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("creating again: %v, want ErrPrecondition", err)
	}
	first, err := store.Head(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.PutIf(ctx, key, []byte(`{"n":3}`), "application/json", first.ETag); err != nil {
		t.Fatalf("replacing what was seen: %v", err)
	}
	if err := store.PutIf(ctx, key, []byte(`{"n":4}`), "application/json", first.ETag); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("replacing with a stale ETag: %v, want ErrPrecondition", err)
	}
	if err := store.PutIf(ctx, "claims/absent.json", []byte(`{}`), "application/json", first.ETag); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("replacing a missing object: %v, want ErrPrecondition", err)
	}
	if err := store.DeleteIf(ctx, key, first.ETag); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("deleting with a stale ETag: %v, want ErrPrecondition", err)
	}
	if body, err := store.Get(ctx, key); err != nil || string(body) != `{"n":3}` {
		t.Fatalf("after refused writes the object is %q (%v), want the one written with the ETag seen", body, err)
	}
	now, err := store.Head(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.DeleteIf(ctx, key, now.ETag); err != nil {
		t.Fatalf("deleting what was seen: %v", err)
	}
	if _, err := store.Head(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted object still there: %v", err)
	}
	if err := store.DeleteIf(ctx, key, now.ETag); err != nil {
		t.Fatalf("deleting a missing object: %v", err)
	}

	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			err := store.PutIf(ctx, "claims/raced.json", fmt.Appendf(nil, `{"writer":%d}`, i), "application/json", "")
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, ErrPrecondition):
				t.Errorf("writer %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d of 8 racing writers created the key, want 1", wins.Load())
	}
}

// TestStoresWithoutConditionalRequests: a store that answers a conditional request with 501
// Not Implemented gives ErrUnconditional, for the caller to fall back on, not a failure
// that would be retried for ever.
func TestStoresWithoutConditionalRequests(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusNotImplemented)
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code><Message>A header you provided implies functionality that is not implemented</Message></Error>`)
	}))
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "k")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "s")
	store, err := NewS3(context.Background(), Config{Endpoint: srv.URL, Region: "us-east-1", Bucket: "b", PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.PutIf(context.Background(), "k", []byte("x"), "text/plain", ""); !errors.Is(err, ErrUnconditional) {
		t.Errorf("PutIf: %v, want ErrUnconditional", err)
	}
	if err := store.DeleteIf(context.Background(), "k", "etag"); !errors.Is(err, ErrUnconditional) {
		t.Errorf("DeleteIf: %v, want ErrUnconditional", err)
	}
}
