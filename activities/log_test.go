package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// TestErrorLogsNameTheExport: a failed page logs one JSON line at error level (the API
// refused for good) with the export, provider and resource, and never the token.
func TestErrorLogsNameTheExport(t *testing.T) {
	const token = "sk_live_never_in_logs"
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"invalid token"}`)
	}))
	defer api.Close()
	var buf bytes.Buffer
	a := &Activities{
		Providers: oneProvider{apiConnector{api.URL + "/?key=" + token, api.Client(), token}},
		Store:     storagetest.NewMemory(),
		Log:       slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	claimed(t, a, "b", "")
	in := PageInput{Resolved: Resolved{ExportID: "e9", Provider: "fake", Plan: provider.Plan{Spec: provider.Spec{Resource: "things"}}, Base: "b"}, Seq: 1}
	if _, err := a.FetchPage(context.Background(), in); err == nil {
		t.Fatal("401 succeeded")
	}
	line := buf.String()
	for _, want := range []string{`"level":"ERROR"`, `"msg":"page failed"`, `"export_id":"e9"`, `"provider":"fake"`, `"resource":"things"`, `HTTP 401`} {
		if !strings.Contains(line, want) {
			t.Errorf("log misses %s: %s", want, line)
		}
	}
	if strings.Contains(line, token) || strings.Count(line, "\n") != 1 {
		t.Errorf("want one line without the token: %s", line)
	}
}

// limitConnector answers one page whose next position asks for a smaller limit, as Attio's
// connector does after a query over the per-query score.
type limitConnector struct{ apiConnector }

func (limitConnector) Fetch(_ context.Context, req provider.Request) (provider.Page, error) {
	rec := fmt.Sprintf(`{"id":%d,"secret":"record-data-never-logged"}`, req.Position.Offset)
	return provider.Page{Records: []json.RawMessage{json.RawMessage(rec)},
		Next: provider.Position{Offset: req.Position.Offset + 62, Limit: 62}, Total: -1}, nil
}

// TestSmallerLimitIsLogged: a partition that goes on with smaller pages says so once, with
// the sizes and where, and no record data.
func TestSmallerLimitIsLogged(t *testing.T) {
	var buf bytes.Buffer
	a := &Activities{
		Providers: oneProvider{limitConnector{}},
		Store:     storagetest.NewMemory(),
		Log:       slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	claimed(t, a, "b", "")
	in := PageInput{Resolved: Resolved{ExportID: "e9", Provider: "fake", Plan: provider.Plan{Spec: provider.Spec{Resource: "things", PageSize: 500}}, Base: "b"}, Seq: 1}
	res, err := a.FetchPage(context.Background(), in)
	if err != nil || res.Next.Limit != 62 {
		t.Fatalf("page: %+v, %v", res, err)
	}
	line := buf.String()
	for _, want := range []string{`"level":"WARN"`, `too costly`, `"export_id":"e9"`, `"page_size":500`, `"limit":62`, `"seq":1`} {
		if !strings.Contains(line, want) {
			t.Errorf("log misses %s: %s", want, line)
		}
	}
	if strings.Contains(line, "record-data") {
		t.Errorf("log holds record data: %s", line)
	}
	// The next page, already at the smaller limit, logs nothing more.
	buf.Reset()
	in.Seq, in.Position = 2, res.Next
	if _, err := a.FetchPage(context.Background(), in); err != nil || buf.Len() != 0 {
		t.Fatalf("second page: %v, log %q", err, buf.String())
	}
}
