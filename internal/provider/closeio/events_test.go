package closeio

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// TestEventSinceBeyondHistory: Close keeps 30 days of events, so a since (or a
// date_updated lower bound) further back fails the export before the first request,
// naming the retention and what to do instead; one inside it is sent as asked.
func TestEventSinceBeyondHistory(t *testing.T) {
	now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		spec provider.Spec
		want string // "" when the first page is asked for
	}{
		{"since inside", provider.Spec{Resource: "event", Since: now.Add(-29 * 24 * time.Hour)}, ""},
		{"since beyond", provider.Spec{Resource: "event", Since: now.Add(-31 * 24 * time.Hour)}, "since 2026-05-30T12:00:00Z is more than 30 days ago"},
		{"filter beyond", provider.Spec{Resource: "event", Filters: map[string]string{"object_type": "lead", "action": "deleted", "date_updated__gte": "2026-05-01"}},
			"filters.date_updated__gte 2026-05-01T00:00:00Z is more than 30 days ago"},
		{"upper bound only", provider.Spec{Resource: "event", Filters: map[string]string{"date_updated__lt": "2026-05-01"}}, ""},
		{"whole log", provider.Spec{Resource: "event"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			c := serve(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				fmt.Fprint(w, `{"data":[],"cursor_next":null}`)
			})
			c.now = func() time.Time { return now }
			_, err := c.Fetch(context.Background(), provider.Request{Plan: plan(t, c, tc.spec)})
			if tc.want == "" {
				if err != nil || calls.Load() != 1 {
					t.Fatalf("%d requests, %v", calls.Load(), err)
				}
				return
			}
			pe := asError(t, err)
			if pe.Retryable || calls.Load() != 0 || !strings.Contains(pe.Message, tc.want) ||
				!strings.Contains(pe.Message, "Close keeps events for 30 days") || !strings.Contains(pe.Message, "export the lists") {
				t.Fatalf("%d requests, %v", calls.Load(), err)
			}
			// A walk under way is not refused: its cursor holds its place.
			if _, err := c.Fetch(context.Background(), provider.Request{Plan: plan(t, c, tc.spec), Position: provider.Position{Cursor: "c"}}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
