// Package clio exports Clio Manage (API v4) index resources.
package clio

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
const Name = "clio"

const (
	apiPath = "/api/v4"
	// MaxPageSize is Clio's limit cap for index actions.
	MaxPageSize = 200
	// OffsetCap is how far offset paging reaches: past it Clio answers 422.
	OffsetCap = 10000
)

// APIVersion pins Clio's minor version on every request (X-API-VERSION), so the fields a
// record has do not move under a running export: without it Clio serves its latest, and a
// field removed there would make every request of the export a 400. It is the default
// version of the OpenAPI document the catalog's fields come from; an invalid or retired
// version is a 410 Gone (https://docs.developers.clio.com/api-reference/#section/Minor-Versions).
const APIVersion = "4.0.13"

// DefaultBaseURL is used when Config.BaseURL is empty.
const DefaultBaseURL = "https://app.clio.com"

// Config is read from the worker's environment with the CLIO_ prefix.
type Config struct {
	// BaseURL is the region's host: app.clio.com, eu.app.clio.com, ca.app.clio.com or au.app.clio.com.
	BaseURL string `envconfig:"BASE_URL" default:"https://app.clio.com" desc:"Clio region host: app.clio.com, eu.app.clio.com, ca.app.clio.com or au.app.clio.com"`
	// Token is an OAuth access token, valid only on its own region's host.
	Token string `envconfig:"TOKEN" desc:"Clio OAuth access token (valid only on its region host)"`
	// TokenFile holds the token instead, re-read when it changes (a mounted Secret).
	TokenFile string `envconfig:"TOKEN_FILE" desc:"file holding the Clio token instead of CLIO_TOKEN; re-read when it changes"`
	// RatePerSecond stays under the documented 50 requests a minute per token.
	RatePerSecond float64 `envconfig:"RATE" default:"0.8" desc:"Clio requests a second per token (documented budget: 50 a minute)"`
}

// Connector pages through Clio. It is safe for concurrent use.
type Connector struct {
	cfg    Config
	base   *url.URL
	urlErr error
	client *http.Client
	pacer  *provider.Pacer
	token  *provider.Token
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
	return &Connector{cfg: cfg, base: base, urlErr: err, client: client, pacer: provider.NewPacer(cfg.RatePerSecond), token: provider.NewToken(cfg.Token, cfg.TokenFile, "CLIO_TOKEN")}
}

// Name implements provider.Connector.
func (c *Connector) Name() string { return Name }

// Pacer is the credential's pacer, for the worker to share its budget with other workers.
func (c *Connector) Pacer() *provider.Pacer { return c.pacer }

// Validate checks spec without touching the network and fills in defaults.
func (c *Connector) Validate(spec provider.Spec) (provider.Plan, error) {
	if c.urlErr != nil {
		return provider.Plan{}, provider.Invalid(Name, "CLIO_BASE_URL", "%v", c.urlErr)
	}
	if !c.token.Configured() {
		return provider.Plan{}, &provider.Error{Provider: Name, Resource: spec.Resource, Message: "CLIO_TOKEN is not set in the worker's environment"}
	}
	row, ok := lookup(spec.Resource)
	if !ok {
		return provider.Plan{}, provider.Invalid(Name, "resource", "%q is not a %s resource; allowed: %s", spec.Resource, Name, strings.Join(Resources(), ", "))
	}
	plan := provider.Plan{Spec: spec}
	switch spec.Strategy {
	case "":
		plan.Strategy = row.strategy()
	case provider.StrategyCursor, provider.StrategyOffset:
	default:
		return provider.Plan{}, provider.Invalid(Name, "strategy", "%q is not available for %s; allowed: cursor, offset", spec.Strategy, spec.Resource)
	}
	switch {
	case spec.PageSize == 0:
		plan.PageSize = MaxPageSize
	case spec.PageSize < 0 || spec.PageSize > MaxPageSize:
		return provider.Plan{}, provider.Invalid(Name, "page_size", "%d is out of range; Clio's maximum is %d", spec.PageSize, MaxPageSize)
	}
	if len(spec.Query) > 0 {
		return provider.Plan{}, provider.Invalid(Name, "query", "clio takes no query body; use filters (query parameters such as updated_since)")
	}
	fields := row.defaultFields()
	if len(spec.Fields) > 0 {
		fields = spec.Fields
	}
	var err error
	if plan.Fields, err = withID(fields); err != nil {
		return provider.Plan{}, err
	}
	if err := checkFilters(row, plan); err != nil {
		return provider.Plan{}, err
	}
	plan.Fields = withBounded(plan)
	plan.MaxParallel = 1
	if plan.Strategy == provider.StrategyOffset {
		plan.MaxParallel = 8
	}
	return plan, nil
}

// withID copies fields, rejects malformed names and puts id first when it is missing.
func withID(fields []string) ([]string, error) {
	out := make([]string, 0, len(fields)+1)
	for _, f := range fields {
		if f == "" || strings.ContainsAny(f, " \t\n&=") {
			return nil, provider.Invalid(Name, "fields", "%q is not a Clio field name (%s)", f, refFields)
		}
		out = append(out, f)
	}
	if !slices.Contains(out, "id") {
		out = append([]string{"id"}, out...)
	}
	return out, nil
}

// withBounded adds the timestamps the export's since and *_since filters bound, so each
// record can be checked to be within them.
func withBounded(plan provider.Plan) []string {
	fields := plan.Fields
	need := map[string]bool{"updated_at": !plan.Since.IsZero() || plan.Filters["updated_since"] != "", "created_at": plan.Filters["created_since"] != ""}
	for _, f := range []string{"created_at", "updated_at"} {
		if need[f] && !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	return fields
}

// Start is the first page: no cursor, offset 0.
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
	return &http.Client{Transport: t, Timeout: 2 * time.Minute}
}
