package provider

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults for Limits: a page body a worker's memory budget holds several of (see
// budget.go), and a provider-asked delay that never holds a worker for long.
const (
	DefaultMaxBody  = 32 << 20
	DefaultMaxDelay = 5 * time.Minute
)

// Limits bound what a provider's answer can make a worker do.
type Limits struct {
	// MaxBody is the largest response body read; a larger one fails the page for good.
	MaxBody int64
	// MaxDelay is the longest delay a provider may ask for (Retry-After, a rate reset).
	MaxDelay time.Duration
	// Clamped, if set, hears of every delay that was cut to MaxDelay.
	Clamped func(provider string, asked, used time.Duration)
	// Budget, if set, is claimed from by every body read (see Hold).
	Budget *Budget
}

type limitsKey struct{}

// WithLimits makes every Call made with ctx hold to l; zero fields keep the defaults.
func WithLimits(ctx context.Context, l Limits) context.Context {
	return context.WithValue(ctx, limitsKey{}, l)
}

func limitsOf(ctx context.Context) Limits {
	l, _ := ctx.Value(limitsKey{}).(Limits)
	if l.MaxBody <= 0 {
		l.MaxBody = DefaultMaxBody
	}
	if l.MaxDelay <= 0 {
		l.MaxDelay = DefaultMaxDelay
	}
	return l
}

// clampDelay keeps a provider's delay within [0, MaxDelay]; a negative one means "use
// backoff" (zero).
func (l Limits) clampDelay(provider string, d time.Duration) time.Duration {
	switch {
	case d <= 0:
		return 0
	case d > l.MaxDelay:
		if l.Clamped != nil {
			l.Clamped(provider, d, l.MaxDelay)
		}
		return l.MaxDelay
	}
	return d
}

// maxSeconds is past any delay worth honouring, and far from Duration's overflow.
const maxSeconds = 100 * 365 * 24 * 3600

// Seconds turns a provider's delay in seconds into a Duration. NaN, infinite, zero and
// negative values give 0 ("use backoff"); huge ones are capped well inside Duration's range,
// to be clamped by the caller's Limits.
func Seconds(s float64) time.Duration {
	if math.IsNaN(s) || s <= 0 {
		return 0
	}
	return time.Duration(math.Min(s, maxSeconds) * float64(time.Second))
}

// Until is the delay until a provider's reset time; a past time gives 0.
func Until(t, now time.Time) time.Duration {
	if !t.After(now) {
		return 0
	}
	return min(t.Sub(now), maxSeconds*time.Second) // Sub saturates; never overflows
}

// RetryAfter reads a Retry-After header value in either of its RFC 9110 forms: a number
// of seconds or an HTTP date. Anything else, or a time already past, gives 0.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		return Seconds(secs)
	}
	if t, err := http.ParseTime(v); err == nil {
		return Until(t, now)
	}
	return 0
}

// ResetAt reads a rate-limit reset given as Unix time in seconds (Clio's and Clever's
// X-RateLimit-Reset), fractional or not.
func ResetAt(v string, now time.Time) time.Duration {
	unix, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(unix) || math.IsInf(unix, 0) || unix <= 0 {
		return 0
	}
	secs := unix - float64(now.UnixNano())/1e9
	return Seconds(secs)
}
