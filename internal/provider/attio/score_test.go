package attio_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/attio"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// TestOverQueryLimitGoesOnWithSmallerPages: a records query whose own score is over Attio's
// per-query limit is asked again with half the limit until it passes (500, 250, 125, 62: the
// sandbox scores a sorted query of up to 100 records 2), and the chain keeps that limit, so
// the next pages are asked at once and their offsets add up.
func TestOverQueryLimitGoesOnWithSmallerPages(t *testing.T) {
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 4, Sizes: map[string]int{"attio/people": 300}, AttioQueryScoreLimit: 2})
	conn := newAttio(url, sandbox.DefaultToken(attio.Name), conformance.Client())
	plan, err := conn.Validate(provider.Spec{Resource: "people"})
	if err != nil {
		t.Fatal(err)
	}
	first := conformance.Pages(t, conn, plan, conn.Start(plan), 1)
	if first.Next.Limit != 62 || first.Next.Offset != 62 || len(first.Records) != 62 {
		t.Fatalf("after the first page: next %+v, %d records; want limit 62 at offset 62", first.Next, len(first.Records))
	}
	// The limit is what the workflow keeps between pages, through continue-as-new and resume.
	raw, _ := json.Marshal(first.Next)
	var kept provider.Position
	if err := json.Unmarshal(raw, &kept); err != nil || kept.Limit != 62 {
		t.Fatalf("position %s lost its limit", raw)
	}
	rest := conformance.Drain(t, conn, plan, kept)
	conformance.AssertExactly(t, sb, attio.Name, "people", append(first.Records, rest.Records...))
	if over := sb.Stats().Providers[attio.Name].OverScore; over != 3 {
		t.Fatalf("%d queries over the per-query limit, want the first page's 3 (500, 250, 125)", over)
	}
}

// TestOverQueryLimitAtOneRecordFails: a query too complex even for a page of one fails the
// export, naming what to do, after a bounded number of requests: never the same request for ever.
func TestOverQueryLimitAtOneRecordFails(t *testing.T) {
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 4, Sizes: map[string]int{"attio/people": 30}, AttioQueryScoreLimit: 2})
	conn := newAttio(url, sandbox.DefaultToken(attio.Name), conformance.Client())
	query, _ := json.Marshal(map[string]any{"name": "x", "record_id": map[string]string{"$lt": "z"}}) // 1 + 1 sort + 2 filters
	plan, err := conn.Validate(provider.Spec{Resource: "people", Query: query})
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Fetch(context.Background(), provider.Request{Plan: plan, Position: conn.Start(plan)})
	pe := conformance.AsError(t, err)
	if pe.Retryable || !strings.Contains(err.Error(), "per-query score limit") || !strings.Contains(err.Error(), "simplify the query") {
		t.Fatalf("got %#v (%v), want a non-retryable error naming the per-query limit", pe, err)
	}
	// 500, 250, 125, 62, 31, 15, 7, 3, 1.
	if n := sb.Stats().Providers[attio.Name].OverScore; n != 9 {
		t.Fatalf("%d refused queries, want 9 (halving from 500 to 1)", n)
	}
}

// TestInterleavedSmallerLimitIsExact drives three interleaved chains as the page activity
// does (StrideRequest, then NextInStride): each reads its share of 500 in pages of 62 and
// the export is exact.
func TestInterleavedSmallerLimitIsExact(t *testing.T) {
	const n = 2_003
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 4, Sizes: map[string]int{"attio/people": n}, AttioQueryScoreLimit: 2})
	conn := newAttio(url, sandbox.DefaultToken(attio.Name), conformance.Client())
	plan, err := conn.Validate(provider.Spec{Resource: "people"})
	if err != nil {
		t.Fatal(err)
	}
	chains := provider.SplitUpfront(plan, true, conn.Start(plan), 3)
	var all []json.RawMessage
	for _, c := range chains {
		pos := c.Position
		for range 200 {
			req := provider.StrideRequest(pos, plan.PageSize)
			page, err := conn.Fetch(context.Background(), provider.Request{Plan: plan, Position: req})
			if err != nil {
				t.Fatal(err)
			}
			page = provider.NextInStride(req, page, plan.PageSize)
			if page, err = provider.Advance(attio.Name, "people", pos, page); err != nil {
				t.Fatal(err)
			}
			all = append(all, page.Records...)
			if page.Done {
				break
			}
			pos = page.Next
		}
	}
	conformance.AssertExactly(t, sb, attio.Name, "people", all)
}
