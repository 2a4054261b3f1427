// Package clever exports Clever (API v3.0) district data with a district bearer token.
package clever

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// Name is the provider's name in export inputs.
const Name = "clever"

const (
	apiPath = "/v3.0"
	// MaxPageSize is Clever's limit cap; above it the API answers 413.
	MaxPageSize     = 10000
	defaultPageSize = 1000
)

// DefaultBaseURL is used when Config.BaseURL is empty.
const DefaultBaseURL = "https://api.clever.com"

// Config is read from the worker's environment with the CLEVER_ prefix.
type Config struct {
	BaseURL string `envconfig:"BASE_URL" default:"https://api.clever.com" desc:"Clever API base URL"`
	// Token is a district bearer token: SSO user tokens cannot paginate.
	Token string `envconfig:"TOKEN" desc:"Clever district bearer token (SSO user tokens cannot paginate)"`
	// RatePerSecond stays under the documented 1,200 requests a minute per token.
	RatePerSecond float64 `envconfig:"RATE" default:"19" desc:"Clever requests a second per token (documented: 1,200 a minute)"`
}

// filters are the query parameters each resource accepts.
var filters = map[string][]string{
	"courses":   nil,
	"districts": nil,
	"resources": nil,
	"schools":   nil,
	"sections":  nil,
	"terms":     nil,
	"users":     {"role"},
}

// Connector pages through Clever. It is safe for concurrent use.
type Connector struct {
	cfg    Config
	base   *url.URL
	urlErr error
	client *http.Client
	pacer  *provider.Pacer
}

// New returns a connector; a nil client gets a default with timeouts.
func New(cfg Config, client *http.Client) *Connector {
	if client == nil {
		client = defaultClient()
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := parseBase(cfg.BaseURL)
	return &Connector{cfg: cfg, base: base, urlErr: err, client: client, pacer: provider.NewPacer(cfg.RatePerSecond)}
}

// Name implements provider.Connector.
func (c *Connector) Name() string { return Name }

// Pacer is the credential's pacer, for the worker to share its budget with other workers.
func (c *Connector) Pacer() *provider.Pacer { return c.pacer }

// Resources lists the resources Validate accepts.
func Resources() []string {
	names := make([]string, 0, len(filters))
	for r := range filters {
		names = append(names, r)
	}
	slices.Sort(names)
	return names
}

// Validate checks spec without touching the network and fills in defaults.
func (c *Connector) Validate(spec provider.Spec) (provider.Plan, error) {
	if c.urlErr != nil {
		return provider.Plan{}, provider.Invalid(Name, "CLEVER_BASE_URL", "%v", c.urlErr)
	}
	if c.cfg.Token == "" {
		return provider.Plan{}, &provider.Error{Provider: Name, Resource: spec.Resource, Message: "CLEVER_TOKEN is not set in the worker's environment"}
	}
	allowed, ok := filters[spec.Resource]
	if !ok {
		return provider.Plan{}, provider.Invalid(Name, "resource", "%q is not a %s resource; allowed: %s", spec.Resource, Name, strings.Join(Resources(), ", "))
	}
	plan := provider.Plan{Spec: spec, MaxParallel: 1}
	switch spec.Strategy {
	case "":
		plan.Strategy = provider.StrategyCursor
	case provider.StrategyCursor:
	default:
		return provider.Plan{}, provider.Invalid(Name, "strategy", "%q is not available for %s; allowed: cursor", spec.Strategy, spec.Resource)
	}
	switch {
	case spec.PageSize == 0:
		plan.PageSize = defaultPageSize
	case spec.PageSize < 0 || spec.PageSize > MaxPageSize:
		return provider.Plan{}, provider.Invalid(Name, "page_size", "%d is out of range; Clever's maximum is %d", spec.PageSize, MaxPageSize)
	}
	switch {
	case len(spec.Fields) > 0:
		return provider.Plan{}, provider.Invalid(Name, "fields", "clever returns whole records and cannot select fields; leave fields empty")
	case len(spec.Query) > 0:
		return provider.Plan{}, provider.Invalid(Name, "query", "clever takes no query body; use filters")
	case !spec.Since.IsZero():
		return provider.Plan{}, provider.Invalid(Name, "since", "clever lists cannot be limited to changes since a time (that is the Events API); leave since empty")
	}
	for k := range spec.Filters {
		if !slices.Contains(allowed, k) {
			names := "none"
			if len(allowed) > 0 {
				names = strings.Join(allowed, ", ")
			}
			return provider.Plan{}, provider.Invalid(Name, "filters", "%q is not a filter for %s; allowed: %s", k, spec.Resource, names)
		}
	}
	return plan, nil
}

// Start is the first page: no next link yet.
func (c *Connector) Start(provider.Plan) provider.Position { return provider.Position{} }

// Fetch gets the page at req.Position, following the rel=next link of the previous page.
func (c *Connector) Fetch(ctx context.Context, req provider.Request) (provider.Page, error) {
	plan, pos := req.Plan, req.Position
	if c.urlErr != nil {
		return provider.Page{}, fatal(plan.Resource, "CLEVER_BASE_URL: %v", c.urlErr)
	}
	target, err := c.target(plan, pos.Cursor)
	if err != nil {
		return provider.Page{}, err
	}
	var resp listResponse
	if err := c.get(ctx, plan.Resource, target, &resp); err != nil {
		return provider.Page{}, err
	}
	page := provider.Page{Records: make([]json.RawMessage, len(resp.Data)), Total: -1}
	for i, it := range resp.Data {
		if len(it.Data) == 0 || string(it.Data) == "null" {
			return provider.Page{}, fatal(plan.Resource, "item %d of the page has no data object (uri %q)", i, it.URI)
		}
		page.Records[i] = it.Data
	}
	next := nextLink(resp.Links)
	// A next link can lead to an empty page; that page ends the export.
	if next == "" || len(resp.Data) == 0 {
		page.Done = true
		return page, nil
	}
	if _, err := c.target(plan, next); err != nil {
		return provider.Page{}, err
	}
	page.Next = provider.Position{Cursor: next}
	return page, nil
}

// target is the URL for a relative next link (or the first page), resolved against the base
// URL. A link to another host is refused: the token goes only to CLEVER_BASE_URL. The
// page size and filters are added when the link does not carry them.
func (c *Connector) target(plan provider.Plan, next string) (string, error) {
	var u *url.URL
	if next == "" {
		u = c.base.JoinPath(apiPath, plan.Resource)
	} else {
		ref, err := url.Parse(next)
		if err != nil {
			return "", fatal(plan.Resource, "unparseable next link %q: %v", next, err)
		}
		u = c.base.ResolveReference(ref)
		if !sameOrigin(u, c.base) {
			return "", fatal(plan.Resource, "refusing next link outside %s://%s (the token is sent only to the configured CLEVER_BASE_URL)", c.base.Scheme, c.base.Host)
		}
	}
	q := u.Query()
	if !q.Has("limit") {
		q.Set("limit", strconv.Itoa(plan.PageSize))
	}
	for k, v := range plan.Filters {
		if !q.Has(k) {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func nextLink(links []link) string {
	for _, l := range links {
		if l.Rel == "next" {
			return l.URI
		}
	}
	return ""
}

func (c *Connector) get(ctx context.Context, resource, target string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fatal(resource, "building request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("Accept", "application/json")
	body, err := provider.Call(ctx, c.client, c.pacer, wire, resource, req)
	if err != nil {
		return err
	}
	return provider.Decode(Name, resource, body, out)
}

func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", raw)
	}
	return u, nil
}

func defaultClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = time.Minute
	return &http.Client{Transport: t, Timeout: 5 * time.Minute}
}

// sameOrigin reports whether u has base's scheme, host and port (a default port written out
// or left implicit is the same port).
func sameOrigin(u, base *url.URL) bool {
	return strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Hostname(), base.Hostname()) && port(u) == port(base)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}
