package conformance

import (
	"errors"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// brokenContracts drains the case once per contract it lists, with the sandbox breaking it,
// and insists on a Contract error within a bounded number of pages: never a loop, never a
// silent end.
func brokenContracts(t *testing.T, target Target, c Case) {
	if len(c.Breaks) == 0 {
		t.Skip("no broken contract applies")
	}
	for _, mode := range c.Breaks {
		t.Run(string(mode), func(t *testing.T) {
			n := size(c, 3, 1)
			opts := sized(target, c, n)
			opts.Broken = []sandbox.Contract{mode}
			e := setup(t, target, c, opts)
			pos := e.conn.Start(e.plan)
			if mode == sandbox.ContractIgnoreWindow {
				pos = narrowed(t, target, c, &e, pos)
			}
			// Every page of the data, then what the guard allows past it.
			bound := n/c.PageSize + provider.MaxEmptyPages + 3
			res, err := Try(t, e.conn, e.plan, pos, bound)
			var pe *provider.Error
			switch {
			case err == nil && res.Done:
				t.Fatalf("the export ended after %d pages with %d records as if the API kept its contract", res.Pages, len(res.Records))
			case err == nil:
				t.Fatalf("no error after %d pages, the most a broken API may take", res.Pages)
			case !errors.As(err, &pe) || !pe.Contract || pe.Retryable:
				t.Fatalf("after %d pages: want a non-retryable Contract error, got %v", res.Pages, err)
			}
			t.Logf("stopped after %d pages: %v", res.Pages, err)
		})
	}
}

// narrowed makes an ignored window visible. A window export restarts after its first page
// as a partition would (From and Offset kept, cursor dropped), so an API that ignores the
// lower bound serves records before it. Other strategies get since an hour ago, with a few
// records touched now, so an API that ignores it serves the untouched ones too.
func narrowed(t *testing.T, target Target, c Case, e *env, pos provider.Position) provider.Position {
	t.Helper()
	if e.plan.Strategy == provider.StrategyWindow {
		first := Pages(t, e.conn, e.plan, pos, 1)
		return provider.Position{From: first.Next.From, Offset: first.Next.Offset, Until: first.Next.Until}
	}
	spec := c.spec()
	spec.Since = time.Now().Add(-time.Hour)
	plan, err := e.conn.Validate(spec)
	if err != nil {
		t.Fatalf("ignore-window is tested through since, which this case refuses: %v", err)
	}
	e.sb.Touch(target.Provider, c.dataset(), 3)
	e.plan = plan
	return e.conn.Start(plan)
}
