// Package metrics is a small Prometheus registry: counters, gauges and histograms with
// labels, served in the text exposition format. It exists so the worker exposes its own
// and the Temporal SDK's metrics without pulling in a metrics client library.
package metrics

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

type kind int

const (
	counterKind kind = iota
	gaugeKind
	histogramKind
)

func (k kind) String() string {
	return [...]string{"counter", "gauge", "histogram"}[k]
}

// Registry holds metric families by name. The zero value is not usable; use NewRegistry.
type Registry struct {
	mu       sync.Mutex
	families map[string]*family
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{families: map[string]*family{}}
}

type family struct {
	name, help string
	kind       kind
	buckets    []float64 // upper bounds, ascending, without +Inf
	labelNames []string  // fixed names of a typed family; nil for the SDK's free-form tags

	mu     sync.Mutex
	series map[string]*series
}

type labelPair struct{ name, value string }

type series struct {
	labels []labelPair // sorted by name

	mu     sync.Mutex
	value  float64  // counter or gauge
	counts []uint64 // histogram: observations per bucket, not cumulative; last is +Inf
	sum    float64
	count  uint64
}

// family returns the family called name, creating it; ok is false when the name is
// already taken by a different kind or label set.
func (r *Registry) family(name, help string, k kind, buckets []float64, labelNames []string) (*family, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, found := r.families[name]; found {
		return f, f.kind == k && slices.Equal(f.labelNames, labelNames)
	}
	f := &family{name: name, help: help, kind: k, buckets: buckets, labelNames: labelNames, series: map[string]*series{}}
	r.families[name] = f
	return f, true
}

// mustFamily is for the typed constructors: a clash there is a programming error.
func (r *Registry) mustFamily(name, help string, k kind, buckets []float64, labelNames []string) *family {
	if !validName(name) {
		panic(fmt.Sprintf("metrics: invalid metric name %q", name))
	}
	for _, l := range labelNames {
		if !validLabel(l) {
			panic(fmt.Sprintf("metrics: invalid label name %q for %s", l, name))
		}
	}
	f, ok := r.family(name, help, k, buckets, labelNames)
	if !ok {
		panic(fmt.Sprintf("metrics: %s registered twice with different kinds or labels", name))
	}
	return f
}

// with returns the series for these labels, creating it.
func (f *family) with(labels []labelPair) *series {
	slices.SortFunc(labels, func(a, b labelPair) int { return strings.Compare(a.name, b.name) })
	var key strings.Builder
	for _, l := range labels {
		key.WriteString(l.name)
		key.WriteByte(0xff)
		key.WriteString(l.value)
		key.WriteByte(0xff)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.series[key.String()]
	if !ok {
		s = &series{labels: labels}
		if f.kind == histogramKind {
			s.counts = make([]uint64, len(f.buckets)+1)
		}
		f.series[key.String()] = s
	}
	return s
}

// withValues pairs a typed family's label names with values given in the same order.
func (f *family) withValues(values []string) *series {
	if len(values) != len(f.labelNames) {
		panic(fmt.Sprintf("metrics: %s wants %d label values, got %d", f.name, len(f.labelNames), len(values)))
	}
	labels := make([]labelPair, len(values))
	for i, v := range values {
		labels[i] = labelPair{f.labelNames[i], v}
	}
	return f.with(labels)
}

func (s *series) add(v float64) {
	s.mu.Lock()
	s.value += v
	s.mu.Unlock()
}

func (s *series) set(v float64) {
	s.mu.Lock()
	s.value = v
	s.mu.Unlock()
}

func (s *series) observe(buckets []float64, v float64) {
	i, _ := slices.BinarySearch(buckets, v) // first bound >= v, so le is inclusive
	s.mu.Lock()
	s.counts[i]++
	s.sum += v
	s.count++
	s.mu.Unlock()
}

// Counter is a family of counters with fixed label names. The zero Counter does nothing.
type Counter struct{ f *family }

// Counter registers a counter; name should end in _total.
func (r *Registry) Counter(name, help string, labelNames ...string) Counter {
	return Counter{r.mustFamily(name, help, counterKind, nil, labelNames)}
}

// Add adds v (which must not be negative) to the series with these label values.
func (c Counter) Add(v float64, labelValues ...string) {
	if c.f == nil || v < 0 {
		return
	}
	c.f.withValues(labelValues).add(v)
}

// Gauge is a family of gauges with fixed label names. The zero Gauge does nothing.
type Gauge struct{ f *family }

// Gauge registers a gauge.
func (r *Registry) Gauge(name, help string, labelNames ...string) Gauge {
	return Gauge{r.mustFamily(name, help, gaugeKind, nil, labelNames)}
}

// Add moves the gauge by v, up or down.
func (g Gauge) Add(v float64, labelValues ...string) {
	if g.f != nil {
		g.f.withValues(labelValues).add(v)
	}
}

// Set sets the gauge.
func (g Gauge) Set(v float64, labelValues ...string) {
	if g.f != nil {
		g.f.withValues(labelValues).set(v)
	}
}

// Histogram is a family of histograms with fixed label names and buckets. The zero
// Histogram does nothing.
type Histogram struct{ f *family }

// Histogram registers a histogram with these bucket upper bounds (+Inf is implied).
func (r *Registry) Histogram(name, help string, buckets []float64, labelNames ...string) Histogram {
	b := slices.Clone(buckets)
	slices.Sort(b)
	return Histogram{r.mustFamily(name, help, histogramKind, slices.Compact(b), labelNames)}
}

// Observe records one value.
func (h Histogram) Observe(v float64, labelValues ...string) {
	if h.f != nil {
		h.f.withValues(labelValues).observe(h.f.buckets, v)
	}
}
