package tracing

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Attributes a page's span carries.
const (
	AttrProvider = "pagewise.provider"
	AttrResource = "pagewise.resource"
	AttrRecords  = "pagewise.records"
	AttrStatus   = "pagewise.status" // "ok" or "error", as the page metrics' outcome
)

// PageSpan returns a func that records a page's outcome on the span ctx carries: in a
// page activity, the SDK interceptor's RunActivity span. Call it at the start of the
// activity and the func once it ends. Without tracing it costs a context lookup.
// The interceptor itself records the error and marks the span failed.
func PageSpan(ctx context.Context) func(provider, resource string, records int, err error) {
	span := trace.SpanFromContext(ctx)
	return func(provider, resource string, records int, err error) {
		if !span.IsRecording() {
			return
		}
		status := "ok"
		if err != nil {
			status = "error"
		}
		span.SetAttributes(
			attribute.String(AttrProvider, provider),
			attribute.String(AttrResource, resource),
			attribute.Int(AttrRecords, records),
			attribute.String(AttrStatus, status),
		)
	}
}
