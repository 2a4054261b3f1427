// Package attio exports Attio (API v2): every object's records, every list's entries, notes,
// meetings, tasks and workspace members.
package attio

import (
	"fmt"
	"net/http"
	"net/url"
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
	// Objects names more objects Validate accepts (comma-separated). Catalog finds every
	// object through GET /v2/objects and any snake-case slug is accepted, so this only
	// matters for names of another shape; kept so existing configurations still start.
	Objects []string `envconfig:"OBJECTS" desc:"extra Attio object names to accept (objects are discovered; rarely needed)"`
}

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

// Start is the first page: offset 0, or no cursor.
func (c *Connector) Start(provider.Plan) provider.Position { return provider.Position{} }

// Totalless implements provider.Totalless: Attio's offset pages never say how many
// records there are (a short page ends them), so offset partitions interleave.
func (c *Connector) Totalless(plan provider.Plan) bool {
	return plan.Strategy == provider.StrategyOffset
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
