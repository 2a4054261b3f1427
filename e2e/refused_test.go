package e2e

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/exportclient"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// TestRefusedFieldsHoldAcrossRunsAndResume: against a Clio account without
// legal_aid_uk_contact, a parallel export that continues as new every few pages, is
// cancelled and resumed on a redeployed worker asks for the field once: one 400 in the
// whole export. Every record is the sandbox's whole record, field for field, and the
// manifest records the field as refused.
func TestRefusedFieldsHoldAcrossRunsAndResume(t *testing.T) {
	const total = 8_000
	sb, url := serveSandbox(t, sandbox.Options{Sizes: map[string]int{"clio/contacts": total}, Seed: 24,
		Latency: 40 * time.Millisecond, ClioRefusedFields: []string{"legal_aid_uk_contact"}})
	queue := "e2e-refused"
	w := startWorker(t, workerEnv(queue, url))
	in := workflows.ExportInput{ExportID: "refused", Provider: "clio", Resource: "contacts", Strategy: "offset",
		PageSize: 50, Parallelism: 3, PagesPerRun: 12, HeartbeatSeconds: 2}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	run, err := exportclient.Start(ctx, stack.client, queue, in)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 3*time.Minute, "1,500 records", func() bool { return records(in.ExportID) >= 1500 })
	if err := stack.client.CancelWorkflow(ctx, in.ExportID, ""); err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err == nil {
		t.Fatal("the export completed before it could be cancelled")
	}
	w.killAndRestart() // the resumed run's workers remember nothing of the stopped one
	resumed, err := exportclient.Resume(ctx, stack.client, queue, in.ExportID)
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.ExportResult
	if err := resumed.Get(ctx, &res); err != nil {
		t.Fatalf("resumed export failed: %v\n%s", err, tail(w.output(), 30))
	}
	m, recs := readBack(t, res.ManifestKey)
	if !slices.Equal(m.FieldsRefused, []string{"legal_aid_uk_contact"}) || m.Resumed == nil || res.Runs < 3 {
		t.Fatalf("manifest fields_refused %v, resumed %+v, %d runs", m.FieldsRefused, m.Resumed, res.Runs)
	}
	want := map[string]string{}
	for _, r := range sb.Dataset("clio", "contacts") {
		want[sb.IDOf("clio", r)] = string(r)
	}
	for _, r := range recs {
		if string(r) != want[sb.IDOf("clio", r)] {
			t.Fatalf("record differs from the sandbox's whole record:\n got %s\nwant %s", r, want[sb.IDOf("clio", r)])
		}
	}
	assertExactly(t, sb, "clio", "contacts", recs)
	if n := sb.Stats().Providers["clio"].ByStatus[400]; n != 1 {
		t.Fatalf("the export asked for the refused field %d times", n)
	}
}
