package provider

import "context"

// Observer learns the HTTP status of every API call Call makes, 0 when no response
// arrived. The worker counts them for its metrics.
type Observer func(provider string, status int)

type observerKey struct{}

// WithObserver makes every Call made with ctx report to o. It rides on the context
// rather than on a connector so each activity can observe its own calls and tests that
// run in parallel never see each other's.
func WithObserver(ctx context.Context, o Observer) context.Context {
	if o == nil {
		return ctx
	}
	return context.WithValue(ctx, observerKey{}, o)
}

func observe(ctx context.Context, provider string, status int) {
	if o, ok := ctx.Value(observerKey{}).(Observer); ok {
		o(provider, status)
	}
}
