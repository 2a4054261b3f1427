package closeio

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// Fetch gets the page at req.Position.
func (c *Connector) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	plan := req.Plan
	if c.urlErr != nil {
		return provider.Page{}, fatal(plan.Resource, "CLOSE_BASE_URL: %v", c.urlErr)
	}
	switch r := rowFor(plan.Resource); {
	case searched(plan.Resource, plan.Strategy):
		return c.fetchWalk(ctx, plan, req.Position)
	case r.kind == kindList && plan.Strategy == provider.StrategyWindow:
		return c.fetchWindow(ctx, plan, req.Position)
	case r.kind == kindList && plan.Strategy == provider.StrategyOffset:
		return c.fetchOffset(ctx, plan, req.Position)
	case r.kind == kindEvent:
		return c.fetchEvent(ctx, plan, req.Position)
	case r.kind == kindSearch:
		return c.fetchSearch(ctx, plan, req.Position)
	case r.kind == kindOne:
		return c.fetchOne(ctx, plan)
	case r.kind == kindByLead:
		return c.fetchByLead(ctx, plan, req.Position)
	}
	return provider.Page{}, fatal(plan.Resource, "strategy %q is not supported", plan.Strategy)
}

func (c *Connector) endpoint(path string, q url.Values) string {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func (c *Connector) do(ctx context.Context, resource, method, target string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return fatal(resource, "building request: %v", err)
	}
	tok, err := c.token.Get()
	if err != nil {
		return provider.NoCredential(Name, resource, err)
	}
	req.SetBasicAuth(tok, "")
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return provider.Call(ctx, c.client, c.pacer, wire, resource, req, out)
}
