package metrics

import (
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/otlptranslator"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
)

// TimerBuckets are the histogram bounds, in seconds, of the SDK's timers: from a fast
// poll to a long schedule-to-start wait. OpenTelemetry's default bounds are meant for
// milliseconds.
var TimerBuckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900}

// newTemporalHandler bridges the SDK's metrics into reg through the SDK's OpenTelemetry
// handler and OpenTelemetry's Prometheus exporter. Names follow Prometheus conventions:
// counters end in _total, timers (unit s) are histograms named *_seconds, gauges keep
// their names (temporal_request becomes temporal_request_total).
func newTemporalHandler(reg prometheus.Registerer) client.MetricsHandler {
	exp, err := otelprom.New(
		otelprom.WithRegisterer(reg),
		otelprom.WithTranslationStrategy(otlptranslator.UnderscoreEscapingWithSuffixes),
		otelprom.WithoutScopeInfo(),  // no otel_scope_* label on every series
		otelprom.WithoutTargetInfo(), // the scrape target already says which worker
	)
	if err != nil {
		panic(fmt.Sprintf("metrics: registering the Temporal SDK bridge in a new registry: %v", err))
	}
	seconds := sdkmetric.NewView(
		sdkmetric.Instrument{Kind: sdkmetric.InstrumentKindHistogram},
		sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{Boundaries: TimerBuckets}},
	)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp), sdkmetric.WithView(seconds))
	return temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter: mp.Meter("temporal-sdk-go"),
		// Counters only go up; as monotonic sums they get _total and the counter type.
		UseMonotonicCounters: true,
		// The handler's default panics; a metric is not worth a worker.
		OnError: func(err error) { slog.Warn("Temporal SDK metric dropped", "error", err) },
	})
}
