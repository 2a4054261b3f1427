package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/proto"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestEveryProviderExportsExactlyUnderFaults exports one resource of each provider
// through Temporal and S3 while the sandbox answers 5 % of requests with a fault.
func TestEveryProviderExportsExactlyUnderFaults(t *testing.T) {
	sb, url := serveSandbox(t, sandbox.Options{Records: 2500, Seed: 2, FaultRate: 0.05, TimeoutHold: 3 * time.Second})
	queue := "e2e-providers"
	w := startWorker(t, workerEnv(queue, url))
	cases := []struct {
		provider, resource, strategy string
		parallelism                  int
	}{
		{"clio", "contacts", "", 1},
		{"attio", "people", "", 1},
		{"close", "lead", "", 1},
		{"clever", "users", "", 1},
		{"clio", "contacts", "offset", 4},
		{"attio", "people", "offset", 4},
		{"close", "lead", "window", 4},
	}
	for _, c := range cases {
		name := c.provider
		if c.parallelism > 1 {
			name += "-parallel-" + c.strategy
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel() // the time goes on retry backoff, not CPU
			// One of every fault for certain, on top of the random 5 %.
			for _, f := range sandbox.AllFaults {
				sb.FailNext(c.provider, f, 1)
			}
			in := workflows.ExportInput{ExportID: "faults-" + name, Provider: c.provider, Resource: c.resource,
				Strategy: c.strategy, Parallelism: c.parallelism, PageSize: 100, HeartbeatSeconds: 5}
			res, err := runExport(t, queue, in, 5*time.Minute)
			if err != nil {
				t.Fatalf("export failed: %v\nworker log tail:\n%s", err, tail(w.output(), 30))
			}
			m, recs := readBack(t, res.ManifestKey)
			assertExactly(t, sb, c.provider, c.resource, recs)
			if c.parallelism > 1 && len(partitionsOf(m)) < 2 {
				t.Fatalf("a parallel export wrote one partition: %v", partitionsOf(m))
			}
			if m.Records != res.Records || res.Records != 2500 {
				t.Fatalf("result says %d records, manifest %d, dataset 2500", res.Records, m.Records)
			}
			// Clio reports its total: the provider's own count, taken on the page queue at
			// the start and the end, must be in the manifest and agree.
			if pc := m.ProviderCount; c.provider == "clio" && (pc == nil || !pc.Within || pc.AtStart != 2500 || pc.AtEnd != 2500) {
				t.Errorf("manifest provider_count %+v, want 2500 at both ends", pc)
			}
			// Finish describes the pages from the indexes written beside them (a serial
			// export's batches, a parallel one's runs of pages on each worker), on a real S3
			// server too; under faults some pages are retried and HEADed instead.
			if n := pagesFromIndex(w.output(), m.ExportID); n <= 0 || n > m.Pages {
				t.Errorf("Finish described %d of %d pages from the indexes, want most", n, m.Pages)
			}
			assertNoSecrets(t, exportclient.WorkflowID(in), w.output())
			faults := sb.Stats().Providers[c.provider].Faults
			for _, f := range sandbox.AllFaults {
				if faults[f] == 0 {
					t.Errorf("the sandbox never injected %s for %s: faults %v", f, c.provider, faults)
				}
			}
		})
	}
}

// assertNoSecrets dumps every run of the export's history and the worker's logs and
// looks for each credential the worker holds.
func assertNoSecrets(t *testing.T, workflowID, logs string) {
	t.Helper()
	secrets := []string{stack.s3.SecretKey, sandbox.DefaultToken("clio"), sandbox.DefaultToken("attio"),
		sandbox.DefaultToken("close"), sandbox.DefaultToken("clever")}
	var dump strings.Builder
	it := stack.client.GetWorkflowHistory(context.Background(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	events := 0
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		// Binary, not protojson: payloads are bytes, which JSON would base64 and hide.
		b, _ := proto.Marshal(ev)
		dump.Write(b)
		events++
	}
	// The progress query answers from the workflow's state, which holds no history event.
	p, err := exportclient.Query(context.Background(), stack.client, workflowID)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := json.Marshal(p)
	dump.Write(q)
	if events == 0 || !strings.Contains(dump.String(), `"resource":"`) {
		t.Fatal("no history, or its payloads are not plain JSON: nothing was checked")
	}
	if !strings.Contains(logs, "page written") {
		t.Fatal("worker logs hold no page lines: nothing was checked")
	}
	for _, s := range secrets {
		if s == "" {
			t.Fatal("empty secret")
		}
		if strings.Contains(dump.String(), s) {
			t.Errorf("history of %s contains a credential", workflowID)
		}
		if strings.Contains(logs, s) {
			t.Errorf("worker logs contain a credential")
		}
	}
}

// pagesFromIndex is how many pages Finish described from batch indexes, as the export's
// "export finished" log line says; -1 without one.
func pagesFromIndex(logs, exportID string) int {
	n := -1
	for line := range strings.Lines(logs) {
		var l struct {
			Msg       string `json:"msg"`
			ExportID  string `json:"export_id"`
			FromIndex int    `json:"pages_from_index"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "export finished" && l.ExportID == exportID {
			n = l.FromIndex
		}
	}
	return n
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func partitionsOf(m activities.Manifest) map[int]int {
	parts := map[int]int{}
	for _, o := range m.Objects {
		parts[o.Partition] += o.Records
	}
	return parts
}
