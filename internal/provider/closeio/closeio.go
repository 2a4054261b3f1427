// Package closeio exports Close CRM (API v1) lists, events and search results. It is not
// called close because that would shadow the builtin.
package closeio

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
const Name = "close"

// DefaultMaxSkip is the largest _skip seen accepted (email activities, in a public connector's issue).
const DefaultMaxSkip = 250000

// DefaultBaseURL is used when Config.BaseURL is empty.
const DefaultBaseURL = "https://api.close.com"

// Config is read from the worker's environment with the CLOSE_ prefix.
type Config struct {
	BaseURL string `envconfig:"BASE_URL" default:"https://api.close.com" desc:"Close API base URL"`
	// Token is the API key (CLOSE_API_KEY), sent as the Basic auth user name with an empty password.
	Token string `envconfig:"API_KEY" desc:"Close API key (sent as the Basic auth user name)"`
	// RatePerSecond stays under the documented example of 20 requests a second per key.
	RatePerSecond float64 `envconfig:"RATE" default:"18" desc:"Close requests a second per key (documented example: 20)"`
	// MaxSkip is the largest _skip ever sent; Close's cap varies per resource.
	MaxSkip int `envconfig:"MAX_SKIP" default:"250000" desc:"largest _skip sent to Close; plain offset exports stop there"`
	// MaxSkipByResource overrides MaxSkip per resource, e.g. "lead:100000,activity:250000".
	MaxSkipByResource map[string]int `envconfig:"MAX_SKIP_BY_RESOURCE" desc:"per-resource MAX_SKIP, e.g. lead:100000,activity:250000"`
}

// kind is how a resource is listed.
type kind int

const (
	kindList   kind = iota + 1 // GET /api/v1/{resource}/ with _skip/_limit
	kindEvent                  // GET /api/v1/event/ with _cursor/_limit
	kindSearch                 // POST /api/v1/data/search/ with cursor/_limit in the body
)

type shape struct {
	kind       kind
	strategies []string // the first is the default
	maxPage    int
}

var shapes = map[string]shape{
	"lead":        {kindList, []string{provider.StrategyWindow, provider.StrategyOffset}, 100},
	"contact":     {kindList, []string{provider.StrategyWindow, provider.StrategyOffset}, 100},
	"opportunity": {kindList, []string{provider.StrategyWindow, provider.StrategyOffset}, 100},
	"activity":    {kindList, []string{provider.StrategyWindow, provider.StrategyOffset}, 100},
	"event":       {kindEvent, []string{provider.StrategyCursor}, 50},
	"search":      {kindSearch, []string{provider.StrategyCursor}, 200},
}

// Filter keys the connector owns on list endpoints, and the event filters Close documents.
var (
	reservedList = []string{"_fields", "_limit", "_order_by", "_skip"}
	windowKeys   = []string{"date_created__gt", "date_created__gte", "date_created__lt", "date_created__lte"}
	eventFilters = []string{"action", "date_updated__gte", "date_updated__lte", "lead_id", "object_id", "object_type", "request_id", "user_id"}
)

// Connector pages through Close. It is safe for concurrent use.
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
	names := make([]string, 0, len(shapes))
	for r := range shapes {
		names = append(names, r)
	}
	slices.Sort(names)
	return names
}

// maxSkip is the largest _skip this connector sends for resource.
func (c *Connector) maxSkip(resource string) int {
	if n := c.cfg.MaxSkipByResource[resource]; n > 0 {
		return n
	}
	if c.cfg.MaxSkip > 0 {
		return c.cfg.MaxSkip
	}
	return DefaultMaxSkip
}

// Validate checks spec without touching the network and fills in defaults.
func (c *Connector) Validate(spec provider.Spec) (provider.Plan, error) {
	if c.urlErr != nil {
		return provider.Plan{}, provider.Invalid(Name, "CLOSE_BASE_URL", "%v", c.urlErr)
	}
	if c.cfg.Token == "" {
		return provider.Plan{}, &provider.Error{Provider: Name, Resource: spec.Resource, Message: "CLOSE_API_KEY is not set in the worker's environment"}
	}
	sh, ok := shapes[spec.Resource]
	if !ok {
		return provider.Plan{}, provider.Invalid(Name, "resource", "%q is not a %s resource; allowed: %s", spec.Resource, Name, strings.Join(Resources(), ", "))
	}
	plan := provider.Plan{Spec: spec, MaxParallel: 1}
	if spec.Strategy == "" {
		plan.Strategy = sh.strategies[0]
	} else if !slices.Contains(sh.strategies, spec.Strategy) {
		return provider.Plan{}, provider.Invalid(Name, "strategy", "%q is not available for %s; allowed: %s", spec.Strategy, spec.Resource, strings.Join(sh.strategies, ", "))
	}
	// Offset ranges and date_created windows can page concurrently; the credential's
	// pacer, not this number, keeps them under the rate budget.
	if plan.Strategy == provider.StrategyOffset || plan.Strategy == provider.StrategyWindow {
		plan.MaxParallel = 8
	}
	switch {
	case spec.PageSize == 0:
		plan.PageSize = min(100, sh.maxPage)
	case spec.PageSize < 0 || spec.PageSize > sh.maxPage:
		return provider.Plan{}, provider.Invalid(Name, "page_size", "%d is out of range; the maximum for %s is %d", spec.PageSize, spec.Resource, sh.maxPage)
	}
	var err error
	switch sh.kind {
	case kindList:
		err = checkList(&plan)
	case kindEvent:
		err = checkEvent(plan)
	case kindSearch:
		err = checkSearch(plan)
	}
	if err != nil {
		return provider.Plan{}, err
	}
	return plan, nil
}

func checkList(plan *provider.Plan) error {
	if len(plan.Query) > 0 {
		return provider.Invalid(Name, "query", "%s takes no query body; use filters, or resource search", plan.Resource)
	}
	for k := range plan.Filters {
		switch {
		case k == "" || slices.Contains(reservedList, k):
			return provider.Invalid(Name, "filters", "%q is set by the exporter; any Close filter except %s is allowed", k, strings.Join(reservedList, ", "))
		case k == "date_updated__gte" && !plan.Since.IsZero():
			return provider.Invalid(Name, "filters", "set since or filters.date_updated__gte, not both")
		case plan.Strategy == provider.StrategyWindow && slices.Contains(windowKeys, k) && k != "date_created__gte" && k != "date_created__lt":
			return provider.Invalid(Name, "filters", "%s: the window strategy bounds date_created itself; use date_created__gte and date_created__lt, or strategy offset", k)
		}
	}
	if len(plan.Fields) > 0 {
		// id identifies records; the window strategy reads date_created.
		fields := slices.Clone(plan.Fields)
		for _, f := range []string{"date_created", "id"} {
			if !slices.Contains(fields, f) {
				fields = append([]string{f}, fields...)
			}
		}
		plan.Fields = fields
	}
	return nil
}

func checkEvent(plan provider.Plan) error {
	if len(plan.Query) > 0 || len(plan.Fields) > 0 {
		return provider.Invalid(Name, "query", "event takes neither query nor fields; use filters (%s)", strings.Join(eventFilters, ", "))
	}
	for k := range plan.Filters {
		if !slices.Contains(eventFilters, k) {
			return provider.Invalid(Name, "filters", "%q is not an event filter; allowed: %s", k, strings.Join(eventFilters, ", "))
		}
		if k == "date_updated__gte" && !plan.Since.IsZero() {
			return provider.Invalid(Name, "filters", "set since or filters.date_updated__gte, not both")
		}
	}
	return nil
}

func checkSearch(plan provider.Plan) error {
	switch {
	case len(plan.Filters) > 0:
		return provider.Invalid(Name, "filters", "search takes no filters; put every condition in query")
	case !plan.Since.IsZero():
		return provider.Invalid(Name, "since", "search cannot add since; put a date_updated condition in query")
	case len(bytes.TrimSpace(plan.Query)) == 0:
		return provider.Invalid(Name, "query", "search needs query, a Close Advanced Filtering query object")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(plan.Query, &obj); err != nil || obj == nil {
		return provider.Invalid(Name, "query", "must be a JSON object (a Close Advanced Filtering query), got %.80s", plan.Query)
	}
	for _, f := range plan.Fields {
		if typ, field, dotted := strings.Cut(f, "."); f == "" || dotted && (typ == "" || field == "") {
			return provider.Invalid(Name, "fields", "%q: search fields are object_type.field (lead.display_name, contact.emails) or a lead field", f)
		}
	}
	return nil
}

// searchFields groups fields by object type for search's _fields: {"lead": ["id", …]}. A
// bare name is a lead field, the type search returns most; search always returns id.
func searchFields(fields []string) map[string][]string {
	if len(fields) == 0 {
		return nil
	}
	byType := map[string][]string{}
	for _, f := range fields {
		typ, field, ok := strings.Cut(f, ".")
		if !ok {
			typ, field = "lead", f
		}
		if !slices.Contains(byType[typ], "id") {
			byType[typ] = append(byType[typ], "id")
		}
		if field != "id" {
			byType[typ] = append(byType[typ], field)
		}
	}
	return byType
}

// Start is the first page. A window export is bounded above by the export's start instant
// (or an earlier date_created__lt), so records created meanwhile never shift its pages.
func (c *Connector) Start(plan provider.Plan) provider.Position {
	if plan.Strategy != provider.StrategyWindow {
		return provider.Position{}
	}
	now := time.Now().UTC()
	pos := provider.Position{From: plan.Filters["date_created__gte"], Until: now.Format(closeTime)}
	if lt := plan.Filters["date_created__lt"]; lt != "" {
		if t, ok := parseTime(lt); !ok || t.Before(now) {
			pos.Until = lt
		}
	}
	return pos
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
	return &http.Client{Transport: t, Timeout: 2 * time.Minute}
}
