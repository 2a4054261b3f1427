package clever_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/clever"
	"github.com/pagewise/pagewise/internal/provider/conformance"
	"github.com/pagewise/pagewise/internal/sandbox"
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
