package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// maxAttempts bounds retries of one page: injected faults are few, so more means a loop.
const maxAttempts = 25

// Serve starts a sandbox; a FaultTimeout holds only briefly unless opts says otherwise.
// When the test ends it fails if any request carried a parameter or body field the
// endpoint's reference does not document, or a documented one that has no effect there.
func Serve(t testing.TB, opts sandbox.Options) (*sandbox.Server, string) {
	t.Helper()
	if opts.TimeoutHold == 0 {
		opts.TimeoutHold = 20 * time.Millisecond
	}
	sb := sandbox.New(opts)
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { AssertDocumented(t, sb) })
	return sb, srv.URL
}

// AssertDocumented fails t if the sandbox counted an undocumented or ineffective parameter,
// or a request the providers' spec facts refuse (internal/apispec: enum, type, limit,
// required, fields named, endpoint).
func AssertDocumented(t testing.TB, sb *sandbox.Server) {
	t.Helper()
	st := sb.Stats()
	for _, m := range []struct {
		what   string
		counts map[string]int
	}{{"a parameter not documented", st.Undocumented}, {"a parameter documented to have no effect there", st.Ignored},
		{"what the spec does not allow", st.OffSpec}} {
		keys := slices.Sorted(maps.Keys(m.counts))
		for _, k := range keys {
			t.Errorf("%d requests sent %s: %s", m.counts[k], m.what, k)
		}
	}
}

// Client is the HTTP client connectors get in tests: its timeout only guards against a hang.
func Client() *http.Client { return &http.Client{Timeout: 30 * time.Second} }

// Result is what a drive collected.
type Result struct {
	Records []json.RawMessage
	Pages   int
	Next    provider.Position
	Done    bool
	// Errors are the retryable errors that were retried, in order.
	Errors []*provider.Error
}

// Drain fetches from pos until the partition is done, retrying retryable errors the way
// the workflow's retry policy would (without waiting: the sandbox's faults are one-shot).
// Every page goes through provider.Advance, as in the page activity.
func Drain(t testing.TB, conn provider.Connector, plan provider.Plan, pos provider.Position) Result {
	t.Helper()
	return Pages(t, conn, plan, pos, -1)
}

// Pages is Drain stopped after at most n pages (n < 0: no limit).
func Pages(t testing.TB, conn provider.Connector, plan provider.Plan, pos provider.Position, n int) Result {
	t.Helper()
	res, err := Try(t, conn, plan, pos, n)
	if err != nil {
		t.Fatalf("page %d at %+v: %v", res.Pages+1, res.Next, err)
	}
	return res
}

// Try is Pages that returns the first non-retryable error instead of failing t. A drain
// that takes more than 100,000 pages fails t: the guard should have stopped it.
func Try(t testing.TB, conn provider.Connector, plan provider.Plan, pos provider.Position, n int) (Result, error) {
	t.Helper()
	var res Result
	res.Next = pos
	for n < 0 || res.Pages < n {
		page, err := fetch(t, conn, plan, res.Next, &res)
		if err == nil {
			page, err = provider.Advance(conn.Name(), plan.Resource, res.Next, page)
		}
		if err != nil {
			return res, err
		}
		res.Pages++
		res.Records = append(res.Records, page.Records...)
		res.Next = page.Next
		if page.Done {
			res.Done = true
			return res, nil
		}
		if res.Pages > 100_000 {
			t.Fatal("export does not end")
		}
	}
	return res, nil
}

func fetch(t testing.TB, conn provider.Connector, plan provider.Plan, pos provider.Position, res *Result) (provider.Page, error) {
	t.Helper()
	for range maxAttempts {
		page, err := conn.Fetch(context.Background(), provider.Request{Plan: plan, Position: pos})
		if err == nil {
			return page, nil
		}
		pe := AsError(t, err)
		if !pe.Retryable {
			return page, err
		}
		res.Errors = append(res.Errors, pe)
	}
	return provider.Page{}, errors.New("still failing after retries")
}

// AsError insists err is a *provider.Error with its Resource set.
func AsError(t testing.TB, err error) *provider.Error {
	t.Helper()
	var pe *provider.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error is %T, not *provider.Error: %v", err, err)
	}
	if pe.Provider == "" || pe.Resource == "" {
		t.Errorf("error does not name its provider and resource: %#v", pe)
	}
	return pe
}

// AssertExactly checks records are the sandbox's dataset: same ids, none missing, none
// twice, and each record field by field the sandbox's own (see AssertSame).
func AssertExactly(t testing.TB, sb *sandbox.Server, prov, resource string, records []json.RawMessage) {
	t.Helper()
	AssertSame(t, sb, prov, sb.Dataset(prov, resource), records)
}

// AssertExactlyFields is AssertExactly for an export whose input named fields.
func AssertExactlyFields(t testing.TB, sb *sandbox.Server, prov, resource string, fields []string, records []json.RawMessage) {
	t.Helper()
	AssertSameFields(t, sb, prov, fields, sb.Dataset(prov, resource), records)
}

// AssertSame checks got holds exactly the records of want, by id, and that each is whole:
// every field of its want record, with the same value, and no other.
func AssertSame(t testing.TB, sb *sandbox.Server, prov string, want, got []json.RawMessage) {
	t.Helper()
	AssertSameFields(t, sb, prov, nil, want, got)
}

// AssertSameFields is AssertSame for an export narrowed to fields (as its input names them:
// "name", "addresses{street,city}", "custom" for every custom.* key): each named field must
// be there with the sandbox's value, and any other field a record carries must be the
// sandbox's too. Nil fields compares whole records.
func AssertSameFields(t testing.TB, sb *sandbox.Server, prov string, fields []string, want, got []json.RawMessage) {
	t.Helper()
	wanted := assertIDs(t, sb, prov, want, got)
	if d := DiffRecords(sb, prov, fields, wanted, got); d != "" {
		t.Fatalf("%s: %s", prov, d)
	}
}

// assertIDs checks got holds the ids of want, each once, and returns want by id.
func assertIDs(t testing.TB, sb *sandbox.Server, prov string, want, got []json.RawMessage) map[string]json.RawMessage {
	t.Helper()
	wanted := make(map[string]json.RawMessage, len(want))
	for _, r := range want {
		wanted[sb.IDOf(prov, r)] = r
	}
	seen := make(map[string]bool, len(got))
	var dups, extra []string
	for _, r := range got {
		id := sb.IDOf(prov, r)
		switch {
		case id == "":
			t.Fatalf("record without an id: %.200s", r)
		case seen[id]:
			dups = append(dups, id)
		case wanted[id] == nil:
			extra = append(extra, id)
		}
		seen[id] = true
	}
	var missing []string
	for id := range wanted {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	if len(dups)+len(extra)+len(missing) > 0 {
		t.Fatalf("%s: exported %d records where %d were expected: %d duplicated %v, %d unexpected %v, %d missing %v",
			prov, len(got), len(wanted), len(dups), head(dups), len(extra), head(extra), len(missing), head(missing))
	}
	return wanted
}

func head(ids []string) []string {
	if len(ids) > 5 {
		return ids[:5]
	}
	return ids
}
