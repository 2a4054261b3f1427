package clever_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/clever"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

type event struct {
	Created time.Time `json:"created"`
	Type    string    `json:"type"`
}

func decodeEvent(t *testing.T, rec json.RawMessage) event {
	t.Helper()
	var e event
	if err := json.Unmarshal(rec, &e); err != nil || e.Type == "" {
		t.Fatalf("not an event: %v", err)
	}
	return e
}

// eventsConn is a connector on the sandbox whose clock reads now.
func eventsConn(url string, now time.Time) provider.Connector {
	conn := clever.New(clever.Config{BaseURL: url, Token: sandbox.DefaultToken(clever.Name)}, conformance.Client())
	clever.SetClock(conn, func() time.Time { return now })
	return conn
}

func eventsSince(t *testing.T, conn provider.Connector, since time.Time, pageSize int) (conformance.Result, error) {
	t.Helper()
	plan, err := conn.Validate(provider.Spec{Resource: "events", PageSize: pageSize, Since: since})
	if err != nil {
		t.Fatal(err)
	}
	return conformance.Try(t, conn, plan, conn.Start(plan), -1)
}

// TestEventsSince: since keeps the events created at or after it. The whole log is walked,
// through more pages of older events in a row than the empty-page guard allows.
func TestEventsSince(t *testing.T) {
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 9, Sizes: map[string]int{"clever/events": 60}})
	all := sb.Dataset(clever.Name, "events")
	since := decodeEvent(t, all[41]).Created
	var want []json.RawMessage
	for _, rec := range all {
		if !decodeEvent(t, rec).Created.Before(since) {
			want = append(want, rec)
		}
	}
	conn := eventsConn(url, decodeEvent(t, all[59]).Created.Add(time.Hour))
	res, err := eventsSince(t, conn, since, 5)
	if err != nil {
		t.Fatal(err)
	}
	conformance.AssertSame(t, sb, clever.Name, want, res.Records)
	if len(want) != 19 || res.Pages != 13 {
		t.Fatalf("%d events since the 42nd of 60 in %d pages; want 19 in 12 full pages and an empty one", len(want), res.Pages)
	}
}

// TestEventsIncremental: a whole export of events holds deletions; a later one since a
// time holds exactly the changes made after it.
func TestEventsIncremental(t *testing.T) {
	clk := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 9, Records: 50, Now: func() time.Time { return clk }})
	conn := eventsConn(url, clk)
	plan, err := conn.Validate(provider.Spec{Resource: "events", PageSize: 20})
	if err != nil {
		t.Fatal(err)
	}
	whole := conformance.Drain(t, conn, plan, conn.Start(plan))
	conformance.AssertExactly(t, sb, clever.Name, "events", whole.Records)
	deleted := 0
	for _, rec := range whole.Records {
		if strings.HasSuffix(decodeEvent(t, rec).Type, ".deleted") {
			deleted++
		}
	}
	if deleted == 0 {
		t.Fatal("the events export holds no deletion")
	}
	since := clk
	clk = clk.Add(time.Minute)
	sb.Insert(clever.Name, "users", 2)
	sb.Touch(clever.Name, "sections", 1)
	res, err := eventsSince(t, eventsConn(url, clk), since, 20)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, rec := range res.Records {
		types = append(types, decodeEvent(t, rec).Type)
	}
	if strings.Join(types, " ") != "users.created users.created sections.updated" {
		t.Fatalf("events since the last run: %v", types)
	}
}

// TestEventsSinceBeyondHistory: a since older than the 30 days Clever keeps events fails
// before any request, naming since; one inside them is walked.
func TestEventsSinceBeyondHistory(t *testing.T) {
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 9, Records: 10})
	now := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	_, err := eventsSince(t, eventsConn(url, now), now.Add(-31*24*time.Hour), 5)
	pe := conformance.AsError(t, err)
	if pe.Retryable || pe.Contract || !strings.Contains(pe.Message, "since 2026-01-01T09:00:00Z is more than 30 days ago") {
		t.Fatalf("got %v", err)
	}
	if n := sb.Stats().Providers[clever.Name].Requests; n != 0 {
		t.Fatalf("%d requests for an export that cannot be complete", n)
	}
	if _, err := eventsSince(t, eventsConn(url, now), now.Add(-29*24*time.Hour), 5); err != nil {
		t.Fatal(err)
	}
}
