// Package clever exports Clever (API v3.x) district data with a district bearer token.
package clever

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// Name is the provider's name in export inputs.
const Name = "clever"

const (
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
	// TokenFile holds the token instead, re-read when it changes (a mounted Secret).
	TokenFile string `envconfig:"TOKEN_FILE" desc:"file holding the Clever token instead of CLEVER_TOKEN; re-read when it changes"`
	// RatePerSecond stays under the documented 1,200 requests a minute per token.
	RatePerSecond float64 `envconfig:"RATE" default:"19" desc:"Clever requests a second per token (documented: 1,200 a minute)"`
}

// Connector pages through Clever. It is safe for concurrent use.
type Connector struct {
	cfg    Config
	base   *url.URL
	urlErr error
	client *http.Client
	pacer  *provider.Pacer
	token  *provider.Token
	now    func() time.Time // the 30-day events history is measured from it
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
	return &Connector{cfg: cfg, base: base, urlErr: err, client: client, pacer: provider.NewPacer(cfg.RatePerSecond), token: provider.NewToken(cfg.Token, cfg.TokenFile, "CLEVER_TOKEN"), now: time.Now}
}

// Name implements provider.Connector.
func (c *Connector) Name() string { return Name }

// Pacer is the credential's pacer, for the worker to share its budget with other workers.
func (c *Connector) Pacer() *provider.Pacer { return c.pacer }

// Validate checks spec without touching the network and fills in defaults.
func (c *Connector) Validate(spec provider.Spec) (provider.Plan, error) {
	if c.urlErr != nil {
		return provider.Plan{}, provider.Invalid(Name, "CLEVER_BASE_URL", "%v", c.urlErr)
	}
	if !c.token.Configured() {
		return provider.Plan{}, &provider.Error{Provider: Name, Resource: spec.Resource, Message: "CLEVER_TOKEN is not set in the worker's environment"}
	}
	row, ok := rowOf(spec.Resource)
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
	case !spec.Since.IsZero() && !row.events:
		return provider.Plan{}, provider.Invalid(Name, "since", "clever lists cannot be limited to changes since a time: export %s whole, and its changes through the events resource", spec.Resource)
	}
	if role, ok := spec.Filters["role"]; ok && !slices.Contains(roles, role) {
		return provider.Plan{}, provider.Invalid(Name, "filters", "role %q is not a Clever user role; allowed: %s", role, strings.Join(roles, ", "))
	}
	for k := range spec.Filters {
		if !slices.Contains(row.filters, k) {
			names := "none"
			if len(row.filters) > 0 {
				names = strings.Join(row.filters, ", ")
			}
			return provider.Plan{}, provider.Invalid(Name, "filters", "%q is not a filter for %s; allowed: %s", k, spec.Resource, names)
		}
	}
	return plan, nil
}

// Start is the first page: no next link yet.
func (c *Connector) Start(provider.Plan) provider.Position { return provider.Position{} }

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
