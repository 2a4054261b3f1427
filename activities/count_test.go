package activities

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// countedList adds the provider's own count to listConnector; count gives each answer.
type countedList struct {
	listConnector
	count func(ctx context.Context) (int, bool, error)
}

func (c countedList) Count(ctx context.Context, _ provider.Plan) (int, bool, error) {
	return c.count(ctx)
}

// walkSignal closes walked when the export's data folder is first walked: Finish has
// begun describing page objects.
type walkSignal struct {
	storage.Store
	once   sync.Once
	walked chan struct{}
}

func (s *walkSignal) Walk(ctx context.Context, prefix string, fn func([]storage.Object) error) error {
	if strings.HasSuffix(prefix, "/"+dataDir+"/") {
		s.once.Do(func() { close(s.walked) })
	}
	return s.Store.Walk(ctx, prefix, fn)
}

// finishCounting exports 25 records and finishes with Finish taking the count at the end.
func finishCounting(t *testing.T, store storage.Store, count func(context.Context) (int, bool, error)) (*Manifest, error) {
	t.Helper()
	a := &Activities{Providers: oneProvider{countedList{listConnector{n: 25}, count}}, Store: store}
	claimed(t, a, onceBase, "")
	p := exportTwice(t, a)
	ctx := context.Background()
	_, err := a.Finish(ctx, FinishInput{
		Export:   Export{ID: "once", Provider: "fake", Prefix: "fake/items", Spec: oncePlan.Spec},
		Strategy: provider.StrategyOffset, Base: onceBase, Partitions: []Partition{p},
		CountAtStart: CountResult{Total: 25, Known: true},
		CountEnd:     &CountInput{Resolved: Resolved{ExportID: "once", Provider: "fake", Plan: oncePlan}},
	})
	if err != nil {
		return nil, err
	}
	body, err := store.Get(ctx, onceBase+"/"+manifestName)
	if err != nil {
		return nil, err
	}
	var m Manifest
	return &m, json.Unmarshal(body, &m)
}

// Finish takes the count at the end while it walks the bucket: the count below answers
// only once the walk of the data folder has begun, so a count taken before it fails.
func TestFinishCountsWhileItWalks(t *testing.T) {
	store := &walkSignal{Store: storagetest.NewMemory(), walked: make(chan struct{})}
	m, err := finishCounting(t, store, func(ctx context.Context) (int, bool, error) {
		select {
		case <-store.walked:
			return 26, true, nil
		case <-time.After(5 * time.Second): // a failure detector, not a wait: the walk never began
			return 0, false, &provider.Error{Provider: "fake", Status: 400, Message: "counted before the walk began"}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if pc := m.ProviderCount; pc == nil || pc.AtStart != 25 || pc.AtEnd != 26 || pc.Exported != 25 || !pc.Within {
		t.Fatalf("provider_count %+v, want 25 at the start, 26 at the end, 25 exported", pc)
	}
}

// A retryable failure is retried after the provider's delay; one that is not leaves the
// count unknown and the export finishes without reconciling, as before counts existed.
func TestFinishCountRetriesThenGivesUp(t *testing.T) {
	calls := 0
	m, err := finishCounting(t, storagetest.NewMemory(), func(context.Context) (int, bool, error) {
		calls++
		if calls == 1 {
			return 0, false, &provider.Error{Provider: "fake", Retryable: true, RetryAfter: time.Millisecond}
		}
		return 25, true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pc := m.ProviderCount; calls != 2 || pc == nil || pc.AtEnd != 25 {
		t.Fatalf("after one retryable failure: %d calls, provider_count %+v; want 2 calls and 25 at the end", calls, pc)
	}
	calls = 0
	m, err = finishCounting(t, storagetest.NewMemory(), func(context.Context) (int, bool, error) {
		calls++
		return 0, false, &provider.Error{Provider: "fake", Status: 400}
	})
	if err != nil {
		t.Fatalf("a failed count failed the export: %v", err)
	}
	if calls != 1 || m.ProviderCount != nil {
		t.Fatalf("a count that cannot succeed: %d calls, provider_count %+v; want 1 call and none", calls, m.ProviderCount)
	}
}
