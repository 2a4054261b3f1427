package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// accountEnv runs account exports of a fake provider with resources a, b and whole
// (25 records each) against store.
func accountEnv(t *testing.T, store *storagetest.Memory, failResource string) (*testsuite.TestWorkflowEnvironment, *fakeConnector) {
	t.Helper()
	conn := &fakeConnector{n: 25, resources: []string{"a", "b", "whole"}}
	if failResource != "" {
		conn.failResource, conn.failAt = failResource, 10
		conn.fail = &provider.Error{Provider: "fake", Resource: failResource, Status: 400, Message: "bad page"}
	}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(Export, workflow.RegisterOptions{Name: WorkflowName})
	env.RegisterWorkflowWithOptions(Account, workflow.RegisterOptions{Name: AccountWorkflowName})
	env.RegisterActivity(&activities.Activities{Providers: fakeProviders{catalogFake{conn}}, Store: store, Runs: noStoppedRuns{}})
	env.SetTestTimeout(time.Minute)
	return env, conn
}

type noStoppedRuns struct{}

func (noStoppedRuns) LastStopped(context.Context, string, string) (activities.StoppedRun, bool, error) {
	return activities.StoppedRun{}, false, nil
}

func readAccountManifest(t *testing.T, store *storagetest.Memory, key string) activities.AccountManifest {
	t.Helper()
	body, err := store.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	var m activities.AccountManifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestAccountExportsEveryResource: one child export per catalog row, each in its own
// folder under the account's prefix, and the account manifest lists every one.
func TestAccountExportsEveryResource(t *testing.T) {
	store := storagetest.NewMemory()
	env, _ := accountEnv(t, store, "")
	env.ExecuteWorkflow(Account, AccountInput{ExportID: "acct", Provider: "fake", All: true, Concurrency: 2, Incremental: true})
	var res AccountResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if len(res.Resources) != 3 || res.Records != 75 {
		t.Fatalf("result %+v", res)
	}
	m := readAccountManifest(t, store, "fake/acct.account.json")
	if !m.Complete || m.Records != 75 || len(m.Resources) != 3 {
		t.Fatalf("account manifest %+v", m)
	}
	for _, e := range m.Resources {
		if e.Status != ResourceExported || e.Manifest != "mem://fake/"+e.Resource+"/acct/manifest.json" || e.Records != 25 {
			t.Fatalf("entry %+v", e)
		}
		// Only resources with a documented since filter run incrementally.
		if e.Incremental != (e.Resource != "whole") {
			t.Fatalf("%s incremental %v", e.Resource, e.Incremental)
		}
	}
}

// TestAccountFailedResourceDoesNotStopTheOthers, and resuming the account keeps what
// was exported and exports only the failed resource.
func TestAccountFailedResourceDoesNotStopTheOthers(t *testing.T) {
	store := storagetest.NewMemory()
	env, _ := accountEnv(t, store, "b")
	in := AccountInput{ExportID: "acct", Provider: "fake", All: true}
	env.ExecuteWorkflow(Account, in)
	err := env.GetWorkflowError()
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != ErrAccountIncomplete || !strings.Contains(err.Error(), "(b)") {
		t.Fatalf("got %v", err)
	}
	m := readAccountManifest(t, store, "fake/acct.account.json")
	status := map[string]string{}
	for _, e := range m.Resources {
		status[e.Resource] = e.Status + "/" + e.ErrorType
	}
	if m.Complete || status["a"] != "exported/" || status["whole"] != "exported/" || !strings.HasPrefix(status["b"], "failed/") {
		t.Fatalf("statuses %v", status)
	}

	env2, conn := accountEnv(t, store, "")
	in.Resume = true
	env2.ExecuteWorkflow(Account, in)
	var res AccountResult
	if err := env2.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range res.Resources {
		got[e.Resource] = e.Status
	}
	if got["a"] != ResourceKept || got["whole"] != ResourceKept || got["b"] != ResourceExported || res.Records != 75 {
		t.Fatalf("resumed %v, %d records", got, res.Records)
	}
	if len(conn.offsets) != 3 { // b's three pages only
		t.Fatalf("resume fetched %v", conn.offsets)
	}
}

func TestAccountInputErrors(t *testing.T) {
	for _, c := range []struct {
		in   AccountInput
		want string
	}{
		{AccountInput{Provider: "fake"}, "set all"},
		{AccountInput{Provider: "fake", All: true, Resources: []string{"a"}}, "not both"},
		{AccountInput{Provider: "fake", Resources: []string{"a", "a"}}, "named twice"},
		{AccountInput{Provider: "fake", Resources: []string{"../x"}}, "invalid resource"},
		{AccountInput{Provider: "fake", All: true, Concurrency: 99}, "invalid concurrency"},
		{AccountInput{Provider: "fake", All: true, Credential: "Bad Key"}, "invalid credential"},
		{AccountInput{Provider: "fake", All: true, Parallelism: 99}, "invalid parallelism"},
	} {
		err := ValidateAccountInput(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.in, err, c.want)
		}
	}
	if err := ValidateAccountInput(AccountInput{Provider: "fake", Resources: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
}

// TestAccountUnknownResource fails before any export, naming what the account holds.
func TestAccountUnknownResource(t *testing.T) {
	env, conn := accountEnv(t, storagetest.NewMemory(), "")
	env.ExecuteWorkflow(Account, AccountInput{Provider: "fake", Resources: []string{"a", "nope"}})
	err := env.GetWorkflowError()
	if err == nil || !strings.Contains(err.Error(), `"nope" is not a resource of this fake account; it has: a, b, whole`) {
		t.Fatalf("got %v", err)
	}
	if len(conn.offsets) != 0 {
		t.Fatalf("fetched %v", conn.offsets)
	}
}

// TestAccountAllLeavesOutResourcesWithinOthers: all skips a resource whose records another
// lists too (Close's activity_call within activity), so none is written twice; named, it
// exports. Runs recorded before the change keep exporting it (the version's default).
func TestAccountAllLeavesOutResourcesWithinOthers(t *testing.T) {
	run := func(in AccountInput, old bool) (AccountResult, *fakeConnector) {
		t.Helper()
		env, conn := accountEnv(t, storagetest.NewMemory(), "")
		conn.resources = append(conn.resources, "a_part")
		conn.within = map[string]string{"a_part": "a"}
		if old {
			env.OnGetVersion(accountCatalogChange, workflow.DefaultVersion, accountCatalogVersion).Return(workflow.DefaultVersion)
		}
		env.ExecuteWorkflow(Account, in)
		var res AccountResult
		if err := env.GetWorkflowResult(&res); err != nil {
			t.Fatal(err)
		}
		return res, conn
	}
	names := func(res AccountResult) string {
		var out []string
		for _, e := range res.Resources {
			out = append(out, e.Resource)
		}
		return strings.Join(out, ",")
	}
	all := AccountInput{ExportID: "acct", Provider: "fake", All: true}
	if res, conn := run(all, false); names(res) != "a,b,whole" || res.Records != 75 || len(conn.offsets) != 9 {
		t.Fatalf("all: %s, %d records, %d pages", names(res), res.Records, len(conn.offsets))
	}
	if res, _ := run(AccountInput{ExportID: "acct", Provider: "fake", Resources: []string{"a_part"}}, false); names(res) != "a_part" || res.Records != 25 {
		t.Fatalf("named: %s, %d records", names(res), res.Records)
	}
	if res, _ := run(all, true); names(res) != "a,b,whole,a_part" {
		t.Fatalf("a run from before the change: %s", names(res))
	}
}

// TestAccountRefusedDiscoveryIsItsKindsFailure: a kind whose listing the API refused is
// failed in the account manifest, with the refusal, and every other resource exports.
func TestAccountRefusedDiscoveryIsItsKindsFailure(t *testing.T) {
	store := storagetest.NewMemory()
	env, conn := accountEnv(t, store, "")
	conn.refused = map[string]string{"custom_object": "close custom_object_type: HTTP 403: not allowed"}
	env.ExecuteWorkflow(Account, AccountInput{ExportID: "acct", Provider: "fake", All: true})
	err := env.GetWorkflowError()
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != ErrAccountIncomplete || !strings.Contains(err.Error(), "1 of 4 resources did not export (custom_object)") {
		t.Fatalf("got %v", err)
	}
	m := readAccountManifest(t, store, "fake/acct.account.json")
	for _, e := range m.Resources {
		switch {
		case e.Resource == "custom_object" && (e.Status != ResourceFailed || e.ErrorType != ErrDiscoveryRefused ||
			!strings.Contains(e.Error, "HTTP 403: not allowed") || e.WorkflowID != ""):
			t.Fatalf("refused kind: %+v", e)
		case e.Resource != "custom_object" && (e.Status != ResourceExported || e.Records != 25):
			t.Fatalf("%+v", e)
		}
	}
	if m.Complete || len(m.Resources) != 4 || len(conn.offsets) != 9 {
		t.Fatalf("complete %v, %d resources, %d pages", m.Complete, len(m.Resources), len(conn.offsets))
	}
}

// TestAllHoldsToTheResourceCap: an account whose catalog lists more resources than one
// account export takes fails with all as it would naming them, before any child starts.
func TestAllHoldsToTheResourceCap(t *testing.T) {
	store := storagetest.NewMemory()
	env, conn := accountEnv(t, store, "")
	conn.resources = nil
	for i := range MaxAccountResources + 1 {
		conn.resources = append(conn.resources, fmt.Sprintf("object-%d", i))
	}
	children := 0
	env.SetOnChildWorkflowStartedListener(func(*workflow.Info, workflow.Context, converter.EncodedValues) { children++ })
	env.ExecuteWorkflow(Account, AccountInput{Provider: "fake", All: true})
	assertInvalidInput(t, env.GetWorkflowError(), fmt.Sprintf("holds %d resources, more than the %d", MaxAccountResources+1, MaxAccountResources))
	if children != 0 {
		t.Fatalf("%d child exports started", children)
	}
}
