package metrics

import (
	"net/http"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
)

// PageBuckets bound one page's fetch and write, in seconds: a paced API call is often
// over a second, a slow one tens of seconds.
var PageBuckets = []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}

// RetryBuckets bound the delay a 429 asks for, in seconds.
var RetryBuckets = []float64{.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600}

// Exporter is the worker's metrics: pagewise's own and, through Temporal, the SDK's, in
// one registry. A nil *Exporter records nothing, so tests and tools can leave it out.
type Exporter struct {
	reg          *Registry
	pages        Counter
	records      Counter
	bytes        Counter
	responses    Counter
	rateLimited  Counter
	retryDelay   Histogram
	clamped      Counter
	pageDuration Histogram
	inFlight     Gauge
}

// NewExporter registers pagewise's metrics in a new registry.
func NewExporter() *Exporter {
	r := NewRegistry()
	pr := []string{"provider", "resource"}
	return &Exporter{
		reg:         r,
		pages:       r.Counter("pagewise_pages_total", "Page objects written to the bucket.", pr...),
		records:     r.Counter("pagewise_records_total", "Records written to the bucket.", pr...),
		bytes:       r.Counter("pagewise_bytes_written_total", "Bytes of page objects written (gzip'd).", pr...),
		responses:   r.Counter("pagewise_api_responses_total", "API responses by HTTP status; 0 means no response arrived.", "provider", "status"),
		rateLimited: r.Counter("pagewise_rate_limited_total", "Pages refused with 429 by the API.", pr...),
		retryDelay: r.Histogram("pagewise_retry_delay_seconds", "Delay a 429 asked for before the next request, when it named one.",
			RetryBuckets, pr...),
		clamped: r.Counter("pagewise_retry_delay_clamped_total",
			"Provider-asked delays cut to PAGEWISE_MAX_RETRY_DELAY.", pr...),
		pageDuration: r.Histogram("pagewise_page_duration_seconds", "One page activity attempt: fetch, encode and write.",
			PageBuckets, "provider", "resource", "outcome"),
		inFlight: r.Gauge("pagewise_pages_in_flight", "Page activities running now; one per partition being paged.", pr...),
	}
}

// Registry is where the metrics live, for tests and extra metrics.
func (e *Exporter) Registry() *Registry {
	if e == nil {
		return nil
	}
	return e.reg
}

// ServeHTTP serves /metrics.
func (e *Exporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e == nil {
		http.NotFound(w, r)
		return
	}
	e.reg.ServeHTTP(w, r)
}

// Temporal is the handler for client.Options.MetricsHandler.
func (e *Exporter) Temporal() client.MetricsHandler {
	if e == nil {
		return client.MetricsNopHandler
	}
	return e.reg.TemporalHandler()
}

// PageStarted counts a page in flight; the returned func ends it, recording its
// duration under outcome "ok" or "error".
func (e *Exporter) PageStarted(provider, resource string) (done func(err error)) {
	if e == nil {
		return func(error) {}
	}
	start := time.Now()
	e.inFlight.Add(1, provider, resource)
	return func(err error) {
		e.inFlight.Add(-1, provider, resource)
		outcome := "ok"
		if err != nil {
			outcome = "error"
		}
		e.pageDuration.Observe(time.Since(start).Seconds(), provider, resource, outcome)
	}
}

// PageWritten counts one page object written.
func (e *Exporter) PageWritten(provider, resource string, records int, bytes int64) {
	if e == nil {
		return
	}
	e.pages.Add(1, provider, resource)
	e.records.Add(float64(records), provider, resource)
	e.bytes.Add(float64(bytes), provider, resource)
}

// RateLimited counts a 429 and the delay it asked for (zero when it named none).
func (e *Exporter) RateLimited(provider, resource string, delay time.Duration) {
	if e == nil {
		return
	}
	e.rateLimited.Add(1, provider, resource)
	if delay > 0 {
		e.retryDelay.Observe(delay.Seconds(), provider, resource)
	}
}

// DelayClamped counts a provider-asked delay cut to the configured maximum.
func (e *Exporter) DelayClamped(provider, resource string) {
	if e == nil {
		return
	}
	e.clamped.Add(1, provider, resource)
}

// Response counts one API response; it fits provider.Observer.
func (e *Exporter) Response(provider string, status int) {
	if e == nil {
		return
	}
	e.responses.Add(1, provider, strconv.Itoa(status))
}
