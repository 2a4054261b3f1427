package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestObservabilityOfAWorker runs one export on a real worker process and reads what it
// exposes: /metrics counts exactly the records and pages the export wrote, carries the
// Temporal SDK's metrics and the Go and process collectors; and, with
// OTEL_EXPORTER_OTLP_ENDPOINT set, its spans reach an OTLP/HTTP collector by the time it
// has stopped.
func TestObservabilityOfAWorker(t *testing.T) {
	_, url := serveSandbox(t, sandbox.Options{Records: 1500, Seed: 16})
	collector := &otlpCollector{}
	otlp := httptest.NewServer(collector)
	defer otlp.Close()
	queue := "e2e-observability"
	w := startWorker(t, workerEnv(queue, url, "OTEL_EXPORTER_OTLP_ENDPOINT="+otlp.URL))
	addr := endpointAddr(t, w)

	in := workflows.ExportInput{ExportID: "observability", Provider: "clio", Resource: "contacts", PageSize: 100}
	res, err := runExport(t, queue, in, 3*time.Minute)
	if err != nil {
		t.Fatalf("export failed: %v\n%s", err, tail(w.output(), 30))
	}
	fams := scrapeMetrics(t, "http://"+addr+"/metrics")
	labels := map[string]string{"provider": "clio", "resource": "contacts"}
	if got := sumOf(fams, "pagewise_records_total", labels); got != float64(res.Records) || res.Records != 1500 {
		t.Errorf("pagewise_records_total %v, the export wrote %d records (of 1500)", got, res.Records)
	}
	if got := sumOf(fams, "pagewise_pages_total", labels); got != float64(res.Pages) {
		t.Errorf("pagewise_pages_total %v, the export wrote %d pages", got, res.Pages)
	}
	// Every workflow task is timed, so an export leaves this histogram behind.
	if h := fams["temporal_workflow_task_execution_latency_seconds"]; h.GetType() != dto.MetricType_HISTOGRAM {
		t.Errorf("no temporal_workflow_task_execution_latency_seconds histogram (type %v)", h.GetType())
	}
	wantPrefix(t, fams, "temporal_", dto.MetricType_COUNTER, "_total")
	wantPrefix(t, fams, "go_", dto.MetricType_GAUGE, "")
	wantPrefix(t, fams, "process_", dto.MetricType_GAUGE, "")

	w.stop() // flushes the spans still batched
	for _, want := range []string{"pagewise-worker", "RunWorkflow:Export", "RunActivity:"} {
		if !collector.saw(want) {
			t.Errorf("the OTLP collector received no span data naming %q (%d requests)", want, collector.requests())
		}
	}
}

// endpointAddr is the address the worker logged for its HTTP endpoint (port 0 picks one).
func endpointAddr(t *testing.T, w *workerProc) string {
	t.Helper()
	var addr string
	eventually(t, time.Minute, "the worker's HTTP endpoint", func() bool {
		sc := bufio.NewScanner(strings.NewReader(w.output()))
		for sc.Scan() {
			var l struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "HTTP endpoint listening" {
				addr = l.Addr
				return true
			}
		}
		return false
	})
	return addr
}

// scrapeMetrics parses /metrics with Prometheus's own text parser.
func scrapeMetrics(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d\n%s", resp.StatusCode, body)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics is not the Prometheus text format: %v", err)
	}
	return fams
}

// sumOf adds the counter series of a family that carry these labels.
func sumOf(fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	var sum float64
	for _, m := range series(fams, name, labels) {
		sum += m.GetCounter().GetValue()
	}
	return sum
}

// series are the family's series that carry these labels.
func series(fams map[string]*dto.MetricFamily, name string, labels map[string]string) []*dto.Metric {
	var out []*dto.Metric
	for _, m := range fams[name].GetMetric() {
		match := 0
		for _, l := range m.GetLabel() {
			if labels[l.GetName()] == l.GetValue() {
				match++
			}
		}
		if match == len(labels) {
			out = append(out, m)
		}
	}
	return out
}

// wantPrefix fails unless some family has the prefix, the type and the suffix.
func wantPrefix(t *testing.T, fams map[string]*dto.MetricFamily, prefix string, typ dto.MetricType, suffix string) {
	t.Helper()
	for name, f := range fams {
		if strings.HasPrefix(name, prefix) && strings.HasSuffix(name, suffix) && f.GetType() == typ && len(f.GetMetric()) > 0 {
			return
		}
	}
	t.Errorf("/metrics has no %s*%s %v", prefix, suffix, typ)
}

// otlpCollector keeps the bodies of OTLP/HTTP trace exports. Protobuf carries strings
// as they are, so span and service names can be found in the raw bytes.
type otlpCollector struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (c *otlpCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path == "/v1/traces" {
		c.mu.Lock()
		c.bodies = append(c.bodies, body)
		c.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
}

func (c *otlpCollector) saw(s string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range c.bodies {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

func (c *otlpCollector) requests() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.bodies)
}
