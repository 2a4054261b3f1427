package metrics

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func text(t *testing.T, r *Registry) string {
	t.Helper()
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestExpositionFormat(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("app_requests_total", "Requests.\nSecond line with \\ backslash.", "path", "code")
	c.Add(2, `/a"b`, "200")
	c.Add(1, "/x\\y\nz", "500")
	c.Add(-1, "/ignored", "200") // counters never go down
	g := r.Gauge("app_in_flight", "In flight.")
	g.Add(3)
	g.Add(-1)
	h := r.Histogram("app_seconds", "Latency.", []float64{1, 0.5, 1}, "op")
	h.Observe(0.5, "get") // bounds are inclusive
	h.Observe(0.7, "get")
	h.Observe(3, "get")
	r.Counter("app_unused_total", "Declared but never incremented.")

	want := `# HELP app_in_flight In flight.
# TYPE app_in_flight gauge
app_in_flight 2
# HELP app_requests_total Requests.\nSecond line with \\ backslash.
# TYPE app_requests_total counter
app_requests_total{code="200",path="/a\"b"} 2
app_requests_total{code="500",path="/x\\y\nz"} 1
# HELP app_seconds Latency.
# TYPE app_seconds histogram
app_seconds_bucket{op="get",le="0.5"} 1
app_seconds_bucket{op="get",le="1"} 2
app_seconds_bucket{op="get",le="+Inf"} 3
app_seconds_sum{op="get"} 4.2
app_seconds_count{op="get"} 3
# HELP app_unused_total Declared but never incremented.
# TYPE app_unused_total counter
`
	if got := text(t, r); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestServeHTTP(t *testing.T) {
	r := NewRegistry()
	r.Counter("x_total", "X.").Add(1)
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); ct != ContentType {
		t.Fatalf("content type %q", ct)
	}
	if !strings.Contains(rec.Body.String(), "\nx_total 1\n") {
		t.Fatalf("body:\n%s", rec.Body)
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"temporal_request": "temporal_request", "a.b-c/d": "a_b_c_d", "9lives": "_9lives", "ns:sub": "ns:sub", "": "_", "é": "__",
	} {
		if got := SanitizeName(in); got != want {
			t.Errorf("SanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"task_queue": "task_queue", "ns:sub": "ns_sub", "__name__": "_name__", "1x": "_1x"} {
		if got := SanitizeLabel(in); got != want {
			t.Errorf("SanitizeLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTypedMisuse(t *testing.T) {
	r := NewRegistry()
	r.Counter("dup_total", "D.", "a")
	r.Counter("dup_total", "D.", "a") // same shape: the same family
	for name, f := range map[string]func(){
		"kind clash":   func() { r.Gauge("dup_total", "D.", "a") },
		"label clash":  func() { r.Counter("dup_total", "D.", "b") },
		"bad name":     func() { r.Counter("bad-name", "B.") },
		"le label":     func() { r.Histogram("h", "H.", nil, "le") },
		"value count":  func() { r.Counter("n_total", "N.", "a", "b").Add(1, "only-one") },
		"reserved lbl": func() { r.Gauge("g", "G.", "__x") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
	var zero Counter // a zero value is a no-op, never a nil dereference
	zero.Add(1)
}

// TestTemporalHandler: the SDK's counters, gauges and timers appear with its tags,
// sanitised, with Prometheus suffixes.
func TestTemporalHandler(t *testing.T) {
	r := NewRegistry()
	h := r.TemporalHandler().WithTags(map[string]string{"namespace": "default", "task-queue": "q1"})
	h.Counter("temporal_request").Inc(2)
	h.WithTags(map[string]string{"task-queue": "q2", "operation": "Poll"}).Counter("temporal_request").Inc(1)
	h.Gauge("temporal_num_pollers").Update(4)
	h.Timer("temporal_activity_execution_latency").Record(1500 * time.Millisecond)
	h.Counter("temporal.odd-name").Inc(1)
	r.Counter("mine_total", "Mine.")
	h.Gauge("mine_total").Update(1) // a clash with one of ours is dropped, not a panic

	out := text(t, r)
	for _, want := range []string{
		"# TYPE temporal_request_total counter\n",
		`temporal_request_total{namespace="default",task_queue="q1"} 2` + "\n",
		`temporal_request_total{namespace="default",operation="Poll",task_queue="q2"} 1` + "\n",
		`temporal_num_pollers{namespace="default",task_queue="q1"} 4` + "\n",
		"# TYPE temporal_activity_execution_latency_seconds histogram\n",
		`temporal_activity_execution_latency_seconds_bucket{namespace="default",task_queue="q1",le="1"} 0` + "\n",
		`temporal_activity_execution_latency_seconds_bucket{namespace="default",task_queue="q1",le="2.5"} 1` + "\n",
		`temporal_activity_execution_latency_seconds_sum{namespace="default",task_queue="q1"} 1.5` + "\n",
		`temporal_odd_name_total{namespace="default",task_queue="q1"} 1` + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\nmine_total") {
		t.Errorf("SDK gauge wrote into a pagewise counter:\n%s", out)
	}
}

func TestConcurrentUse(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("c_total", "C.", "k")
	h := r.TemporalHandler()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 1000 {
				c.Add(1, "v")
				h.WithTags(map[string]string{"w": string(rune('a' + i%2))}).Timer("t").Record(time.Millisecond)
			}
			_ = text(t, r)
		})
	}
	wg.Wait()
	if out := text(t, r); !strings.Contains(out, `c_total{k="v"} 8000`) || !strings.Contains(out, `t_seconds_count{w="a"} 4000`) {
		t.Fatalf("lost updates:\n%s", out)
	}
}
