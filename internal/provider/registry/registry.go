// Package registry builds every connector from the worker's environment and finds one by
// provider name.
package registry

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

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
}

// Registry finds a connector by provider name. Connectors are built once, so each
// credential has one pacer shared by every export.
type Registry struct {
	byName map[string]provider.Connector
}

// New builds every connector; a nil client gives each its default.
func New(cfg Config, client *http.Client) Registry {
	conns := []provider.Connector{
		attio.New(cfg.Attio, client),
		clever.New(cfg.Clever, client),
		clio.New(cfg.Clio, client),
		closeio.New(cfg.Close, client),
	}
	r := Registry{byName: make(map[string]provider.Connector, len(conns))}
	for _, c := range conns {
		r.byName[c.Name()] = c
	}
	return r
}

// Get is the connector for name, or a non-retryable error naming the allowed providers.
func (r Registry) Get(name string) (provider.Connector, error) {
	if c, ok := r.byName[name]; ok {
		return c, nil
	}
	return nil, &provider.Error{Message: fmt.Sprintf("invalid provider: %q; allowed: %s", name, strings.Join(r.Names(), ", "))}
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

// Rates is each provider's configured requests a second, by provider name.
func (c Config) Rates() map[string]float64 {
	return map[string]float64{
		attio.Name:   c.Attio.RatePerSecond,
		clever.Name:  c.Clever.RatePerSecond,
		clio.Name:    c.Clio.RatePerSecond,
		closeio.Name: c.Close.RatePerSecond,
	}
}

// Share gives this process 1/workers of provider name's budget.
func (r Registry) Share(name string, workers int) {
	if c, ok := r.byName[name].(interface{ Pacer() *provider.Pacer }); ok {
		c.Pacer().Share(workers)
	}
}
