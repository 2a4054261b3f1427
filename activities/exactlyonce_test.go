package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// listConnector serves records 1..n by offset, the same answer every time.
type listConnector struct{ n int }

func (c listConnector) Name() string { return "fake" }
func (c listConnector) Validate(s provider.Spec) (provider.Plan, error) {
	return provider.Plan{Spec: s, MaxParallel: 1}, nil
}
func (c listConnector) Start(provider.Plan) provider.Position { return provider.Position{} }
func (c listConnector) Fetch(_ context.Context, req provider.Request) (provider.Page, error) {
	off := req.Position.Offset
	end := min(off+req.Plan.PageSize, c.n)
	page := provider.Page{Next: provider.Position{Offset: end}, Done: end >= c.n, Total: c.n}
	for i := off; i < end; i++ {
		page.Records = append(page.Records, json.RawMessage(fmt.Sprintf(`{"id": %d, "name": "r%d"}`, i+1, i+1)))
	}
	return page, nil
}

const onceBase = "fake/items/once"

var oncePlan = provider.Plan{Spec: provider.Spec{Resource: "items", PageSize: 10}, MaxParallel: 1}

// exportTwice pages through every record, running every page activity twice with the same
// input, as Temporal does when a worker dies after the write but before completing.
func exportTwice(t *testing.T, a *Activities) Partition {
	t.Helper()
	ctx := context.Background()
	p := Partition{ID: 0}
	for !p.Done {
		in := PageInput{Resolved: Resolved{ExportID: "once", Provider: "fake", Plan: oncePlan, Base: onceBase}, Seq: p.Pages + 1, Position: p.Position}
		first, err := a.FetchPage(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		firstBody, err := a.Store.Get(ctx, first.Key)
		if err != nil {
			t.Fatal(err)
		}
		retry, err := a.FetchPage(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		retry.Took, first.Took = 0, 0 // wall time, the one thing a retry may change
		if retry != first {
			t.Fatalf("page %d: retry returned %+v, first attempt %+v", in.Seq, retry, first)
		}
		if retry.Key != PageKey(onceBase, 0, in.Seq) {
			t.Fatalf("page %d written to %s, want %s", in.Seq, retry.Key, PageKey(onceBase, 0, in.Seq))
		}
		retryBody, err := a.Store.Get(ctx, retry.Key)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(firstBody, retryBody) {
			t.Fatalf("page %d: the retry changed the object's content", in.Seq)
		}
		listed, err := a.Store.List(ctx, onceBase+"/data/")
		if err != nil {
			t.Fatal(err)
		}
		if len(listed) != in.Seq {
			t.Fatalf("after page %d written twice the bucket holds %d page objects, want %d", in.Seq, len(listed), in.Seq)
		}
		p.Pages++
		p.Records += int64(retry.Records)
		p.Bytes += retry.Bytes
		p.Position, p.Done = retry.Next, retry.Done
	}
	return p
}

func finishOnce(t *testing.T, a *Activities, p Partition) (FinishResult, error) {
	t.Helper()
	return a.Finish(context.Background(), FinishInput{
		Export:   Export{ID: "once", Provider: "fake", Prefix: "fake/items", Spec: oncePlan.Spec},
		Strategy: provider.StrategyOffset, Base: onceBase, Partitions: []Partition{p},
	})
}

// TestPageWrittenTwiceLeavesOneObject: a page retried after its write succeeded overwrites
// the same key with the same bytes, and the manifest lists every page exactly once.
func TestPageWrittenTwiceLeavesOneObject(t *testing.T) {
	store := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{listConnector{n: 25}}, Store: store}
	claimed(t, a, onceBase, "")
	p := exportTwice(t, a)
	if p.Pages != 3 || p.Records != 25 {
		t.Fatalf("partition %+v, want 3 pages of 25 records", p)
	}
	res, err := finishOnce(t, a, p)
	if err != nil {
		t.Fatal(err)
	}
	body, err := store.Get(context.Background(), res.ManifestKey)
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if m.Pages != 3 || m.Records != 25 || len(m.Objects) != 3 {
		t.Fatalf("manifest: %d pages, %d records, %d objects; want 3, 25, 3", m.Pages, m.Records, len(m.Objects))
	}
	for i, o := range m.Objects {
		if o.Seq != i+1 || o.Key != PageKey(onceBase, 0, i+1) {
			t.Fatalf("manifest object %d is %s (seq %d): each page must be listed once, in order", i, o.Key, o.Seq)
		}
	}
}

// TestVerifyFailsLoudlyWhenBucketDisagrees: after a good export, any change to the page
// objects makes Verify fail with a non-retryable VerificationFailed naming the object.
func TestVerifyFailsLoudlyWhenBucketDisagrees(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		change func(s *storagetest.Memory)
		want   string
	}{
		{"extra page object", func(s *storagetest.Memory) {
			_ = s.Put(ctx, PageKey(onceBase, 0, 4), []byte("stray"), "", map[string]string{metaRecords: "1", metaSHA256: "x"})
		}, "in bucket but not in manifest: " + PageKey(onceBase, 0, 4)},
		{"extra non-page object", func(s *storagetest.Memory) {
			_ = s.Put(ctx, onceBase+"/data/notes.txt", []byte("hello"), "", nil)
		}, "in bucket but not in manifest: " + onceBase + "/data/notes.txt"},
		{"missing object", func(s *storagetest.Memory) {
			_ = s.Delete(ctx, []string{PageKey(onceBase, 0, 2)})
		}, "in manifest but missing from bucket: " + PageKey(onceBase, 0, 2)},
		{"size changed", func(s *storagetest.Memory) {
			_ = s.Put(ctx, PageKey(onceBase, 0, 3), []byte("shorter"), "", nil)
		}, "size of " + PageKey(onceBase, 0, 3) + " is 7"},
		{"manifest lists a page twice", editManifest(func(m *Manifest) {
			m.Objects = slices.Insert(m.Objects, 1, m.Objects[0])
			m.Pages++
			m.Records += int64(m.Objects[0].Records)
		}), "listed twice in manifest: " + PageKey(onceBase, 0, 1)},
		{"manifest out of key order", editManifest(func(m *Manifest) {
			m.Objects[0], m.Objects[1] = m.Objects[1], m.Objects[0]
		}), "out of key order in manifest: " + PageKey(onceBase, 0, 1)},
		{"manifest totals changed", editManifest(func(m *Manifest) { m.Records++ }),
			"manifest totals (3 pages, 26 records) disagree with its objects (3, 25)"},
		{"manifest truncated", func(s *storagetest.Memory) {
			body, _ := s.Get(ctx, onceBase+"/manifest.json")
			_ = s.Put(ctx, onceBase+"/manifest.json", body[:len(body)/2], "application/json", nil)
		}, "manifest is not valid JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := storagetest.NewMemory()
			a := &Activities{Providers: oneProvider{listConnector{n: 25}}, Store: store}
			claimed(t, a, onceBase, "")
			claimed(t, a, onceBase, "")
			res, err := finishOnce(t, a, exportTwice(t, a))
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Verify(ctx, res.ManifestKey); err != nil {
				t.Fatalf("untouched export does not verify: %v", err)
			}
			c.change(store)
			assertVerificationFailed(t, a.Verify(ctx, res.ManifestKey), c.want)
		})
	}
}

// TestFinishRefusesToWriteManifestOverExtraPage: Finish compares the bucket with the
// workflow's own counts before writing anything, so a stray page never gets a manifest.
func TestFinishRefusesToWriteManifestOverExtraPage(t *testing.T) {
	ctx := context.Background()
	store := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{listConnector{n: 25}}, Store: store}
	claimed(t, a, onceBase, "")
	p := exportTwice(t, a)
	_ = store.Put(ctx, PageKey(onceBase, 0, 4), []byte("stray"), "", map[string]string{metaRecords: "1", metaSHA256: "x"})
	_, err := finishOnce(t, a, p)
	assertVerificationFailed(t, err, "bucket holds 4 pages")
	if _, err := store.Get(ctx, onceBase+"/manifest.json"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a manifest was written over a bucket that disagrees: %v", err)
	}
}

// editManifest rewrites the stored manifest through edit.
func editManifest(edit func(*Manifest)) func(*storagetest.Memory) {
	return func(s *storagetest.Memory) {
		ctx := context.Background()
		body, _ := s.Get(ctx, onceBase+"/manifest.json")
		var m Manifest
		_ = json.Unmarshal(body, &m)
		edit(&m)
		body, _ = json.Marshal(m)
		_ = s.Put(ctx, onceBase+"/manifest.json", body, "application/json", nil)
	}
}

func assertVerificationFailed(t *testing.T, err error, want string) {
	t.Helper()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		t.Fatalf("got %v (%T), want an ApplicationError", err, err)
	}
	if appErr.Type() != ErrVerification || !appErr.NonRetryable() {
		t.Fatalf("got type %q non-retryable %v, want %s, non-retryable: %v", appErr.Type(), appErr.NonRetryable(), ErrVerification, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error does not say %q: %v", want, err)
	}
}

// vanishingStore loses a page the moment the staged manifest is written: the bucket
// changed under Finish, after its tally and before its verification.
type vanishingStore struct {
	*storagetest.Memory
	page string
}

func (s vanishingStore) Upload(ctx context.Context, key, ct string, write func(io.Writer) error) error {
	if err := s.Memory.Upload(ctx, key, ct, write); err != nil {
		return err
	}
	if strings.HasSuffix(key, manifestName+stagedSuffix) {
		_ = s.Delete(ctx, []string{s.page})
	}
	return nil
}

// TestFailedVerificationLeavesNoManifest: the manifest is verified under a staged name
// and published only after; when verification fails, neither name is left, not even a
// manifest an earlier attempt published.
func TestFailedVerificationLeavesNoManifest(t *testing.T) {
	ctx := context.Background()
	mem := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{listConnector{n: 25}}, Store: mem}
	claimed(t, a, onceBase, "")
	p := exportTwice(t, a)
	if _, err := finishOnce(t, a, p); err != nil { // an earlier attempt that published
		t.Fatal(err)
	}
	a.Store = vanishingStore{Memory: mem, page: PageKey(onceBase, 0, 2)}
	_, err := finishOnce(t, a, p)
	assertVerificationFailed(t, err, "in manifest but missing from bucket: "+PageKey(onceBase, 0, 2))
	for _, key := range []string{onceBase + "/" + manifestName, onceBase + "/" + manifestName + stagedSuffix} {
		if _, err := mem.Get(ctx, key); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s is still there after a failed verification (%v)", key, err)
		}
	}
}
