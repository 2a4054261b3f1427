package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/registry"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// plainGzip is the worker's default PAGEWISE_GZIP_LEVEL, so the plain loop compresses as
// the durable rows it is compared with do.
const plainGzip = 6

// plainLoop calls the page activity's own code in a loop, in this process and with no
// Temporal: the floor the durable path is measured against.
func (e *env) plainLoop(ctx context.Context, s spec, sandboxURL string) (row, error) {
	var cfg registry.Config
	cfg.Clio.BaseURL, cfg.Clio.Token = sandboxURL, sandbox.DefaultToken("clio")
	cfg.Attio.BaseURL, cfg.Attio.Token = sandboxURL, sandbox.DefaultToken("attio")
	cfg.Close.BaseURL, cfg.Close.Token = sandboxURL, sandbox.DefaultToken("close")
	cfg.Clever.BaseURL, cfg.Clever.Token = sandboxURL, sandbox.DefaultToken("clever")
	acts := &activities.Activities{
		Providers: registry.New(cfg, &http.Client{Timeout: 30 * time.Second}),
		Store:     e.store,
		GzipLevel: plainGzip,
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	// Prepare claims the folder, as the workflow's first step does; the time starts after.
	prep, err := acts.Prepare(ctx, activities.PrepareInput{Fresh: true, Export: activities.Export{
		ID: fmt.Sprintf("plain-%d", time.Now().UnixNano()), Provider: s.provider, Prefix: "plain",
		Spec: provider.Spec{Resource: s.resource, Strategy: s.strategy, PageSize: s.pageSize, Fields: s.fields()}}})
	if err != nil {
		return row{}, err
	}
	plan := prep.Plan
	in := activities.PageInput{Resolved: prep.Resolved, Position: prep.Start}
	r := s.row("plain loop (no Temporal)")
	r.strategy, r.gzip = plan.Strategy, plainGzip
	started := time.Now()
	for {
		in.Seq = r.pages + 1
		res, err := acts.FetchPage(ctx, in)
		if err != nil {
			return row{}, err
		}
		if res.Key != "" {
			r.pages++
			r.records += int64(res.Records)
			r.bytes += res.Bytes
		}
		if res.Done {
			break
		}
		in.Position = res.Next
	}
	r.elapsed = time.Since(started)
	progress("  %s records in %.1f s (%.0f/s)", group(r.records), r.elapsed.Seconds(), r.recordsPerSec())
	return r, nil
}
