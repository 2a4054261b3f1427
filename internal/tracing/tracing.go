// Package tracing sends OpenTelemetry spans of workflows and activities, made by the
// Temporal SDK's tracing interceptor, to an OTLP collector. It is off unless
// OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) names one.
package tracing

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// Enabled reports whether the environment names an OTLP endpoint.
func Enabled() bool {
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Setup returns the interceptors to put in client.Options.Interceptors (the client hands
// them to its workers too) and a shutdown that flushes spans not yet sent. With tracing
// off it returns none and a shutdown that does nothing. service is the default
// service.name; OTEL_SERVICE_NAME overrides it.
func Setup(ctx context.Context, service string, log *slog.Logger) ([]interceptor.ClientInterceptor, func(context.Context) error, error) {
	none := func(context.Context) error { return nil }
	if !Enabled() {
		return nil, none, nil
	}
	exp, err := newExporter(ctx)
	if err != nil {
		return nil, none, err
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", service)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
		resource.WithTelemetrySDK())
	if err != nil {
		return nil, none, fmt.Errorf("tracing resource: %w", err)
	}
	// The batcher reads OTEL_BSP_*, the provider OTEL_TRACES_SAMPLER.
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	// Export failures are logged like everything else, not printed by OTel's own logger.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("OpenTelemetry", "error", err) }))
	ic, err := Interceptor(tp)
	if err != nil {
		return nil, none, err
	}
	return []interceptor.ClientInterceptor{ic}, tp.Shutdown, nil
}

// Interceptor is the SDK's OpenTelemetry tracing interceptor, making spans on tp.
func Interceptor(tp trace.TracerProvider) (interceptor.Interceptor, error) {
	return temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{Tracer: tp.Tracer("pagewise")})
}

// newExporter picks OTLP over gRPC or HTTP as OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL says;
// the spec's default is http/protobuf. Each exporter reads its endpoint, headers,
// timeout and TLS settings from the OTEL_EXPORTER_OTLP_* variables itself.
func newExporter(ctx context.Context) (sdktrace.SpanExporter, error) {
	proto := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if proto == "" {
		proto = os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	switch proto {
	case "", "http/protobuf":
		return otlptracehttp.New(ctx)
	case "grpc":
		return otlptracegrpc.New(ctx)
	}
	return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL %q: pagewise sends grpc or http/protobuf", proto)
}
