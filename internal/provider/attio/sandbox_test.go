package attio_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/attio"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// TestQueryAndSince pages a POST query whose filter is the user's query plus since.
func TestQueryAndSince(t *testing.T) {
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 4, Sizes: map[string]int{"attio/people": 80}})
	all := sb.Dataset(attio.Name, "people")
	var rec struct {
		CreatedAt string `json:"created_at"`
		ID        struct {
			RecordID string `json:"record_id"`
		} `json:"id"`
	}
	if err := json.Unmarshal(all[30], &rec); err != nil {
		t.Fatal(err)
	}
	since, err := time.Parse(time.RFC3339Nano, rec.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	pivot := rec.ID.RecordID
	var want []json.RawMessage
	for _, r := range all[30:] {
		if sb.IDOf(attio.Name, r) < pivot {
			want = append(want, r)
		}
	}
	conn := newAttio(url, sandbox.DefaultToken(attio.Name), conformance.Client())
	query, _ := json.Marshal(map[string]any{"record_id": map[string]string{"$lt": pivot}})
	plan, err := conn.Validate(provider.Spec{Resource: "people", PageSize: 4, Query: query, Since: since})
	if err != nil {
		t.Fatal(err)
	}
	res := conformance.Drain(t, conn, plan, conn.Start(plan))
	conformance.AssertSame(t, sb, attio.Name, want, res.Records)
	if len(want) == 0 {
		t.Fatal("the filter matched nothing; pick another pivot")
	}
}

// TestScoreLimit: the records query's score-based 429 carries Retry-After as an HTTP date,
// which becomes the error's delay (at most the 10 s window).
func TestScoreLimit(t *testing.T) {
	_, url := conformance.Serve(t, sandbox.Options{Seed: 4, Sizes: map[string]int{"attio/people": 30}, AttioScoreBudget: 3})
	conn := newAttio(url, sandbox.DefaultToken(attio.Name), conformance.Client())
	plan, err := conn.Validate(provider.Spec{Resource: "people", PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	page, err := conn.Fetch(context.Background(), provider.Request{Plan: plan, Position: conn.Start(plan)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Fetch(context.Background(), provider.Request{Plan: plan, Position: page.Next})
	pe := conformance.AsError(t, err)
	if !pe.RateLimited || !pe.Retryable || pe.RetryAfter <= 0 || pe.RetryAfter > 11*time.Second {
		t.Fatalf("score 429 read as %#v", pe)
	}
}
