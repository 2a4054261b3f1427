package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// timeline serves records of two kinds, each updated at a set time: since, a kind filter
// (as filters or as a query body) and fields narrow what it returns.
type timeline struct {
	mu      sync.Mutex
	records []timed
}

type timed struct {
	id      int
	kind    string
	updated time.Time
}

func (tl *timeline) add(kind string, updated time.Time) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.records = append(tl.records, timed{id: len(tl.records) + 1, kind: kind, updated: updated})
}

func (tl *timeline) Name() string { return "fake" }

func (tl *timeline) Validate(spec provider.Spec) (provider.Plan, error) {
	if spec.Resource != "items" {
		return provider.Plan{}, provider.Invalid("fake", "resource", "%q is not a fake resource", spec.Resource)
	}
	spec.PageSize, spec.Strategy = 10, provider.StrategyOffset
	return provider.Plan{Spec: spec, MaxParallel: 1}, nil
}

func (tl *timeline) Start(provider.Plan) provider.Position { return provider.Position{} }

// Fetch returns every matching record in one page.
func (tl *timeline) Fetch(_ context.Context, req provider.Request) (provider.Page, error) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	kind := req.Plan.Filters["kind"]
	var q struct{ Kind string }
	_ = json.Unmarshal(req.Plan.Query, &q)
	page := provider.Page{Total: -1, Done: true, Next: provider.Position{Offset: 1}}
	for _, r := range tl.records {
		if r.updated.Before(req.Plan.Since) || kind != "" && r.kind != kind || q.Kind != "" && r.kind != q.Kind {
			continue
		}
		page.Records = append(page.Records, json.RawMessage(fmt.Sprintf(`{"id": %d, "kind": %q}`, r.id, r.kind)))
	}
	return page, nil
}

// exportAt runs one export to its end with the workflow clock at start.
func exportAt(t *testing.T, tl *timeline, store *storagetest.Memory, in ExportInput, start time.Time) (*harness, ExportResult) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(Export, workflow.RegisterOptions{Name: WorkflowName})
	env.RegisterActivity(&activities.Activities{Providers: fakeProviders{tl}, Store: store})
	env.SetTestTimeout(time.Minute)
	env.SetStartTime(start)
	env.ExecuteWorkflow(Export, in)
	var res ExportResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatalf("export %s: %v", in.ExportID, err)
	}
	return &harness{env: env, store: store}, res
}

func seriesWatermark(t *testing.T, store *storagetest.Memory) time.Time {
	t.Helper()
	body, err := store.Get(context.Background(), "fake/items/watermark.json")
	if err != nil {
		t.Fatal(err)
	}
	var w activities.Watermark
	if err := json.Unmarshal(body, &w); err != nil {
		t.Fatal(err)
	}
	return w.Watermark
}

// TestNarrowExportsLeaveTheSeriesWatermark: an ad-hoc export at the series' prefix whose
// filters, query, fields or since leave records out writes no watermark.json, so the next
// incremental run without a schedule's memory still asks for what it left out. An export
// of the whole resource does move the series.
func TestNarrowExportsLeaveTheSeriesWatermark(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	narrow := []struct {
		name string
		edit func(*ExportInput)
	}{
		{"filters", func(in *ExportInput) { in.Filters = map[string]string{"kind": "a"} }},
		{"query", func(in *ExportInput) { in.Query = json.RawMessage(`{"kind": "a"}`) }},
		{"fields", func(in *ExportInput) { in.Fields = []string{"id"} }},
		{"since after the watermark", func(in *ExportInput) { in.Since = t0.Add(90 * time.Minute) }},
	}
	for _, c := range narrow {
		t.Run(c.name, func(t *testing.T) {
			tl, store := &timeline{}, storagetest.NewMemory()
			tl.add("a", t0.Add(-time.Hour))
			tl.add("b", t0.Add(-time.Hour))
			_, first := exportAt(t, tl, store, ExportInput{ExportID: "first", Provider: "fake", Resource: "items", Incremental: true}, t0)
			if first.Records != 2 || !seriesWatermark(t, store).Equal(first.Watermark) {
				t.Fatalf("first run: %d records, watermark.json %v, want 2 and %v", first.Records, seriesWatermark(t, store), first.Watermark)
			}
			tl.add("b", t0.Add(time.Hour)) // what the narrow export leaves out
			adhoc := ExportInput{ExportID: "adhoc", Provider: "fake", Resource: "items"}
			c.edit(&adhoc)
			exportAt(t, tl, store, adhoc, t0.Add(2*time.Hour))
			if got := seriesWatermark(t, store); !got.Equal(first.Watermark) {
				t.Fatalf("a narrow export moved the series' watermark from %v to %v", first.Watermark, got)
			}
			h, next := exportAt(t, tl, store, ExportInput{ExportID: "t1", Provider: "fake", Resource: "items", Incremental: true}, t0.Add(3*time.Hour))
			if ids := h.storedIDs(t); !slices.Contains(ids, 3) {
				t.Fatalf("the next incremental run (since %v) exported %v, not record 3", next.Since, ids)
			}
			if !seriesWatermark(t, store).Equal(next.Watermark) {
				t.Fatalf("an incremental run from the series' watermark did not advance it")
			}
		})
	}
	t.Run("whole resource", func(t *testing.T) {
		tl, store := &timeline{}, storagetest.NewMemory()
		tl.add("a", t0.Add(-time.Hour))
		exportAt(t, tl, store, ExportInput{ExportID: "first", Provider: "fake", Resource: "items", Incremental: true}, t0)
		_, whole := exportAt(t, tl, store, ExportInput{ExportID: "adhoc", Provider: "fake", Resource: "items", Query: json.RawMessage(`{}`)}, t0.Add(2*time.Hour))
		if got := seriesWatermark(t, store); !got.Equal(whole.Watermark) {
			t.Fatalf("an export of the whole resource left the watermark at %v, want %v", got, whole.Watermark)
		}
	})
}
