package activities

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/attio"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// TestCeilingsEndAnEndlessExport: an API that hands out fresh records and fresh cursors for
// ever passes every page guard; the export's page ceiling ends it as APIContractBroken, on
// the serial path (a batch, then the page queue) and page by page.
func TestCeilingsEndAnEndlessExport(t *testing.T) {
	srv := httptest.NewServer(sandbox.New(sandbox.Options{Records: 30, Broken: []sandbox.Contract{sandbox.ContractEndless}}))
	defer srv.Close()
	conn := attio.New(attio.Config{BaseURL: srv.URL, Token: sandbox.DefaultToken(attio.Name)}, srv.Client())
	plan, err := conn.Validate(provider.Spec{Resource: "meetings", PageSize: 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		ceilings provider.Ceilings
		pages    int // pages written before the ceiling
	}{
		{"pages", provider.Ceilings{Pages: 8}, 8},
		{"records", provider.Ceilings{Records: 130}, 6},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			a := &Activities{Providers: oneProvider{conn}, Store: storagetest.NewMemory(), Ceilings: c.ceilings}
			claimed(t, a, "b", "")
			in := PageInput{Resolved: Resolved{ExportID: "e", Provider: attio.Name, Plan: plan, Base: "b"}, Seq: 1}
			res, err := a.FetchPages(ctx, PagesInput{PageInput: in, MaxPages: 100, MaxTime: time.Minute})
			if err != nil || !res.Failed || res.Pages != c.pages {
				t.Fatalf("batch: %+v, %v; want %d pages, then a failed page", res, err, c.pages)
			}
			// The workflow hands the failed page to the page queue, with the export's counts.
			in.Seq, in.Position, in.ExportPages, in.ExportRecords = res.Pages+1, res.Next, int64(res.Pages), res.Records
			_, err = a.FetchPage(ctx, in)
			assertCeiling(t, err, c.name)
			// Page by page, as a parallel export fetches.
			in = PageInput{Resolved: in.Resolved, Seq: 1}
			for range c.pages {
				res, err := a.FetchPage(ctx, in)
				if err != nil {
					t.Fatalf("page %d: %v", in.Seq, err)
				}
				in.Seq, in.Position, in.ExportPages, in.ExportRecords = in.Seq+1, res.Next, in.ExportPages+1, in.ExportRecords+int64(res.Records)
			}
			_, err = a.FetchPage(ctx, in)
			assertCeiling(t, err, c.name)
		})
	}
}

func assertCeiling(t *testing.T, err error, what string) {
	t.Helper()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrContract || !appErr.NonRetryable() ||
		!strings.Contains(err.Error(), "past the ceiling") || !strings.Contains(err.Error(), strings.ToUpper("PAGEWISE_MAX_EXPORT_"+what)) {
		t.Fatalf("got %v, want a non-retryable %s naming the %s ceiling", err, ErrContract, what)
	}
}
