// Package metrics is the worker's Prometheus registry: pagewise's own metrics through
// client_golang, the Temporal SDK's through its OpenTelemetry handler, and the Go runtime
// and process collectors, all served on one /metrics.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"
)

// PageBuckets bound one page's fetch and write, in seconds: a paced API call is often
// over a second, a slow one tens of seconds.
var PageBuckets = []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}

// RetryBuckets bound the delay a 429 asks for, in seconds.
var RetryBuckets = []float64{.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600}

// Exporter is the worker's metrics. A nil *Exporter records nothing, so tests and tools
// can leave it out.
type Exporter struct {
	reg      *prometheus.Registry
	handler  http.Handler
	temporal client.MetricsHandler

	pages, records, bytes *prometheus.CounterVec
	responses             *prometheus.CounterVec
	rateLimited, clamped  *prometheus.CounterVec
	retryDelay            *prometheus.HistogramVec
	pageDuration          *prometheus.HistogramVec
	inFlight, credWait    *prometheus.GaugeVec

	mu       sync.Mutex
	admitted map[[2]string]bool // provider and resource pairs that may be labels
}

// OtherResource is the resource label of a resource the API has not yet served on this
// worker, and of any past MaxResourceLabels: resource names are the input's, and a label
// for each made-up one would grow the series without bound. No resource can be called so.
const OtherResource = "_other"

// MaxResourceLabels bounds the resources a worker labels by name.
const MaxResourceLabels = 1_000

// Admit lets resource be a label from now on: call it once the API has served a page of it.
func (e *Exporter) Admit(provider, resource string) {
	if e == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.admitted == nil {
		e.admitted = map[[2]string]bool{}
	}
	if len(e.admitted) < MaxResourceLabels {
		e.admitted[[2]string{provider, resource}] = true
	}
}

// resource is resource's label: its name once admitted, else OtherResource.
func (e *Exporter) resource(provider, resource string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.admitted[[2]string{provider, resource}] {
		return resource
	}
	return OtherResource
}

// NewExporter registers every metric in a new registry of its own, so two exporters in
// one process (tests) never clash.
func NewExporter() *Exporter {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := factory{reg}
	e := &Exporter{
		reg:         reg,
		pages:       f.counter("pagewise_pages_total", "Page objects written to the bucket."),
		records:     f.counter("pagewise_records_total", "Records written to the bucket."),
		bytes:       f.counter("pagewise_bytes_written_total", "Bytes of page objects written (gzip'd)."),
		responses:   f.counter("pagewise_api_responses_total", "API responses by HTTP status; 0 means no response arrived.", "provider", "status"),
		rateLimited: f.counter("pagewise_rate_limited_total", "Pages refused with 429 by the API."),
		clamped:     f.counter("pagewise_retry_delay_clamped_total", "Provider-asked delays cut to PAGEWISE_MAX_RETRY_DELAY."),
		retryDelay: f.histogram("pagewise_retry_delay_seconds", "Delay a 429 asked for before the next request, when it named one.",
			RetryBuckets, "provider", "resource"),
		pageDuration: f.histogram("pagewise_page_duration_seconds", "One page activity attempt: fetch, encode and write.",
			PageBuckets, "provider", "resource", "outcome"),
		inFlight: f.gauge("pagewise_pages_in_flight", "Page activities running now; one per partition being paged."),
		credWait: f.gauge("pagewise_waiting_for_credentials", "1 while an export of this provider and resource holds for a credential."),
	}
	e.temporal = newTemporalHandler(reg)
	// A collector that fails (the SDK's bridge, say) costs its own metrics, not the scrape.
	e.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return e
}

// Registry is where the metrics live, for tests and extra metrics.
func (e *Exporter) Registry() *prometheus.Registry {
	if e == nil {
		return nil
	}
	return e.reg
}

// ServeHTTP serves /metrics in the Prometheus text format.
func (e *Exporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e == nil {
		http.NotFound(w, r)
		return
	}
	e.handler.ServeHTTP(w, r)
}

// Temporal is the handler for client.Options.MetricsHandler.
func (e *Exporter) Temporal() client.MetricsHandler {
	if e == nil {
		return client.MetricsNopHandler
	}
	return e.temporal
}

// PageStarted counts a page in flight; the returned func ends it, recording its
// duration under outcome "ok" or "error". Like every resource label here, resource is
// OtherResource until admitted.
func (e *Exporter) PageStarted(provider, resource string) (done func(err error)) {
	if e == nil {
		return func(error) {}
	}
	start := time.Now()
	g := e.inFlight.WithLabelValues(provider, e.resource(provider, resource))
	g.Inc()
	return func(err error) {
		g.Dec()
		outcome := "ok"
		if err != nil {
			outcome = "error"
		}
		e.pageDuration.WithLabelValues(provider, e.resource(provider, resource), outcome).Observe(time.Since(start).Seconds())
	}
}

// PageWritten counts one page object written.
func (e *Exporter) PageWritten(provider, resource string, records int, bytes int64) {
	if e == nil {
		return
	}
	resource = e.resource(provider, resource)
	e.pages.WithLabelValues(provider, resource).Inc()
	e.records.WithLabelValues(provider, resource).Add(float64(records))
	e.bytes.WithLabelValues(provider, resource).Add(float64(bytes))
}

// RateLimited counts a 429 and the delay it asked for (zero when it named none).
func (e *Exporter) RateLimited(provider, resource string, delay time.Duration) {
	if e == nil {
		return
	}
	resource = e.resource(provider, resource)
	e.rateLimited.WithLabelValues(provider, resource).Inc()
	if delay > 0 {
		e.retryDelay.WithLabelValues(provider, resource).Observe(delay.Seconds())
	}
}

// DelayClamped counts a provider-asked delay cut to the configured maximum.
func (e *Exporter) DelayClamped(provider, resource string) {
	if e == nil {
		return
	}
	e.clamped.WithLabelValues(provider, e.resource(provider, resource)).Inc()
}

// Response counts one API response; it fits provider.Observer.
func (e *Exporter) Response(provider string, status int) {
	if e == nil {
		return
	}
	e.responses.WithLabelValues(provider, strconv.Itoa(status)).Inc()
}

// CredentialWait sets pagewise_waiting_for_credentials for this provider and resource:
// 1 while an export holds for a credential, 0 once it goes on. The last call wins, so
// repeating it on every attempt is harmless.
func (e *Exporter) CredentialWait(provider, resource string, waiting bool) {
	if e == nil {
		return
	}
	v := 0.0
	if waiting {
		v = 1
	}
	e.credWait.WithLabelValues(provider, e.resource(provider, resource)).Set(v)
}

// factory registers vectors; the labels default to provider and resource.
type factory struct{ reg prometheus.Registerer }

func labelsOr(labels []string) []string {
	if len(labels) == 0 {
		return []string{"provider", "resource"}
	}
	return labels
}

func (f factory) counter(name, help string, labels ...string) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labelsOr(labels))
	f.reg.MustRegister(v)
	return v
}

func (f factory) gauge(name, help string, labels ...string) *prometheus.GaugeVec {
	v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labelsOr(labels))
	f.reg.MustRegister(v)
	return v
}

func (f factory) histogram(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labelsOr(labels))
	f.reg.MustRegister(v)
	return v
}
