package activities

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pagewise/pagewise/internal/metrics"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// TestMadeUpResourcesAreNotLabels: 200 made-up resources, each refused by the API on its
// first page, leave one resource label between them on /metrics; the resource the API
// serves is labelled by name.
func TestMadeUpResourcesAreNotLabels(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/things" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, `{"records":[{"id":1}],"next":0}`)
	}))
	defer api.Close()
	exp := metrics.NewExporter()
	store := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{apiConnector{api.URL, api.Client(), "t0ken"}}, Store: store, Metrics: exp}
	ctx := context.Background()
	fetch := func(resource string) error {
		base := "fake/" + resource + "/e"
		claimed(t, a, base, "")
		_, err := a.FetchPage(ctx, PageInput{Resolved: Resolved{ExportID: "e", Provider: "fake", Base: base,
			Plan: provider.Plan{Spec: provider.Spec{Resource: resource}}}, Seq: 1})
		return err
	}
	for i := range 200 {
		if err := fetch(fmt.Sprintf("made-up-%d", i)); err == nil {
			t.Fatal("the API served a made-up resource")
		}
	}
	if err := fetch("things"); err != nil {
		t.Fatal(err)
	}
	families, err := exp.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]bool{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "resource" {
					labels[l.GetValue()] = true
				}
			}
		}
	}
	if len(labels) != 2 || !labels["things"] || !labels[metrics.OtherResource] {
		t.Fatalf("resource labels %v, want things and %s", labels, metrics.OtherResource)
	}
}
