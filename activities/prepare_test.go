package activities

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/registry"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
	"github.com/pagewise/pagewise/internal/table"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// sandboxRegistry is the worker's real registry pointed at a sandbox, with every token
// set except those named in missing.
func sandboxRegistry(t *testing.T, missing ...string) registry.Registry {
	t.Helper()
	srv := httptest.NewServer(sandbox.New(sandbox.Options{Records: 10}))
	t.Cleanup(srv.Close)
	var cfg registry.Config
	cfg.Clio.BaseURL, cfg.Clio.Token = srv.URL, sandbox.DefaultToken("clio")
	cfg.Attio.BaseURL, cfg.Attio.Token = srv.URL, sandbox.DefaultToken("attio")
	cfg.Close.BaseURL, cfg.Close.Token = srv.URL, sandbox.DefaultToken("close")
	cfg.Clever.BaseURL, cfg.Clever.Token = srv.URL, sandbox.DefaultToken("clever")
	for _, m := range missing {
		switch m {
		case "clio":
			cfg.Clio.Token = ""
		case "attio":
			cfg.Attio.Token = ""
		case "close":
			cfg.Close.Token = ""
		case "clever":
			cfg.Clever.Token = ""
		}
	}
	return registry.New(cfg, srv.Client())
}

// unreachableS3 is a real S3 store whose endpoint refuses connections (a closed port) or
// accepts them and never answers (a black hole).
func unreachableS3(t *testing.T, blackHole bool) *storage.S3 {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "test-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if blackHole {
		// The kernel completes connections into the backlog; nobody ever reads them.
		t.Cleanup(func() { _ = ln.Close() })
	} else {
		_ = ln.Close()
	}
	s, err := storage.NewS3(context.Background(), storage.Config{Endpoint: "http://" + addr, Region: "us-east-1", Bucket: "exports", PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPrepareRejectsBadInput: every input that can never succeed fails Prepare with a
// non-retryable InvalidInput error whose message names the field and what is allowed.
func TestPrepareRejectsBadInput(t *testing.T) {
	export := func(prov, resource string, edit func(*Export)) Export {
		e := Export{ID: "bad-input", Provider: prov, Prefix: prov + "/" + resource, Spec: provider.Spec{Resource: resource}}
		if edit != nil {
			edit(&e)
		}
		return e
	}
	cases := []struct {
		name    string
		export  Export
		missing string // provider whose token the worker lacks
		store   func(t *testing.T) storage.Store
		want    []string // every one must appear in the message
	}{
		{name: "unknown provider", export: export("hubspot", "contacts", nil),
			want: []string{"provider", `"hubspot"`, "allowed: attio, clever, clio, close"}},
		{name: "unknown resource", export: export("clio", "invoices", nil),
			want: []string{"resource", `"invoices"`, "allowed:", "contacts", "matters"}},
		{name: "unknown strategy", export: export("clio", "contacts", func(e *Export) { e.Spec.Strategy = "window" }),
			want: []string{"strategy", `"window"`, "allowed: cursor, offset"}},
		{name: "page size over the maximum", export: export("clio", "contacts", func(e *Export) { e.Spec.PageSize = 201 }),
			want: []string{"page_size", "201", "maximum is 200"}},
		{name: "page size over the resource's maximum", export: export("close", "lead", func(e *Export) { e.Spec.PageSize = 500 }),
			want: []string{"page_size", "500", "maximum for lead is 200"}},
		{name: "negative page size", export: export("attio", "people", func(e *Export) { e.Spec.PageSize = -1 }),
			want: []string{"page_size", "-1", "maximum for people is 500"}},
		{name: "missing clio token", export: export("clio", "contacts", nil), missing: "clio",
			want: []string{"CLIO_TOKEN", "not set"}},
		{name: "missing close key", export: export("close", "lead", nil), missing: "close",
			want: []string{"CLOSE_API_KEY", "not set"}},
		{name: "missing attio token", export: export("attio", "people", nil), missing: "attio",
			want: []string{"ATTIO_TOKEN", "not set"}},
		{name: "missing clever token", export: export("clever", "users", nil), missing: "clever",
			want: []string{"CLEVER_TOKEN", "not set"}},
		{name: "reserved filter", export: export("clio", "contacts", func(e *Export) { e.Spec.Filters = map[string]string{"limit": "5"} }),
			want: []string{"filters", `"limit"`, "not a parameter GET /api/v4/contacts.json documents", "https://docs.developers.clio.com", "allowed:", "updated_since"}},
		{name: "reserved close filter", export: export("close", "lead", func(e *Export) { e.Spec.Filters = map[string]string{"_skip": "5"} }),
			want: []string{"filters", `"_skip"`, "allowed: date_created__gte, date_created__lt"}},
		{name: "filter a resource does not take", export: export("clever", "schools", func(e *Export) { e.Spec.Filters = map[string]string{"role": "student"} }),
			want: []string{"filters", `"role"`, "allowed: none"}},
		{name: "query that is not JSON", export: export("close", "search", func(e *Export) { e.Spec.Query = json.RawMessage(`{"type": and`) }),
			want: []string{"query", "must be a JSON object"}},
		{name: "query that is not an object", export: export("attio", "people", func(e *Export) { e.Spec.Query = json.RawMessage(`["name"]`) }),
			want: []string{"query", "must be a JSON object"}},
		{name: "query where none is taken", export: export("clio", "contacts", func(e *Export) { e.Spec.Query = json.RawMessage(`{}`) }),
			want: []string{"query", "use filters"}},
		{name: "export id with a slash", export: export("clio", "contacts", func(e *Export) { e.ID = "../other" }),
			want: []string{"export_id", `"../other"`, "letters, digits, '.', '_', '=' or '-'"}},
		{name: "empty export id", export: export("clio", "contacts", func(e *Export) { e.ID = "" }),
			want: []string{"export_id", `""`, "letters, digits"}},
		{name: "prefix with an empty segment", export: export("clio", "contacts", func(e *Export) { e.Prefix = "a//b" }),
			want: []string{"prefix", `"a//b"`, "'/'-separated segments"}},
		{name: "prefix climbing out", export: export("clio", "contacts", func(e *Export) { e.Prefix = "../x" }),
			want: []string{"prefix", `"../x"`, "'/'-separated segments"}},
		{name: "bucket refusing connections", export: export("clio", "contacts", nil),
			store: func(t *testing.T) storage.Store { return unreachableS3(t, false) },
			want:  []string{"storage unreachable", "exports", "PAGEWISE_S3_ENDPOINT", "PAGEWISE_S3_BUCKET"}},
		// Prepare's own bound ends the probe (here shortened from 15 s), not the SDK's
		// 2-minute HTTP timeout on each of its 3 attempts, which outlasts Prepare's
		// start-to-close timeout and turns a bad endpoint into 10 timed-out attempts.
		{name: "bucket never answering", export: export("clio", "contacts", nil),
			store: func(t *testing.T) storage.Store {
				old := storageCheckTimeout
				storageCheckTimeout = 300 * time.Millisecond
				t.Cleanup(func() { storageCheckTimeout = old })
				return unreachableS3(t, true)
			},
			want: []string{"storage unreachable", "exports", "context deadline exceeded", "PAGEWISE_S3_ENDPOINT", "PAGEWISE_S3_BUCKET"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var store storage.Store = storagetest.NewMemory()
			if c.store != nil {
				store = c.store(t)
			}
			a := &Activities{Providers: sandboxRegistry(t, c.missing), Store: store}
			started := time.Now()
			_, err := a.Prepare(context.Background(), PrepareInput{Export: c.export, Fresh: true})
			t.Logf("%v after %v", err, time.Since(started).Round(time.Millisecond))
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) {
				t.Fatalf("got %v (%T), want a *temporal.ApplicationError", err, err)
			}
			if appErr.Type() != ErrInvalidInput || !appErr.NonRetryable() {
				t.Fatalf("type %q, non-retryable %v; want %s, non-retryable", appErr.Type(), appErr.NonRetryable(), ErrInvalidInput)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message does not say %q: %s", w, err)
				}
			}
		})
	}
}

// TestPrepareAcceptsGoodInput keeps the table above honest: the same inputs, corrected,
// pass, so each rejection is the field's doing.
func TestPrepareAcceptsGoodInput(t *testing.T) {
	a := &Activities{Providers: sandboxRegistry(t), Store: storagetest.NewMemory()}
	for _, e := range []Export{
		{ID: "ok", Provider: "clio", Prefix: "clio/contacts", Spec: provider.Spec{Resource: "contacts", PageSize: 200, Filters: map[string]string{"type": "Person"}}},
		{ID: "ok", Provider: "close", Prefix: "a/b", Spec: provider.Spec{Resource: "search", Query: json.RawMessage(`{"type": "and", "queries": []}`)}},
		{ID: "ok", Provider: "attio", Prefix: "attio/people", Spec: provider.Spec{Resource: "people", PageSize: 500}},
		{ID: "ok", Provider: "clever", Prefix: "clever/users", Spec: provider.Spec{Resource: "users", Filters: map[string]string{"role": "student"}}},
	} {
		if _, err := a.Prepare(context.Background(), PrepareInput{Export: e, Fresh: true}); err != nil {
			t.Errorf("%s/%s: %v", e.Provider, e.Spec.Resource, err)
		}
	}
}

// TestPrepareKeepsAVerifiedExportWithoutReplace: a fresh run of an id whose folder holds a
// manifest is refused, and the folder is left as it was; replace clears it.
func TestPrepareKeepsAVerifiedExportWithoutReplace(t *testing.T) {
	ctx := context.Background()
	store := storagetest.NewMemory()
	a := &Activities{Providers: sandboxRegistry(t), Store: store}
	e := Export{ID: "done", Provider: "clio", Prefix: "clio/contacts", Spec: provider.Spec{Resource: "contacts"}}
	if _, err := a.Prepare(ctx, PrepareInput{Export: e, Fresh: true, WorkflowID: "done"}); err != nil {
		t.Fatal(err)
	}
	page, manifest := PageKey("clio/contacts/done", 0, 1), "clio/contacts/done/"+manifestName
	for _, k := range []string{page, manifest} {
		if err := store.Put(ctx, k, []byte("kept"), "", nil); err != nil {
			t.Fatal(err)
		}
	}
	_, err := a.Prepare(ctx, PrepareInput{Export: e, Fresh: true, WorkflowID: "done"})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrInvalidInput || !strings.Contains(err.Error(), "already completed") ||
		!strings.Contains(err.Error(), "replace") {
		t.Fatalf("re-run without replace: %v; want InvalidInput naming replace", err)
	}
	for _, k := range []string{page, manifest} {
		if b, err := store.Get(ctx, k); err != nil || string(b) != "kept" {
			t.Fatalf("%s after the refused run: %q, %v", k, b, err)
		}
	}
	if _, err := a.Prepare(ctx, PrepareInput{Export: e, Fresh: true, WorkflowID: "done", Replace: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Head(ctx, manifest); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("replace left the old manifest: %v", err)
	}
}

// TestPrepareRefusesTableKeysS3WouldRefuse: a template whose keys would be over S3's
// 1,024 bytes fails at once, naming the fields to shorten.
func TestPrepareRefusesTableKeysS3WouldRefuse(t *testing.T) {
	e := Export{ID: strings.Repeat("e", 200), Provider: "clio", Prefix: strings.Repeat("p/", 200) + "x", Format: "parquet",
		Table: &table.Spec{Path: "{export_id}/{export_id}/{part}.parquet"}, Spec: provider.Spec{Resource: "contacts"}}
	err := checkTableKeys("base/"+e.Prefix+"/"+e.ID, e)
	if err == nil || !strings.Contains(err.Error(), "table keys would be up to") {
		t.Fatalf("got %v", err)
	}
	e.Table.Path = ""
	if err := checkTableKeys("base/x/"+e.ID, e); err != nil {
		t.Fatalf("a short key was refused: %v", err)
	}
}
