package conformance

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

type check struct {
	name string
	run  func(t *testing.T, target Target, c Case)
}

var checks = []check{
	{"FullExport", fullExport},
	{"Empty", empty},
	{"ExactMultiple", exactMultiple},
	{"RateLimited", rateLimited},
	{"ServerError", serverError},
	{"WireFaults", wireFaults},
	{"Unauthorized", unauthorized},
	{"Resume", resume},
	{"Partitions", partitions},
	{"Flaky", flaky},
	{"BrokenContracts", brokenContracts},
	{"WholeFields", wholeFields},
}

func sized(target Target, c Case, n int) sandbox.Options {
	opts := sandbox.Options{Seed: 7, Sizes: map[string]int{target.Provider + "/" + c.dataset(): n}}
	if target.Tune != nil {
		target.Tune(&opts)
	}
	return opts
}

// exportAll drains from Start and checks the result is exactly the dataset in few pages.
func exportAll(t *testing.T, target Target, c Case, e env, n int) Result {
	t.Helper()
	res := Drain(t, e.conn, e.plan, e.conn.Start(e.plan))
	c.assertExactly(t, e.sb, target.Provider, res.Records)
	// Whole pages, plus at most one empty page to learn the end.
	if most := (n+c.PageSize-1)/c.PageSize + 1; res.Pages > most {
		t.Errorf("%d records took %d pages of %d; want at most %d", n, res.Pages, c.PageSize, most)
	}
	if c.OnePage && res.Pages != 1 {
		t.Errorf("%d records took %d pages of an endpoint that answers in one", n, res.Pages)
	}
	return res
}

func fullExport(t *testing.T, target Target, c Case) {
	n := size(c, 3, 1)
	e := setup(t, target, c, sized(target, c, n))
	res := exportAll(t, target, c, e, n)
	// A stream takes FetchUnchecked and runs each check later: the same pages either way.
	if pf, ok := e.conn.(provider.Prefetcher); ok {
		un := Drain(t, unchecked{e.conn, pf}, e.plan, e.conn.Start(e.plan))
		c.assertExactly(t, e.sb, target.Provider, un.Records)
		if un.Pages != res.Pages {
			t.Errorf("FetchUnchecked took %d pages, Fetch %d", un.Pages, res.Pages)
		}
	}
}

// unchecked fetches as a stream does: the page, then its check.
type unchecked struct {
	provider.Connector
	pf provider.Prefetcher
}

func (u unchecked) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	page, check, err := u.pf.FetchUnchecked(ctx, req)
	if err == nil {
		err = check()
	}
	return page, err
}

func empty(t *testing.T, target Target, c Case) {
	e := setup(t, target, c, sized(target, c, 0))
	if res := exportAll(t, target, c, e, 0); len(res.Records) != 0 {
		t.Fatalf("empty resource gave %d records", len(res.Records))
	}
}

func exactMultiple(t *testing.T, target Target, c Case) {
	n := size(c, 3, 0)
	exportAll(t, target, c, setup(t, target, c, sized(target, c, n)), n)
}

func rateLimited(t *testing.T, target Target, c Case) {
	n := size(c, 2, 3)
	e := setup(t, target, c, sized(target, c, n))
	e.sb.FailNext(target.Provider, sandbox.FaultRateLimit, 1)
	_, err := e.conn.Fetch(context.Background(), provider.Request{Plan: e.plan, Position: e.conn.Start(e.plan)})
	if err == nil {
		t.Fatal("a 429 was not an error")
	}
	pe := AsError(t, err)
	if !pe.Retryable || !pe.RateLimited || pe.Status != http.StatusTooManyRequests {
		t.Fatalf("429 classified as %#v", pe)
	}
	// The sandbox asks for about a second (Close: half a second) in the provider's own shape.
	if pe.RetryAfter <= 0 || pe.RetryAfter > 5*time.Second {
		t.Fatalf("429 delay read as %v", pe.RetryAfter)
	}
	exportAll(t, target, c, e, n)
}

func serverError(t *testing.T, target Target, c Case) {
	n := size(c, 2, 3)
	e := setup(t, target, c, sized(target, c, n))
	e.sb.FailNext(target.Provider, sandbox.FaultServer, 3)
	res := exportAll(t, target, c, e, n)
	if len(res.Errors) != 3 {
		t.Fatalf("want 3 retried 5xx errors, got %v", res.Errors)
	}
	for _, pe := range res.Errors {
		if pe.Status < 500 || !pe.Retryable {
			t.Errorf("5xx classified as %#v", pe)
		}
	}
}

// wireFaults: a held request answered 504, a truncated body and a dropped connection are all
// retried.
func wireFaults(t *testing.T, target Target, c Case) {
	n := size(c, 2, 3)
	e := setup(t, target, c, sized(target, c, n))
	for _, f := range []sandbox.Fault{sandbox.FaultTimeout, sandbox.FaultTruncate, sandbox.FaultDrop} {
		e.sb.FailNext(target.Provider, f, 1)
	}
	if res := exportAll(t, target, c, e, n); len(res.Errors) != 3 {
		t.Fatalf("want 3 retried faults, got %v", res.Errors)
	}
}

func unauthorized(t *testing.T, target Target, c Case) {
	_, url := Serve(t, sized(target, c, 5))
	conn := target.New(url, "wrong-token", Client())
	plan, err := conn.Validate(c.spec())
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Fetch(context.Background(), provider.Request{Plan: plan, Position: conn.Start(plan)})
	if err == nil {
		t.Fatal("a wrong token was accepted")
	}
	pe := AsError(t, err)
	msg := err.Error()
	if pe.Retryable || pe.Status != http.StatusUnauthorized {
		t.Fatalf("401 classified as %#v", pe)
	}
	for _, want := range []string{target.Provider, c.Resource, "401", target.AuthText} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
}

// resume stops after two pages, stores the position as the workflow does (JSON), and
// finishes with a fresh connector.
func resume(t *testing.T, target Target, c Case) {
	if c.OnePage {
		t.Skip("one page: nothing to resume between pages")
	}
	n := size(c, 4, 2)
	e := setup(t, target, c, sized(target, c, n))
	first := Pages(t, e.conn, e.plan, e.conn.Start(e.plan), 2)
	if first.Done {
		t.Fatalf("%d records ended after %d pages", n, first.Pages)
	}
	raw, err := json.Marshal(first.Next)
	if err != nil {
		t.Fatal(err)
	}
	var pos provider.Position
	if err := json.Unmarshal(raw, &pos); err != nil {
		t.Fatal(err)
	}
	fresh := target.New(e.url, sandbox.DefaultToken(target.Provider), Client())
	rest := Drain(t, fresh, e.plan, pos)
	c.assertExactly(t, e.sb, target.Provider, append(first.Records, rest.Records...))
}

// partitions splits an offset export into End-bounded ranges, as a parallel export would.
func partitions(t *testing.T, target Target, c Case) {
	n := size(c, 5, 3)
	e := setup(t, target, c, sized(target, c, n))
	if e.plan.MaxParallel <= 1 || e.plan.Strategy != provider.StrategyOffset {
		t.Skipf("%s is not split into offset ranges", e.plan.Strategy)
	}
	bounds := []int{0, 2 * c.PageSize, 4*c.PageSize + 1, 0}
	var all []json.RawMessage
	for i := range len(bounds) - 1 {
		res := Drain(t, e.conn, e.plan, provider.Position{Offset: bounds[i], End: bounds[i+1]})
		if end := bounds[i+1]; end > 0 && len(res.Records) != end-bounds[i] {
			t.Errorf("range [%d,%d) gave %d records", bounds[i], end, len(res.Records))
		}
		all = append(all, res.Records...)
	}
	c.assertExactly(t, e.sb, target.Provider, all)
}

// flaky exports through random faults of every kind.
func flaky(t *testing.T, target Target, c Case) {
	n := size(c, 6, 1)
	opts := sized(target, c, n)
	opts.FaultRate = 0.3
	e := setup(t, target, c, opts)
	res := Drain(t, e.conn, e.plan, e.conn.Start(e.plan))
	c.assertExactly(t, e.sb, target.Provider, res.Records)
}
