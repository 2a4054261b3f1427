package tracing

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.temporal.io/sdk/interceptor"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// fetchPage stands in for the page activity: it reports its page as the lead's will.
func fetchPage(ctx context.Context, records int) (int, error) {
	end := PageSpan(ctx)
	var err error
	if records < 0 {
		err = temporal.NewNonRetryableApplicationError("page refused", "Test", nil)
	}
	end("close", "lead", records, err)
	return records, err
}

// pages runs one page as an activity and one as a local activity, as parallel and
// serial exports do, then a page that fails.
func pages(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	if err := workflow.ExecuteActivity(ctx, fetchPage, 100).Get(ctx, nil); err != nil {
		return err
	}
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: time.Minute})
	if err := workflow.ExecuteLocalActivity(lctx, fetchPage, 7).Get(ctx, nil); err != nil {
		return err
	}
	_ = workflow.ExecuteActivity(ctx, fetchPage, -1).Get(ctx, nil)
	return nil
}

func TestSpansOfWorkflowAndPages(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	ic, err := Interceptor(tp)
	if err != nil {
		t.Fatal(err)
	}
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(discard()))
	env := suite.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{ic}})
	env.RegisterWorkflow(pages)
	env.RegisterActivity(fetchPage)
	env.ExecuteWorkflow(pages)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}

	byName := map[string][]sdktrace.ReadOnlySpan{}
	for _, s := range spans.GetSpans().Snapshots() {
		byName[s.Name()] = append(byName[s.Name()], s)
	}
	if len(byName["RunWorkflow:pages"]) != 1 || len(byName["StartActivity:fetchPage"]) != 3 {
		t.Fatalf("want one workflow span and three activity starts, got %v", names(byName))
	}
	runs := byName["RunActivity:fetchPage"]
	if len(runs) != 3 {
		t.Fatalf("want a RunActivity span for each page, local one included, got %v", names(byName))
	}
	trace := byName["RunWorkflow:pages"][0].SpanContext().TraceID()
	var records []int64
	for _, s := range runs {
		if s.SpanContext().TraceID() != trace {
			t.Errorf("page span in trace %s, the workflow's is %s", s.SpanContext().TraceID(), trace)
		}
		a := attrs(s.Attributes())
		if a[AttrProvider].AsString() != "close" || a[AttrResource].AsString() != "lead" {
			t.Errorf("span %s attributes %v", s.Name(), s.Attributes())
		}
		want := "ok"
		if a[AttrRecords].AsInt64() < 0 {
			want = "error"
		}
		if got := a[AttrStatus].AsString(); got != want {
			t.Errorf("%d records: status %q, want %q", a[AttrRecords].AsInt64(), got, want)
		}
		records = append(records, a[AttrRecords].AsInt64())
	}
	if !sameSet(records, []int64{100, 7, -1}) {
		t.Errorf("records on the page spans %v, want 100, 7 and -1", records)
	}
}

func TestPageSpanWithoutTracing(t *testing.T) {
	PageSpan(context.Background())("close", "lead", 1, errors.New("x")) // no span: nothing, no panic
}

func TestSetupIsOffWithoutAnEndpoint(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	ics, shutdown, err := Setup(t.Context(), "test", discard())
	if err != nil || ics != nil || shutdown(t.Context()) != nil {
		t.Fatalf("tracing on without an endpoint: %v %v", ics, err)
	}
}

func TestSetupRefusesAnUnknownProtocol(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
	if _, _, err := Setup(t.Context(), "test", discard()); err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_PROTOCOL") {
		t.Fatalf("err = %v", err)
	}
}

// TestSetupSendsOverOTLPHTTP: with only the endpoint set, spans go out as OTLP/HTTP
// (the spec's default protocol) to /v1/traces; shutdown flushes them.
func TestSetupSendsOverOTLPHTTP(t *testing.T) {
	var got atomic.Int32
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/v1/traces" && r.Header.Get("Content-Type") == "application/x-protobuf" && strings.Contains(string(body), "pagewise-test") {
			got.Add(1)
		}
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "")
	ics, shutdown, err := Setup(t.Context(), "pagewise-test", discard())
	if err != nil || len(ics) != 1 {
		t.Fatalf("%v %v", ics, err)
	}
	_, span := otel.Tracer("t").Start(t.Context(), "one")
	span.End()
	if err := shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got.Load() == 0 {
		t.Fatal("the collector received no span naming the service")
	}
}

func names(m map[string][]sdktrace.ReadOnlySpan) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		out[k] = len(v)
	}
	return out
}

func attrs(kvs []attribute.KeyValue) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}

func sameSet(a, b []int64) bool {
	seen := map[int64]int{}
	for _, v := range a {
		seen[v]++
	}
	for _, v := range b {
		seen[v]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
