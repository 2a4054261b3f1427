// Package closeio exports Close CRM (API v1) lists, events and search results. It is not
// called close because that would shadow the builtin.
package closeio

import (
	"fmt"
	"net/http"
	"net/url"
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
	// TokenFile holds the token instead, re-read when it changes (a mounted Secret).
	TokenFile string `envconfig:"API_KEY_FILE" desc:"file holding the Close API key instead of CLOSE_API_KEY; re-read when it changes"`
	// RatePerSecond stays under the documented example of 20 requests a second per key.
	RatePerSecond float64 `envconfig:"RATE" default:"18" desc:"Close requests a second per key (documented example: 20)"`
	// MaxSkip is the largest _skip ever sent; Close's cap varies per resource.
	MaxSkip int `envconfig:"MAX_SKIP" default:"250000" desc:"largest _skip sent to Close; plain offset exports stop there"`
	// MaxSkipByResource overrides MaxSkip per resource, e.g. "lead:100000,activity:250000".
	MaxSkipByResource map[string]int `envconfig:"MAX_SKIP_BY_RESOURCE" desc:"per-resource MAX_SKIP, e.g. lead:100000,activity:250000"`
	// SearchCap is how many results one Advanced Filtering cursor walk returns at most
	// (10,000 per public connectors); window walks re-anchor well before it.
	SearchCap int `envconfig:"SEARCH_CAP" default:"10000" desc:"most results one Close Advanced Filtering cursor walk returns"`
	// CursorMaxAge is how old a search cursor may be and still be sent (they expire after
	// about 30 s); an older one is replaced by a re-anchored query.
	CursorMaxAge time.Duration `envconfig:"CURSOR_MAX_AGE" default:"20s" desc:"oldest Close search cursor sent (cursors expire after about 30s)"`
}

// Defaults for Config fields left zero.
const (
	DefaultSearchCap    = 10000
	DefaultCursorMaxAge = 20 * time.Second
)

// Page size maxima: list endpoints vary and answer 400 above theirs (connectors use 100);
// events cap _limit at 50; Advanced Filtering takes up to 200. A custom object page is
// that many leads, each one more request, so it defaults to fewer.
const (
	listLimit   = 100
	eventLimit  = 50
	searchLimit = 200
	leadsPage   = 10
)

// searched reports whether resource under strategy is walked through Advanced Filtering.
func searched(resource, strategy string) bool {
	r, _ := rowOf(resource)
	return r.walk && strategy == provider.StrategyWindow
}

// maxPage is the largest page_size for resource under strategy; 0 where the endpoint
// documents no paging.
func maxPage(resource, strategy string) int {
	r, _ := rowOf(resource)
	switch {
	case r.kind == kindEvent:
		return eventLimit
	case r.kind == kindSearch || searched(resource, strategy):
		return searchLimit
	case r.kind == kindOne:
		return 0
	}
	return listLimit
}

// Connector pages through Close. It is safe for concurrent use.
type Connector struct {
	cfg    Config
	base   *url.URL
	urlErr error
	client *http.Client
	pacer  *provider.Pacer
	token  *provider.Token
	now    func() time.Time
}

// New returns a connector; a nil client gets a default with timeouts.
func New(cfg Config, client *http.Client) *Connector {
	if client == nil {
		client = defaultClient()
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.SearchCap <= 0 {
		cfg.SearchCap = DefaultSearchCap
	}
	if cfg.CursorMaxAge <= 0 {
		cfg.CursorMaxAge = DefaultCursorMaxAge
	}
	base, err := parseBase(cfg.BaseURL)
	return &Connector{cfg: cfg, base: base, urlErr: err, client: client, pacer: provider.NewPacer(cfg.RatePerSecond), token: provider.NewToken(cfg.Token, cfg.TokenFile, "CLOSE_API_KEY"), now: time.Now}
}

// Name implements provider.Connector.
func (c *Connector) Name() string { return Name }

// Pacer is the credential's pacer, for the worker to share its budget with other workers.
func (c *Connector) Pacer() *provider.Pacer { return c.pacer }

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

// Start is the first page. A window export is bounded above by the export's start instant
// (or an earlier date_created__lt), so records created meanwhile never shift its pages. For
// activities since is a date_created bound, so it becomes the window's lower bound.
func (c *Connector) Start(plan provider.Plan) provider.Position {
	if plan.Strategy != provider.StrategyWindow {
		return provider.Position{}
	}
	now := c.now().UTC()
	pos := provider.Position{From: plan.Filters["date_created__gte"], Until: now.Format(closeTime)}
	if sinceFilter(plan) == "date_created__gte" && !plan.Since.IsZero() {
		pos.From = plan.Since.UTC().Format(closeTime)
	}
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
