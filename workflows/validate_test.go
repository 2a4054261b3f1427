package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
)

func assertInvalidInput(t *testing.T, err error, want string) {
	t.Helper()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activities.ErrInvalidInput || !appErr.NonRetryable() {
		t.Fatalf("got %v, want a non-retryable %s", err, activities.ErrInvalidInput)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error does not say %q: %v", want, err)
	}
}

// forgedState is what a hostile `temporal workflow start --input '{"state":…}'` carries:
// another tenant's folder, a resource climbing out of the API path, thousands of partitions.
func forgedState(partitions int) *State {
	st := &State{Resolved: activities.Resolved{Base: "victim/clio/contacts/contacts", Plan: provider.Plan{Spec: provider.Spec{Resource: "../../../internal/admin", PageSize: 10}, MaxParallel: 2000}}}
	for i := range partitions {
		st.Partitions = append(st.Partitions, activities.Partition{ID: i})
	}
	return st
}

// earlierRun is the run a continued test run says it continued from.
const earlierRun = "earlier-run"

// TestHostileInputNeverReachesAnActivity: every input below fails the workflow with a
// non-retryable InvalidInput before any activity is scheduled.
func TestHostileInputNeverReachesAnActivity(t *testing.T) {
	cases := []struct {
		name      string
		edit      func(*ExportInput)
		continued bool
		want      string
	}{
		{"state from outside", func(in *ExportInput) { in.State = forgedState(1) }, false, "state is set only by an export continuing as new"},
		// A cron run or a retry has ContinuedExecutionRunID set and the first run's input.
		{"state on a cron run", func(in *ExportInput) { in.State = forgedState(1); in.State.Plan.Resource = in.Resource }, true, "state is set only by an export continuing as new"},
		{"state naming another run", func(in *ExportInput) { in.State = forgedState(1); in.State.From = "guessed-run" }, true, "state is set only by an export continuing as new"},
		// What a run's own state is checked for, should a bug ever hand one on.
		{"continued with a partition bomb", func(in *ExportInput) {
			in.State = forgedState(1_000)
			in.State.Plan.Resource = in.Resource
			in.State.From = earlierRun
		}, true, "1000 partitions"},
		{"continued with another resource", func(in *ExportInput) { in.State = forgedState(1); in.State.From = earlierRun }, true, `resource "../../../internal/admin" is not the input's "items"`},
		{"continued with an unbounded plan", func(in *ExportInput) {
			in.State = forgedState(1)
			in.State.Plan.Resource = in.Resource
			in.State.From = earlierRun
		}, true, "max parallel 2000"},
		{"parallelism 2000", func(in *ExportInput) { in.Parallelism = 2000 }, false, "invalid parallelism 2000"},
		{"negative pages_per_run", func(in *ExportInput) { in.PagesPerRun = -1 }, false, "invalid pages_per_run"},
		{"huge pages_per_run", func(in *ExportInput) { in.PagesPerRun = 1 << 30 }, false, "invalid pages_per_run"},
		{"page size", func(in *ExportInput) { in.PageSize = 1 << 20 }, false, "invalid page_size"},
		{"resource path", func(in *ExportInput) { in.Resource = "../../../internal/admin" }, false, "invalid resource"},
		{"prefix", func(in *ExportInput) { in.Prefix = "a/../../b" }, false, "invalid prefix"},
		{"export id", func(in *ExportInput) { in.ExportID = "a/b" }, false, "invalid export_id"},
		{"heartbeat", func(in *ExportInput) { in.HeartbeatSeconds = -5 }, false, "invalid heartbeat_seconds"},
		// acme-x would read acme_x's variable; acme_file the path in acme's *_FILE variable.
		{"credential sharing a variable", func(in *ExportInput) { in.Credential = "acme-x" }, false, "invalid credential"},
		{"credential reading a file variable", func(in *ExportInput) { in.Credential = "acme_file" }, false, "invalid credential"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, 10)
			scheduled := 0
			h.env.SetOnActivityStartedListener(func(*activity.Info, context.Context, converter.EncodedValues) { scheduled++ })
			if c.continued {
				h.env.SetContinuedExecutionRunID(earlierRun)
			}
			in := input()
			c.edit(&in)
			h.env.ExecuteWorkflow(Export, in)
			assertInvalidInput(t, h.env.GetWorkflowError(), c.want)
			if scheduled != 0 {
				t.Fatalf("%d activities ran for a hostile input", scheduled)
			}
			if objs, _ := h.store.List(context.Background(), ""); len(objs) != 0 {
				t.Fatalf("hostile input wrote %d objects", len(objs))
			}
		})
	}
}

func TestExportIDsNeverCollide(t *testing.T) {
	ids := map[string]string{}
	for _, wf := range []string{"acme/clio", "acme clio", "acme:clio", "acme-clio", "-acme-clio", "acme?clio", ExportIDFrom("acme/clio"), ExportIDFrom("acme:clio")} {
		id := ExportIDFrom(wf)
		if !activities.ValidSegment(id) {
			t.Errorf("%q gave unsafe id %q", wf, id)
		}
		if other, ok := ids[id]; ok {
			t.Errorf("%q and %q both give %q", wf, other, id)
		}
		ids[id] = wf
	}
	if got := ExportIDFrom("close-lead"); got != "close-lead" {
		t.Errorf("a safe id changed: %q", got)
	}
	if got := ExportIDFrom("close-lead-2026-05-01T02:00:00Z"); !strings.HasPrefix(got, "close-lead-2026-05-01T02-00-00Z-") {
		t.Errorf("scheduled id %q", got)
	}
}

func FuzzValidateInput(f *testing.F) {
	for _, seed := range []string{
		`{"provider":"clio","resource":"contacts"}`,
		`{"provider":"clio","resource":"../../../internal/admin"}`,
		`{"provider":"close","resource":"lead","parallelism":2000,"pages_per_run":-1}`,
		`{"provider":"close","resource":"lead","prefix":"clio","export_id":"contacts"}`,
		`{"provider":"a","resource":"b","prefix":"` + strings.Repeat("x/", 1500) + `x"}`,
		`{"provider":"a","resource":"b","state":{"base":"victim","partitions":[]}}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var in ExportInput
		if json.Unmarshal([]byte(raw), &in) != nil {
			return
		}
		if err := ValidateInput(in); err != nil {
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) || !appErr.NonRetryable() {
				t.Fatalf("retryable rejection %v", err)
			}
			return
		}
		// Accepted input stays inside the bounds and makes only safe folder names.
		if in.Parallelism > MaxParallelism || in.PagesPerRun > MaxPagesPerRun || in.PageSize > MaxPageSize || in.Parallelism < 0 {
			t.Fatalf("out-of-bounds input accepted: %+v", in)
		}
		for _, seg := range strings.Split(in.Provider+"/"+in.Resource+"/"+in.Prefix+"/"+in.ExportID, "/") {
			if seg == ".." || seg == "." {
				t.Fatalf("path climbing accepted: %+v", in)
			}
		}
	})
}

func FuzzExportIDFrom(f *testing.F) {
	for _, s := range []string{"acme/clio", "acme:clio", "close-lead-2026-05-01T02:00:00Z", "", "..", "-", "é", "a\x00b"} {
		f.Add(s, s+"x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ia, ib := ExportIDFrom(a), ExportIDFrom(b)
		if !activities.ValidSegment(ia) {
			t.Fatalf("ExportIDFrom(%q) = %q is not a safe segment", a, ia)
		}
		if a != b && ia == ib {
			t.Fatalf("%q and %q collide as %q", a, b, ia)
		}
	})
}

// TestStateFromEarlierBuildsDecodes: state and page inputs recorded before Resolved keep
// their JSON names, so a running export continues across the upgrade; the provider they
// lacked comes from the input.
func TestStateFromEarlierBuildsDecodes(t *testing.T) {
	raw := `{"export_id":"e1","plan":{"resource":"items","page_size":10,"max_parallel":4},"base":"fake/items/e1",` +
		`"started_at":"2026-11-01T00:00:00Z","runs":1,"partitions":[{"id":0,"position":{"offset":30},"pages":3,"records":30,"bytes":9,"done":false}]}`
	var st State
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		t.Fatal(err)
	}
	if st.ExportID != "e1" || st.Base != "fake/items/e1" || st.Plan.PageSize != 10 || st.Provider != "" || st.Partitions[0].Position.Offset != 30 {
		t.Fatalf("decoded %+v", st)
	}
	x := &exporter{export: activities.Export{ID: "e1", Provider: "fake"}}
	if r := x.fill(st.Resolved); r.Provider != "fake" || r.ExportID != "e1" {
		t.Fatalf("filled %+v", r)
	}
	var in activities.PageInput
	if err := json.Unmarshal([]byte(`{"export_id":"e1","provider":"fake","plan":{"resource":"items"},"base":"b","partition":2,"seq":4,"position":{}}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.ExportID != "e1" || in.Provider != "fake" || in.Base != "b" || in.Partition != 2 || in.Seq != 4 {
		t.Fatalf("page input %+v", in)
	}
}
