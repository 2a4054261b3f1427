package clever_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/clever"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// TestTrailingEmptyPage: the last full page still links to a next page, which is empty and
// ends the export.
func TestTrailingEmptyPage(t *testing.T) {
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 9, Sizes: map[string]int{"clever/users": 25}})
	conn := newClever(url, sandbox.DefaultToken(clever.Name), conformance.Client())
	plan, err := conn.Validate(provider.Spec{Resource: "users", PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	res := conformance.Drain(t, conn, plan, conn.Start(plan))
	conformance.AssertExactly(t, sb, clever.Name, "users", res.Records)
	if st := sb.Stats().Providers[clever.Name]; res.Pages != 4 || st.Requests != 4 {
		t.Fatalf("25 records in pages of 10 took %d pages and %d requests; want 3 full pages and an empty one", res.Pages, st.Requests)
	}
}

// TestUserTokenHTML: an SSO user token is answered with an HTML page, which is fatal.
func TestUserTokenHTML(t *testing.T) {
	_, url := conformance.Serve(t, sandbox.Options{Seed: 9, Sizes: map[string]int{"clever/users": 5}})
	conn := newClever(url, sandbox.CleverUserToken, conformance.Client())
	plan, err := conn.Validate(provider.Spec{Resource: "users"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Fetch(context.Background(), provider.Request{Plan: plan, Position: conn.Start(plan)})
	if pe := conformance.AsError(t, err); pe.Retryable || !strings.Contains(pe.Message, "HTML") {
		t.Fatalf("got %v", err)
	}
}

// TestHasMoreForeverEnds: a next link on every page, empty ones included, still ends the
// export at the first empty page, as Clever documents, with every record once.
func TestHasMoreForeverEnds(t *testing.T) {
	opts := sandbox.Options{Seed: 9, Sizes: map[string]int{"clever/sections": 23}, Broken: []sandbox.Contract{sandbox.ContractHasMoreForever}}
	sb, url := conformance.Serve(t, opts)
	conn := newClever(url, sandbox.DefaultToken(clever.Name), conformance.Client())
	plan, err := conn.Validate(provider.Spec{Resource: "sections", PageSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	res := conformance.Drain(t, conn, plan, conn.Start(plan))
	conformance.AssertExactly(t, sb, clever.Name, "sections", res.Records)
}

// TestRoleFilter: role is optional; with it /v3.1/users lists the users holding that role.
func TestRoleFilter(t *testing.T) {
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 9, Sizes: map[string]int{"clever/users": 80}})
	conn := newClever(url, sandbox.DefaultToken(clever.Name), conformance.Client())
	plan, err := conn.Validate(provider.Spec{Resource: "users", PageSize: 9, Filters: map[string]string{"role": "teacher"}})
	if err != nil {
		t.Fatal(err)
	}
	var want []json.RawMessage
	for _, rec := range sb.Dataset(clever.Name, "users") {
		var u struct {
			Roles map[string]json.RawMessage `json:"roles"`
		}
		if err := json.Unmarshal(rec, &u); err != nil {
			t.Fatal(err)
		}
		if _, ok := u.Roles["teacher"]; ok {
			want = append(want, rec)
		}
	}
	res := conformance.Drain(t, conn, plan, conn.Start(plan))
	conformance.AssertSame(t, sb, clever.Name, want, res.Records)
	if len(want) == 0 || len(want) == 80 {
		t.Fatalf("%d of 80 users are teachers: the test shows nothing", len(want))
	}
}
