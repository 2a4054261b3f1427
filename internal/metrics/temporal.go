package metrics

import (
	"strings"
	"time"

	"go.temporal.io/sdk/client"
)

// TimerBuckets are the histogram bounds, in seconds, of the SDK's timers: from a fast
// poll to a long schedule-to-start wait.
var TimerBuckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900}

// TemporalHandler adapts the registry to the SDK's client.Options.MetricsHandler. Names
// follow Prometheus conventions: counters end in _total, timers become histograms in
// seconds named *_seconds (temporal_request becomes temporal_request_total).
func (r *Registry) TemporalHandler() client.MetricsHandler {
	return sdkHandler{r: r}
}

type sdkHandler struct {
	r    *Registry
	tags []labelPair
}

var _ client.MetricsHandler = sdkHandler{}

// WithTags returns a handler whose metrics carry these tags too; a repeated key takes
// the new value.
func (h sdkHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := make(map[string]string, len(h.tags)+len(tags))
	for _, l := range h.tags {
		merged[l.name] = l.value
	}
	for k, v := range tags {
		merged[sdkLabel(k)] = v
	}
	out := sdkHandler{r: h.r, tags: make([]labelPair, 0, len(merged))}
	for k, v := range merged {
		out.tags = append(out.tags, labelPair{k, v})
	}
	return out
}

// Counter resolves its series once, so Inc on the SDK's hot paths takes one lock.
func (h sdkHandler) Counter(name string) client.MetricsCounter {
	f, ok := h.r.family(withSuffix(SanitizeName(name), "_total"), "Temporal SDK metric "+name+".", counterKind, nil, nil)
	if !ok {
		return client.MetricsNopHandler.Counter(name)
	}
	s := f.with(h.labels())
	return counterFunc(func(d int64) {
		if d > 0 {
			s.add(float64(d))
		}
	})
}

// Gauge is a gauge with the SDK's name.
func (h sdkHandler) Gauge(name string) client.MetricsGauge {
	f, ok := h.r.family(SanitizeName(name), "Temporal SDK metric "+name+".", gaugeKind, nil, nil)
	if !ok {
		return client.MetricsNopHandler.Gauge(name)
	}
	s := f.with(h.labels())
	return gaugeFunc(s.set)
}

// Timer is a histogram in seconds.
func (h sdkHandler) Timer(name string) client.MetricsTimer {
	f, ok := h.r.family(withSuffix(SanitizeName(name), "_seconds"), "Temporal SDK timer "+name+", in seconds.", histogramKind, TimerBuckets, nil)
	if !ok {
		return client.MetricsNopHandler.Timer(name)
	}
	s := f.with(h.labels())
	return timerFunc(func(d time.Duration) { s.observe(f.buckets, d.Seconds()) })
}

func (h sdkHandler) labels() []labelPair {
	return append([]labelPair(nil), h.tags...)
}

func sdkLabel(k string) string {
	k = SanitizeLabel(k)
	if k == "le" { // reserved for histogram buckets
		return "le_"
	}
	return k
}

func withSuffix(name, suffix string) string {
	if strings.HasSuffix(name, suffix) {
		return name
	}
	return name + suffix
}

type counterFunc func(int64)

func (f counterFunc) Inc(d int64) { f(d) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }
