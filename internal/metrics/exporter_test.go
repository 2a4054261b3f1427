package metrics

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func scrape(t *testing.T, e *Exporter) string {
	t.Helper()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics answered %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	return rec.Body.String()
}

func wantLines(t *testing.T, body string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(body, "\n"+l+"\n") {
			t.Errorf("/metrics misses line %q", l)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}
}

// TestPagewiseMetrics: every documented pagewise_ metric, by the README's names and labels.
func TestPagewiseMetrics(t *testing.T) {
	e := NewExporter()
	e.Admit("close", "lead")
	e.Admit("clio", "contacts")
	e.Admit("clio", "matters")
	done := e.PageStarted("close", "lead")
	e.PageWritten("close", "lead", 100, 2048)
	done(nil)
	e.PageStarted("close", "lead")(errors.New("boom"))
	e.RateLimited("close", "lead", 7*time.Second)
	e.RateLimited("close", "lead", 0) // named no delay: counted, not observed
	e.DelayClamped("close", "lead")
	e.Response("close", 429)
	e.CredentialWait("clio", "contacts", true)
	e.CredentialWait("clio", "matters", true)
	e.CredentialWait("clio", "matters", false)

	pr := `{provider="close",resource="lead"}`
	wantLines(t, scrape(t, e),
		"# TYPE pagewise_pages_total counter",
		"pagewise_pages_total"+pr+" 1",
		"pagewise_records_total"+pr+" 100",
		"pagewise_bytes_written_total"+pr+" 2048",
		`pagewise_api_responses_total{provider="close",status="429"} 1`,
		"pagewise_rate_limited_total"+pr+" 2",
		"pagewise_retry_delay_seconds_count"+pr+" 1",
		`pagewise_retry_delay_seconds_bucket{provider="close",resource="lead",le="10"} 1`,
		"pagewise_retry_delay_clamped_total"+pr+" 1",
		`pagewise_page_duration_seconds_count{outcome="ok",provider="close",resource="lead"} 1`,
		`pagewise_page_duration_seconds_count{outcome="error",provider="close",resource="lead"} 1`,
		"pagewise_pages_in_flight"+pr+" 0",
		"# TYPE pagewise_waiting_for_credentials gauge",
		`pagewise_waiting_for_credentials{provider="clio",resource="contacts"} 1`,
		`pagewise_waiting_for_credentials{provider="clio",resource="matters"} 0`,
	)
}

// TestTemporalMetricNames: the SDK's counters, gauges and timers reach Prometheus with
// the names the README documents, its tags as labels, and no OpenTelemetry scope labels.
func TestTemporalMetricNames(t *testing.T) {
	e := NewExporter()
	h := e.Temporal().WithTags(map[string]string{"namespace": "default", "task_queue": "q1"})
	h.Counter("temporal_request").Inc(2)
	h.WithTags(map[string]string{"operation": "Poll"}).Counter("temporal_request").Inc(1)
	h.Gauge("temporal_num_pollers").Update(4)
	h.Timer("temporal_activity_execution_latency").Record(1500 * time.Millisecond)
	h.Counter("temporal.odd-name").Inc(1)

	body := scrape(t, e)
	wantLines(t, body,
		"# TYPE temporal_request_total counter",
		`temporal_request_total{namespace="default",task_queue="q1"} 2`,
		`temporal_request_total{namespace="default",operation="Poll",task_queue="q1"} 1`,
		"# TYPE temporal_num_pollers gauge",
		`temporal_num_pollers{namespace="default",task_queue="q1"} 4`,
		"# TYPE temporal_activity_execution_latency_seconds histogram",
		`temporal_activity_execution_latency_seconds_bucket{namespace="default",task_queue="q1",le="1"} 0`,
		`temporal_activity_execution_latency_seconds_bucket{namespace="default",task_queue="q1",le="2.5"} 1`,
		`temporal_activity_execution_latency_seconds_sum{namespace="default",task_queue="q1"} 1.5`,
		`temporal_odd_name_total{namespace="default",task_queue="q1"} 1`,
	)
	for _, never := range []string{"otel_scope", "target_info"} {
		if strings.Contains(body, never) {
			t.Errorf("/metrics carries %s", never)
		}
	}
}

func TestRuntimeCollectors(t *testing.T) {
	body := scrape(t, NewExporter())
	for _, prefix := range []string{"\ngo_goroutines ", "\ngo_memstats_heap_alloc_bytes ", "\nprocess_resident_memory_bytes ", "\nprocess_cpu_seconds_total "} {
		if !strings.Contains(body, prefix) {
			t.Errorf("/metrics misses %s", strings.TrimSpace(prefix))
		}
	}
}

// TestTwoExporters: each has its own registry, as tests and tools create several.
func TestTwoExporters(t *testing.T) {
	a, b := NewExporter(), NewExporter()
	a.PageWritten("clio", "contacts", 3, 10)
	if strings.Contains(scrape(t, b), "pagewise_records_total") {
		t.Fatal("a page written to one exporter shows in another")
	}
}

func TestNilExporterRecordsNothing(t *testing.T) {
	var e *Exporter
	e.PageStarted("p", "r")(nil)
	e.PageWritten("p", "r", 1, 1)
	e.RateLimited("p", "r", time.Second)
	e.DelayClamped("p", "r")
	e.Response("p", 200)
	e.CredentialWait("p", "r", true)
	e.Temporal().Counter("c").Inc(1)
	if e.Registry() != nil {
		t.Fatal("nil exporter has a registry")
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 404 {
		t.Fatalf("nil exporter served /metrics: %d", rec.Code)
	}
}

// TestResourceLabelsAreBounded: a resource is a label only once admitted (the API served
// it), and at most MaxResourceLabels of them; everything else counts under OtherResource.
func TestResourceLabelsAreBounded(t *testing.T) {
	e := NewExporter()
	for i := range MaxResourceLabels + 200 {
		if i >= 200 {
			e.Admit("attio", fmt.Sprintf("object-%d", i))
		}
		e.PageStarted("attio", fmt.Sprintf("object-%d", i))(errors.New("404"))
		e.PageWritten("attio", fmt.Sprintf("object-%d", i), 1, 1)
	}
	body := scrape(t, e)
	series := strings.Count(body, "\npagewise_page_duration_seconds_count{")
	if series != MaxResourceLabels+1 {
		t.Fatalf("%d page duration series for %d resources, %d admitted; want %d and one %s",
			series, MaxResourceLabels+200, MaxResourceLabels, MaxResourceLabels, OtherResource)
	}
	wantLines(t, body,
		`pagewise_page_duration_seconds_count{outcome="error",provider="attio",resource="_other"} 200`,
		`pagewise_pages_total{provider="attio",resource="_other"} 200`,
		`pagewise_pages_in_flight{provider="attio",resource="_other"} 0`,
		`pagewise_pages_total{provider="attio",resource="object-200"} 1`)
}
