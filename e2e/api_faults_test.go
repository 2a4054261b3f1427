package e2e

import (
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestEveryProviderExactUnderTenPercentFaults exports one resource of each provider, all
// four at once on one worker, while the sandbox answers 10 % of data requests with a 429,
// a 5xx, a timeout, a truncated body or a dropped connection.
func TestEveryProviderExactUnderTenPercentFaults(t *testing.T) {
	const total = 1500
	sb, url := serveSandbox(t, sandbox.Options{Records: total, Seed: 8, FaultRate: 0.10, TimeoutHold: 3 * time.Second})
	queue := "e2e-faults-10"
	w := startWorker(t, workerEnv(queue, url))
	cases := []struct{ provider, resource string }{
		{"clio", "contacts"},
		{"attio", "people"},
		{"close", "lead"},
		{"clever", "users"},
	}
	t.Run("providers", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.provider, func(t *testing.T) {
				t.Parallel()
				// Page size 50: 30 pages a provider, so about 3 faults each on average.
				in := workflows.ExportInput{ExportID: "faults10-" + c.provider, Provider: c.provider, Resource: c.resource,
					PageSize: 50, HeartbeatSeconds: 5}
				res, err := runExport(t, queue, in, 5*time.Minute)
				if err != nil {
					t.Fatalf("export failed: %v\nworker log tail:\n%s", err, tail(w.output(), 30))
				}
				m, recs := readBack(t, res.ManifestKey)
				assertExactly(t, sb, c.provider, c.resource, recs)
				if m.Records != total || res.Records != total {
					t.Fatalf("result says %d records, manifest %d, dataset %d", res.Records, m.Records, total)
				}
			})
		}
	})
	// The faults happened: over ~130 requests at 10 %, none at all would be a broken sandbox
	// option (the chance is about 1 in a million), and the test would prove nothing.
	var requests, faults int64
	kinds := map[sandbox.Fault]int64{}
	for _, c := range cases {
		st := sb.Stats().Providers[c.provider]
		requests += st.Requests
		for f, n := range st.Faults {
			faults += n
			kinds[f] += n
		}
	}
	t.Logf("%d faults in %d requests: %v", faults, requests, kinds)
	if faults == 0 {
		t.Fatalf("the sandbox injected no fault in %d requests", requests)
	}
}
