package activities

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
	"github.com/pagewise/pagewise/internal/table"
)

// countingStore counts the table files uploaded.
type countingStore struct {
	*storagetest.Memory
	mu      sync.Mutex
	uploads []string
}

func (s *countingStore) Upload(ctx context.Context, key, contentType string, write func(io.Writer) error) error {
	s.mu.Lock()
	s.uploads = append(s.uploads, key)
	s.mu.Unlock()
	return s.Memory.Upload(ctx, key, contentType, write)
}

// tablesFixture writes pages pages of 100 records of about 2 KB each into partition 0
// of base, as FetchPage would, and returns WriteTables' input for them.
func tablesFixture(t *testing.T, a *Activities, base string, pages int) TablesInput {
	t.Helper()
	claimed(t, a, base, testWorkflowID)
	part := Partition{ID: 0, Pages: pages, Done: true}
	for seq := 1; seq <= pages; seq++ {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		for r := range 100 {
			fmt.Fprintf(zw, "{\"id\":%d,\"note\":%q}\n", seq*100+r, strings.Repeat("n", 2000))
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := a.Store.Put(context.Background(), PageKey(base, 0, seq), buf.Bytes(), "application/gzip", nil); err != nil {
			t.Fatal(err)
		}
		part.Records += 100
		part.Bytes += int64(buf.Len())
	}
	return TablesInput{Export: Export{ID: "e1", Provider: "fake", Prefix: "fake/things", Format: table.FormatParquet,
		Table: &table.Spec{FileMiB: 1}, Spec: provider.Spec{Resource: "things"}},
		Base: base, WorkflowID: testWorkflowID, StartedAt: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC), Partitions: []Partition{part}}
}

// TestWriteTablesGoesOnAfterItsHeartbeat: a retry whose heartbeat names the schema and
// the files an earlier attempt finished uploads only the rest, and returns the same
// table; pages whose counts disagree with the workflow's fail it as VerificationFailed.
func TestWriteTablesGoesOnAfterItsHeartbeat(t *testing.T) {
	store := &countingStore{Memory: storagetest.NewMemory()}
	a := &Activities{Store: store}
	in := tablesFixture(t, a, "fake/things/e1", 20) // about 4 MB: four files
	var suite testsuite.WorkflowTestSuite
	run := func(details any) TablesResult {
		t.Helper()
		env := suite.NewTestActivityEnvironment()
		env.RegisterActivity(a)
		if details != nil {
			env.SetHeartbeatDetails(details)
		}
		v, err := env.ExecuteActivity(a.WriteTables, in)
		if err != nil {
			t.Fatal(err)
		}
		var res TablesResult
		if err := v.Get(&res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := run(nil)
	if len(first.Files) < 3 || first.Rows != 2000 {
		t.Fatalf("first attempt: %+v", first)
	}
	written := len(store.uploads)
	retried := run(tablesProgress{SchemaSHA256: first.SchemaSHA256, Files: first.Files[:2]})
	if got := len(store.uploads) - written; got != len(first.Files)-2 {
		t.Errorf("the retry uploaded %d files, want the %d its heartbeat did not name", got, len(first.Files)-2)
	}
	if fmt.Sprint(retried) != fmt.Sprint(first) {
		t.Errorf("the retry's table differs:\n%+v\n%+v", retried, first)
	}
	// A heartbeat naming another schema is not trusted: the table is written again.
	written = len(store.uploads)
	if again := run(tablesProgress{SchemaSHA256: "00", Files: first.Files[:2]}); fmt.Sprint(again) != fmt.Sprint(first) ||
		len(store.uploads)-written != len(first.Files) {
		t.Errorf("a heartbeat with a stale schema was trusted")
	}

	in.Partitions[0].Records++
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	_, err := env.ExecuteActivity(a.WriteTables, in)
	if err == nil || !strings.Contains(err.Error(), ErrVerification) || !strings.Contains(err.Error(), "partition 0's pages hold 2000 records") {
		t.Fatalf("pages short of the workflow's count: %v", err)
	}
}
