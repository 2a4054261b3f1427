package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestIncrementalStartsFromLastCompletionResult(t *testing.T) {
	h := newHarness(t, 20)
	h.env.SetLastCompletionResult(ExportResult{Watermark: t0})
	in := input()
	in.Incremental = true
	h.env.ExecuteWorkflow(Export, in)
	var res ExportResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if !h.conn.since.Equal(t0) || !res.Since.Equal(t0) {
		t.Fatalf("connector saw since %v, result says %v; want %v", h.conn.since, res.Since, t0)
	}
	if !res.Watermark.After(t0) || res.Watermark.After(res.StartedAt) {
		t.Fatalf("watermark %v should be after the old one and no later than the start %v", res.Watermark, res.StartedAt)
	}
	var w activities.Watermark
	body, err := h.store.Get(context.Background(), "fake/items/watermark.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &w); err != nil || !w.Watermark.Equal(res.Watermark) {
		t.Fatalf("watermark.json = %s (%v), want %v", body, err, res.Watermark)
	}
}

// Without a schedule's memory (deleted schedule, hand-started run) the watermark file
// beside the exports is the fallback.
func TestIncrementalFallsBackToWatermarkFile(t *testing.T) {
	h := newHarness(t, 20)
	body, _ := json.Marshal(activities.Watermark{Watermark: t0})
	_ = h.store.Put(context.Background(), "fake/items/watermark.json", body, "application/json", nil)
	in := input()
	in.Incremental = true
	h.env.ExecuteWorkflow(Export, in)
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if !h.conn.since.Equal(t0) {
		t.Fatalf("connector saw since %v, want %v from watermark.json", h.conn.since, t0)
	}
}

func TestFullExportIgnoresWatermark(t *testing.T) {
	h := newHarness(t, 20)
	h.env.SetLastCompletionResult(ExportResult{Watermark: t0})
	h.env.ExecuteWorkflow(Export, input())
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if !h.conn.since.IsZero() {
		t.Fatalf("a non-incremental export filtered since %v", h.conn.since)
	}
}

func TestFailedRunDoesNotAdvanceWatermark(t *testing.T) {
	h := newHarness(t, 100)
	h.conn.failAt = 20
	h.conn.fail = &provider.Error{Provider: "fake", Resource: "items", Status: 403, Message: "forbidden"}
	in := input()
	in.Incremental = true
	h.env.ExecuteWorkflow(Export, in)
	if h.env.GetWorkflowError() == nil {
		t.Fatal("export succeeded; the fault was not hit")
	}
	if _, err := h.store.Get(context.Background(), "fake/items/watermark.json"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a failed run wrote a watermark (err=%v)", err)
	}
}

func TestPauseStopsPagesUntilResume(t *testing.T) {
	h := newHarness(t, 1_050) // two batches: 100 pages, then 5
	var fetchedAt []time.Time
	h.onPage(func() {
		fetchedAt = append(fetchedAt, h.env.Now())
		if len(fetchedAt) == 1 {
			h.env.SignalWorkflow(SignalPause, nil)
		}
	})
	var whilePaused Progress
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(QueryProgress)
		if err != nil {
			t.Errorf("query while paused: %v", err)
		} else if err := v.Get(&whilePaused); err != nil {
			t.Error(err)
		}
		h.env.SignalWorkflow(SignalResume, nil)
	}, time.Hour)
	h.env.ExecuteWorkflow(Export, input())
	var res ExportResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if !whilePaused.Paused || !whilePaused.Idle || whilePaused.Phase != PhaseExporting {
		t.Fatalf("progress while paused = %+v, want paused", whilePaused)
	}
	if res.Records != 1_050 {
		t.Fatalf("records = %d after resume, want 1050", res.Records)
	}
	// Pages ran before the pause arrived and after the resume, none in the hour between.
	start, late := fetchedAt[0], 0
	for _, at := range fetchedAt {
		switch gap := at.Sub(start); {
		case gap >= time.Hour-time.Second:
			late++
		case gap > time.Second:
			t.Fatalf("a page ran %v into the pause", gap)
		}
	}
	// Before the pause: a batch, then the stop of the pages its stream fetches ahead.
	if late != 1 || len(fetchedAt) != 3 || whilePaused.Pages != localTaskPages {
		t.Fatalf("%d local activities before the pause (progress said %d pages), %d after the resume; want a batch of %d pages and a stream stopped, then a batch",
			len(fetchedAt)-late, whilePaused.Pages, late, localTaskPages)
	}
}
