package workflows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/provider"
)

var (
	outage  = &provider.Error{Provider: "fake", Resource: "items", Status: 503, Message: "unavailable", Retryable: true}
	revoked = &provider.Error{Provider: "fake", Resource: "items", Status: 401, Message: "token revoked", Credentials: true}
)

// progressAt queries the export's progress at workflow time at.
func (h *harness) progressAt(t *testing.T, at time.Duration) *Progress {
	var p Progress
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(QueryProgress)
		if err != nil {
			t.Error(err)
			return
		}
		if err := v.Get(&p); err != nil {
			t.Error(err)
		}
	}, at)
	return &p
}

// TestOutageHoldsThenGoesOn: a page failing for longer than the server's attempts is held by
// the workflow, which shows the last error and when, retries with backoff, and ends exact.
func TestOutageHoldsThenGoesOn(t *testing.T) {
	h := newHarness(t, 50)
	h.conn.failAt, h.conn.failures, h.conn.fail = 20, 30, outage
	during := h.progressAt(t, 3*time.Minute)
	h.env.ExecuteWorkflow(Export, input())
	var res ExportResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Records != 50 || h.conn.failed != 30 {
		t.Fatalf("%d records after %d failures", res.Records, h.conn.failed)
	}
	assertExact(t, h.storedIDs(t), 50)
	if during.Phase != PhaseExporting || !strings.Contains(during.LastError, "unavailable") || during.LastErrorAt.IsZero() {
		t.Fatalf("progress during the outage: %+v", during)
	}
}

// TestOutagePastItsDeadlineFails: the export gives up once the outage lasts longer than
// outage_deadline, naming the wait and the last error.
func TestOutagePastItsDeadlineFails(t *testing.T) {
	h := newHarness(t, 50)
	h.conn.failAt, h.conn.fail = 20, outage // for ever
	in := input()
	in.OutageDeadline = "30m"
	h.env.ExecuteWorkflow(Export, in)
	err := h.env.GetWorkflowError()
	if err == nil || !strings.Contains(err.Error(), "gave up after waiting 30m0s") || !strings.Contains(err.Error(), "unavailable") {
		t.Fatalf("got %v", err)
	}
}

// TestRevokedCredentialHoldsUntilItWorks: a 401 after the first pages puts the export in
// waiting_for_credentials; when the credential works again it carries on, exact.
func TestRevokedCredentialHoldsUntilItWorks(t *testing.T) {
	h := newHarness(t, 50)
	h.conn.failAt, h.conn.failures, h.conn.fail = 30, 6, revoked
	during := h.progressAt(t, 2*time.Minute)
	h.env.ExecuteWorkflow(Export, input())
	var res ExportResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Records != 50 || h.conn.failed != 6 {
		t.Fatalf("%d records after %d refusals", res.Records, h.conn.failed)
	}
	if during.Phase != PhaseWaitingForCredentials || !strings.Contains(during.LastError, "token revoked") {
		t.Fatalf("progress while the credential was refused: %+v", during)
	}
}

// TestRefusedCredentialOnTheFirstPageFailsAtOnce: with nothing fetched yet, a 401 is bad
// input: no wait.
func TestRefusedCredentialOnTheFirstPageFailsAtOnce(t *testing.T) {
	h := newHarness(t, 50)
	h.conn.failAt, h.conn.fail = 0, revoked
	h.env.ExecuteWorkflow(Export, input())
	var appErr *temporal.ApplicationError
	err := h.env.GetWorkflowError()
	if !errors.As(err, &appErr) || appErr.Type() != activities.ErrInvalidInput || !strings.Contains(err.Error(), "first page") {
		t.Fatalf("got %v", err)
	}
	if h.conn.failed != 1 {
		t.Fatalf("the first page was tried %d times", h.conn.failed)
	}
}

// TestRevokedCredentialPastItsDeadlineFails: credential_deadline ends the wait.
func TestRevokedCredentialPastItsDeadlineFails(t *testing.T) {
	h := newHarness(t, 50)
	h.conn.failAt, h.conn.fail = 30, revoked
	in := input()
	in.CredentialDeadline = "1h"
	h.env.ExecuteWorkflow(Export, in)
	var appErr *temporal.ApplicationError
	err := h.env.GetWorkflowError()
	if !errors.As(err, &appErr) || appErr.Type() != activities.ErrCredentials || !strings.Contains(err.Error(), "gave up after waiting 1h0m0s for the credential") {
		t.Fatalf("got %v", err)
	}
}
