package endpoint

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/metrics"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestReadinessCachesTheCheck(t *testing.T) {
	now := time.Unix(1000, 0)
	r := &Readiness{TTL: 5 * time.Second, Now: func() time.Time { return now }}
	ctx := context.Background()
	if err := r.Ready(ctx); !errors.Is(err, errNotStarted) {
		t.Fatalf("before start: %v", err)
	}
	calls := 0
	var answer error
	r.Started(func(context.Context) error { calls++; return answer })
	for range 3 {
		if err := r.Ready(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Fatalf("checked %d times within the TTL", calls)
	}
	answer = errors.New("connection refused")
	now = now.Add(5 * time.Second)
	if err := r.Ready(ctx); err == nil || !strings.Contains(err.Error(), "connection refused") || calls != 2 {
		t.Fatalf("after TTL: %v (%d calls)", err, calls)
	}
	r.Stopping()
	if err := r.Ready(ctx); !errors.Is(err, errStopping) {
		t.Fatalf("stopping: %v", err)
	}
	var none *Readiness
	if none.Ready(ctx) == nil {
		t.Fatal("nil readiness is ready")
	}
}

// TestServe runs the real listener: liveness at once, readiness after start, and
// /metrics carrying the Temporal SDK's metrics recorded through the registry's handler.
func TestServe(t *testing.T) {
	exp := metrics.NewExporter()
	ready := &Readiness{}
	srv, err := Serve("127.0.0.1:0", Handler(exp, ready), slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Shutdown(context.Background()) }()
	base := "http://" + srv.Addr

	if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("healthz %d %q", code, body)
	}
	if code, body := get(t, base+"/readyz"); code != 503 || strings.TrimSpace(body) != "not ready" {
		t.Fatalf("readyz before start %d %q", code, body)
	}
	// Temporal's own error text never reaches whoever asks.
	ready.Started(func(context.Context) error { return errors.New("dial tcp 10.0.0.7:7233: connection refused") })
	if code, body := get(t, base+"/readyz"); code != 503 || strings.TrimSpace(body) != "not ready" {
		t.Fatalf("readyz with Temporal down %d %q", code, body)
	}
	ready.Started(func(context.Context) error { return nil })
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Fatalf("readyz after start %d", code)
	}

	sdk := exp.Temporal().WithTags(map[string]string{"namespace": "default", "task_queue": "exports"})
	sdk.Counter("temporal_poller_start").Inc(2)
	sdk.Timer("temporal_activity_execution_latency").Record(300 * time.Millisecond)
	exp.Admit("clio", "contacts") // a resource the API served is a label
	exp.PageWritten("clio", "contacts", 10, 500)
	code, body := get(t, base+"/metrics")
	for _, want := range []string{
		`temporal_poller_start_total{namespace="default",task_queue="exports"} 2`,
		`temporal_activity_execution_latency_seconds_count{namespace="default",task_queue="exports"} 1`,
		`pagewise_records_total{provider="clio",resource="contacts"} 10`,
		"# TYPE pagewise_records_total counter",
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Fatalf("/metrics %d misses %q:\n%s", code, want, body)
		}
	}
	resp, err := http.Post(base+"/healthz", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /healthz: %d", resp.StatusCode)
	}
}

func TestServeRefusesATakenPort(t *testing.T) {
	first, err := Serve("127.0.0.1:0", Handler(nil, nil), slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = first.Shutdown(context.Background()) }()
	if _, err := Serve(first.Addr, Handler(nil, nil), slog.Default()); err == nil {
		t.Fatal("second listener on the same port")
	}
}
