// Package attio exports Attio (API v2) notes, object records and meetings.
package attio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// Name is the provider's name in export inputs.
const Name = "attio"

// DefaultBaseURL is used when Config.BaseURL is empty.
const DefaultBaseURL = "https://api.attio.com"

// Config is read from the worker's environment with the ATTIO_ prefix.
type Config struct {
	BaseURL string `envconfig:"BASE_URL" default:"https://api.attio.com" desc:"Attio API base URL"`
	// Token is an API key or OAuth access token.
	Token string `envconfig:"TOKEN" desc:"Attio API key or OAuth access token"`
	// TokenFile holds the token instead, re-read when it changes (a mounted Secret).
	TokenFile string `envconfig:"TOKEN_FILE" desc:"file holding the Attio token instead of ATTIO_TOKEN; re-read when it changes"`
	// RatePerSecond stays under the documented ~100 reads a second.
	RatePerSecond float64 `envconfig:"RATE" default:"90" desc:"Attio requests a second (documented: about 100 reads a second)"`
	// Objects adds custom object slugs to the standard objects (comma-separated).
	Objects []string `envconfig:"OBJECTS" desc:"custom Attio object slugs to export besides companies, deals, people, users, workspaces"`
}

// kind is how a resource is listed.
type kind int

const (
	kindNotes    kind = iota + 1 // GET /v2/notes, limit/offset in the query
	kindRecords                  // POST /v2/objects/{object}/records/query, limit/offset in the body
	kindMeetings                 // GET /v2/meetings, limit/cursor
)

// shape is what Validate allows and fills in for one kind.
type shape struct {
	strategy string
	maxPage  int
	filters  []string
}

var shapes = map[kind]shape{
	kindNotes:   {provider.StrategyOffset, 50, []string{"parent_object", "parent_record_id"}},
	kindRecords: {provider.StrategyOffset, 500, nil},
	// Only linked_object and linked_record_id are verified on the meetings reference; the
	// other filters seen in a third-party summary of it are not sent.
	kindMeetings: {provider.StrategyCursor, 200, []string{"linked_object", "linked_record_id"}},
}

// Reference pages of the endpoints the connector calls.
const (
	refNotes    = "https://docs.attio.com/rest-api/endpoint-reference/notes/list-notes"
	refRecords  = "https://docs.attio.com/rest-api/endpoint-reference/records/list-records"
	refMeetings = "https://docs.attio.com/rest-api/endpoint-reference/meetings/list-meetings"
)

// standardObjects are the objects every workspace has.
var standardObjects = []string{"companies", "deals", "people", "users", "workspaces"}

// Connector pages through Attio. It is safe for concurrent use.
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
	return &Connector{cfg: cfg, base: base, urlErr: err, client: client, pacer: provider.NewPacer(cfg.RatePerSecond), token: provider.NewToken(cfg.Token, cfg.TokenFile, "ATTIO_TOKEN")}
}

// Name implements provider.Connector.
func (c *Connector) Name() string { return Name }

// Pacer is the credential's pacer, for the worker to share its budget with other workers.
func (c *Connector) Pacer() *provider.Pacer { return c.pacer }

// Resources lists the resources Validate accepts.
func (c *Connector) Resources() []string {
	names := append([]string{"meetings", "notes"}, standardObjects...)
	names = append(names, c.cfg.Objects...)
	slices.Sort(names)
	return slices.Compact(names)
}

func (c *Connector) kindOf(resource string) kind {
	switch {
	case resource == "notes":
		return kindNotes
	case resource == "meetings":
		return kindMeetings
	case resource != "" && (slices.Contains(standardObjects, resource) || slices.Contains(c.cfg.Objects, resource)):
		return kindRecords
	}
	return 0
}

// Validate checks spec without touching the network and fills in defaults.
func (c *Connector) Validate(spec provider.Spec) (provider.Plan, error) {
	if c.urlErr != nil {
		return provider.Plan{}, provider.Invalid(Name, "ATTIO_BASE_URL", "%v", c.urlErr)
	}
	if !c.token.Configured() {
		return provider.Plan{}, &provider.Error{Provider: Name, Resource: spec.Resource, Message: "ATTIO_TOKEN is not set in the worker's environment"}
	}
	k := c.kindOf(spec.Resource)
	if k == 0 {
		return provider.Plan{}, provider.Invalid(Name, "resource", "%q is not an attio resource; allowed: %s (more objects through ATTIO_OBJECTS)", spec.Resource, strings.Join(c.Resources(), ", "))
	}
	sh := shapes[k]
	plan := provider.Plan{Spec: spec, MaxParallel: 1}
	if spec.Strategy == "" {
		plan.Strategy = sh.strategy
	} else if spec.Strategy != sh.strategy {
		return provider.Plan{}, provider.Invalid(Name, "strategy", "%q is not available for %s; allowed: %s", spec.Strategy, spec.Resource, sh.strategy)
	}
	if plan.Strategy == provider.StrategyOffset {
		plan.MaxParallel = 8
	}
	switch {
	case spec.PageSize == 0:
		plan.PageSize = sh.maxPage
	case spec.PageSize < 0 || spec.PageSize > sh.maxPage:
		return provider.Plan{}, provider.Invalid(Name, "page_size", "%d is out of range; Attio's maximum for %s is %d", spec.PageSize, spec.Resource, sh.maxPage)
	}
	if len(spec.Fields) > 0 {
		return provider.Plan{}, provider.Invalid(Name, "fields", "attio returns whole records and cannot select fields; leave fields empty")
	}
	for key := range spec.Filters {
		if !slices.Contains(sh.filters, key) {
			return provider.Plan{}, provider.Invalid(Name, "filters", "%q is not a filter the %s reference documents; allowed: %s", key, spec.Resource, allowed(sh.filters, k))
		}
	}
	if k == kindMeetings && (spec.Filters["linked_object"] == "") != (spec.Filters["linked_record_id"] == "") {
		return provider.Plan{}, provider.Invalid(Name, "filters", "linked_object and linked_record_id go together (%s)", refMeetings)
	}
	if err := checkQuery(spec, k); err != nil {
		return provider.Plan{}, err
	}
	if !spec.Since.IsZero() && k != kindRecords {
		return provider.Plan{}, provider.Invalid(Name, "since", "attio cannot list %s changed since a time; leave since empty", spec.Resource)
	}
	return plan, nil
}

func allowed(filters []string, k kind) string {
	if k == kindRecords {
		return "none (put the record filter in query)"
	}
	return strings.Join(filters, ", ")
}

// checkQuery accepts a JSON object, and only where Attio takes a filter body.
func checkQuery(spec provider.Spec, k kind) error {
	if len(bytes.TrimSpace(spec.Query)) == 0 {
		return nil
	}
	if k != kindRecords {
		return provider.Invalid(Name, "query", "%s takes no filter body; query is for object records", spec.Resource)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(spec.Query, &obj); err != nil || obj == nil {
		return provider.Invalid(Name, "query", "must be a JSON object (an Attio filter), got %.80s", spec.Query)
	}
	return nil
}

// Start is the first page: offset 0, or no cursor.
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
