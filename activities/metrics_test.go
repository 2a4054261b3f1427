package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/pagewise/pagewise/internal/endpoint"
	"github.com/pagewise/pagewise/internal/metrics"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// apiConnector pages an httptest API through provider.Call, so the test covers the
// same response hook real connectors go through.
type apiConnector struct {
	url    string
	client *http.Client
	token  string
}

var fakeWire = provider.Wire{Provider: "fake", RetryAfter: func(resp *http.Response, _ []byte, _ time.Time) time.Duration {
	s, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	return time.Duration(s) * time.Second
}}

func (c apiConnector) Name() string { return "fake" }
func (c apiConnector) Validate(s provider.Spec) (provider.Plan, error) {
	return provider.Plan{Spec: s, MaxParallel: 1}, nil
}
func (c apiConnector) Start(provider.Plan) provider.Position { return provider.Position{} }
func (c apiConnector) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	r, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/%s?offset=%d", c.url, req.Plan.Resource, req.Position.Offset), nil)
	r.Header.Set("Authorization", "Bearer "+c.token)
	var out struct {
		Records []json.RawMessage `json:"records"`
		Next    int               `json:"next"`
	}
	if err := provider.Call(ctx, c.client, nil, fakeWire, req.Plan.Resource, r, &out); err != nil {
		return provider.Page{}, err
	}
	return provider.Page{Records: out.Records, Next: provider.Position{Offset: out.Next}, Done: out.Next == 0, Total: -1}, nil
}

type oneProvider struct{ c provider.Connector }

func (p oneProvider) Get(name, _ string) (provider.Connector, error) {
	if name != p.c.Name() {
		return nil, &provider.Error{Message: "invalid provider: " + name}
	}
	return p.c, nil
}

// TestMetricsAfterPages writes two pages, one of them after a 429, and reads the
// worker's /metrics endpoint. (The SDK's metrics on the same endpoint are tested in
// internal/endpoint: the test environment emits none.)
func TestMetricsAfterPages(t *testing.T) {
	var refused atomic.Bool
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("offset") {
		case "0":
			_, _ = io.WriteString(w, `{"records":[{"id":1},{"id":2},{"id":3}],"next":3}`)
		case "3":
			if refused.CompareAndSwap(false, true) {
				w.Header().Set("Retry-After", "7")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			_, _ = io.WriteString(w, `{"records":[{"id":4},{"id":5}],"next":0}`)
		}
	}))
	defer api.Close()

	exp := metrics.NewExporter()
	store := storagetest.NewMemory()
	a := &Activities{Providers: oneProvider{apiConnector{api.URL, api.Client(), "t0ken"}}, Store: store, Metrics: exp}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	claimed(t, a, "fake/things/e1", testWorkflowID)

	in := PageInput{Resolved: Resolved{ExportID: "e1", Provider: "fake", Plan: provider.Plan{Spec: provider.Spec{Resource: "things"}}, Base: "fake/things/e1"}, Partition: 0}
	fetch := func(seq, offset int) (PageResult, error) {
		in.Seq, in.Position = seq, provider.Position{Offset: offset}
		v, err := env.ExecuteActivity(a.FetchPage, in)
		if err != nil {
			return PageResult{}, err
		}
		var res PageResult
		return res, v.Get(&res)
	}
	first, err := fetch(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fetch(2, 3); err == nil || !strings.Contains(err.Error(), "rate limited") {
		t.Fatalf("want the 429, got %v", err)
	}
	second, err := fetch(2, 3)
	if err != nil || !second.Done {
		t.Fatalf("%+v %v", second, err)
	}
	if objs, _ := store.List(context.Background(), "fake/things/e1/data/"); len(objs) != 2 {
		t.Fatalf("stored %v", objs)
	}

	srv := httptest.NewServer(endpoint.Handler(exp, nil))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	body := string(raw)
	pr := `provider="fake",resource="things"`
	for _, want := range []string{
		`pagewise_pages_total{` + pr + `} 2`,
		`pagewise_records_total{` + pr + `} 5`,
		fmt.Sprintf(`pagewise_bytes_written_total{%s} %d`, pr, first.Bytes+second.Bytes),
		`pagewise_api_responses_total{provider="fake",status="200"} 2`,
		`pagewise_api_responses_total{provider="fake",status="429"} 1`,
		`pagewise_rate_limited_total{` + pr + `} 1`,
		`pagewise_retry_delay_seconds_sum{` + pr + `} 7`,
		`pagewise_retry_delay_seconds_bucket{` + pr + `,le="10"} 1`,
		`pagewise_page_duration_seconds_count{outcome="ok",` + pr + `} 2`,
		`pagewise_page_duration_seconds_count{outcome="error",` + pr + `} 1`,
		`pagewise_pages_in_flight{` + pr + `} 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics misses %q", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}
}
