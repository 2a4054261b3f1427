// Package registry builds every connector from the worker's environment and finds one by
// provider name.
package registry

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/attio"
	"github.com/pagewise/pagewise/internal/provider/clever"
	"github.com/pagewise/pagewise/internal/provider/clio"
	"github.com/pagewise/pagewise/internal/provider/closeio"
)

// Config holds every provider's settings. Loaded by envconfig with an empty prefix,
// Clio.Token is CLIO_TOKEN and Close.Token is CLOSE_API_KEY.
type Config struct {
	Clio   clio.Config    `envconfig:"CLIO"`
	Attio  attio.Config   `envconfig:"ATTIO"`
	Close  closeio.Config `envconfig:"CLOSE"`
	Clever clever.Config  `envconfig:"CLEVER"`
	// CredentialsDir holds named credentials' tokens as <dir>/<provider>/<name>.
	CredentialsDir string `envconfig:"PAGEWISE_CREDENTIALS_DIR" desc:"folder of named credentials' tokens, one file each: <provider>/<name> (a mounted Secret per provider)"`
}

// Registry finds a connector by provider and credential name. Connectors are built once,
// so each credential has one pacer shared by every export that uses it.
type Registry struct {
	byName  map[string]provider.Connector
	kinds   map[string]kind
	lookup  func(string) (string, bool)
	environ []string
	dir     string // PAGEWISE_CREDENTIALS_DIR

	mu    *sync.Mutex
	named map[string]provider.Connector // provider + "/" + credential
}

// kind builds a provider's connector for a named credential.
type kind struct {
	tokenVar string
	rate     float64
	build    func(token, file string) provider.Connector
}

// New builds every connector from the worker's environment; a nil client gives each its
// default. Named credentials are found in the process environment when first used.
func New(cfg Config, client *http.Client) Registry {
	return NewWithEnv(cfg, client, os.LookupEnv, os.Environ())
}

// NewWithEnv is New with the environment given, for tests.
func NewWithEnv(cfg Config, client *http.Client, lookup func(string) (string, bool), environ []string) Registry {
	kinds := map[string]kind{
		attio.Name: {"ATTIO_TOKEN", cfg.Attio.RatePerSecond, func(tok, file string) provider.Connector {
			c := cfg.Attio
			c.Token, c.TokenFile = tok, file
			return attio.New(c, client)
		}},
		clever.Name: {"CLEVER_TOKEN", cfg.Clever.RatePerSecond, func(tok, file string) provider.Connector {
			c := cfg.Clever
			c.Token, c.TokenFile = tok, file
			return clever.New(c, client)
		}},
		clio.Name: {"CLIO_TOKEN", cfg.Clio.RatePerSecond, func(tok, file string) provider.Connector {
			c := cfg.Clio
			c.Token, c.TokenFile = tok, file
			return clio.New(c, client)
		}},
		closeio.Name: {"CLOSE_API_KEY", cfg.Close.RatePerSecond, func(tok, file string) provider.Connector {
			c := cfg.Close
			c.Token, c.TokenFile = tok, file
			return closeio.New(c, client)
		}},
	}
	r := Registry{byName: map[string]provider.Connector{}, kinds: kinds, lookup: lookup, environ: environ, dir: cfg.CredentialsDir,
		mu: &sync.Mutex{}, named: map[string]provider.Connector{}}
	r.byName[attio.Name] = attio.New(cfg.Attio, client)
	r.byName[clever.Name] = clever.New(cfg.Clever, client)
	r.byName[clio.Name] = clio.New(cfg.Clio, client)
	r.byName[closeio.Name] = closeio.New(cfg.Close, client)
	return r
}

// Get is the connector for name's default credential (CLIO_TOKEN, …) when credential is
// empty, else for the named one, or a non-retryable error naming what is wrong.
func (r Registry) Get(name, credential string) (provider.Connector, error) {
	c, ok := r.byName[name]
	if !ok {
		return nil, &provider.Error{Message: fmt.Sprintf("invalid provider: %q; allowed: %s", name, strings.Join(r.Names(), ", "))}
	}
	if credential == "" {
		return c, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.named[name+"/"+credential]; ok {
		return c, nil
	}
	k := r.kinds[name]
	tok, file, err := provider.NamedToken(name, k.tokenVar, credential, r.dir, r.lookup)
	if err != nil {
		return nil, err
	}
	c = k.build(tok, file)
	r.named[name+"/"+credential] = c
	return c, nil
}

// Budget is one credential's request budget: each has its own page queue and pacer.
type Budget struct {
	Provider   string
	Credential string // empty: the provider's default credential
	Rate       float64
}

// Budgets lists the default credential of every provider and every named credential the
// environment holds, each with the provider's configured rate (limits are per token).
func (r Registry) Budgets() []Budget {
	var out []Budget
	for _, name := range r.Names() {
		k := r.kinds[name]
		out = append(out, Budget{Provider: name, Rate: k.rate})
		for _, cred := range provider.NamedCredentials(name, k.tokenVar, r.dir, r.environ) {
			out = append(out, Budget{Provider: name, Credential: cred, Rate: k.rate})
		}
	}
	return out
}

// Names lists the providers in alphabetical order.
func (r Registry) Names() []string {
	names := make([]string, 0, len(r.byName))
	for n := range r.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Share gives this process 1/workers of a credential's budget.
func (r Registry) Share(name, credential string, workers int) {
	c, err := r.Get(name, credential)
	if err != nil {
		return
	}
	if p, ok := c.(interface{ Pacer() *provider.Pacer }); ok {
		p.Pacer().Share(workers)
	}
}
