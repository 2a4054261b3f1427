package e2e

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestWorkerKilledRepeatedlyLosesNothing SIGKILLs the worker at ten random moments of a
// 100,000-record export and restarts it each time: the output must still be exactly the
// dataset, every page once.
func TestWorkerKilledRepeatedlyLosesNothing(t *testing.T) {
	const total = 100_000
	sb, url := serveSandbox(t, sandbox.Options{Records: total, Seed: 3})
	queue := "e2e-crash"
	w := startWorker(t, workerEnv(queue, url))
	in := workflows.ExportInput{ExportID: "crash", Provider: "clio", Resource: "contacts", PageSize: 200,
		HeartbeatSeconds: 2, PagesPerRun: 100}

	type outcome struct {
		res workflows.ExportResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := runExport(t, queue, in, 10*time.Minute)
		done <- outcome{res, err}
	}()

	const kills = 10
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for i := range kills {
		// Spread the kills over the export, each at a random point of its own slice.
		at := int64((float64(i) + 0.2 + 0.6*rng.Float64()) * total / (kills + 1))
		eventually(t, 3*time.Minute, "progress to pass a kill point", func() bool { return records(in.ExportID) >= at })
		w.killAndRestart()
		t.Logf("kill %d at >= %d records", i+1, at)
	}
	out := <-done
	if out.err != nil {
		t.Fatalf("export failed: %v\n%s", out.err, tail(w.output(), 30))
	}
	m, recs := readBack(t, out.res.ManifestKey)
	assertExactly(t, sb, "clio", "contacts", recs)
	if m.Records != total {
		t.Fatalf("manifest says %d records, want %d", m.Records, total)
	}
	if out.res.Runs < 3 {
		t.Fatalf("export took %d runs; 500 pages at 100 a run must continue as new", out.res.Runs)
	}
}
