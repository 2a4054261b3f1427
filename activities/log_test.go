package activities

import (
	"bytes"
	"context"
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
