package clio

import (
	"context"
	"slices"

	"github.com/pagewise/pagewise/internal/provider"
)

// Catalog implements provider.Cataloger: the resources table, in its order. Clio has
// nothing to discover: its custom fields are a resource, not a kind of record.
func (c *Connector) Catalog(context.Context) ([]provider.Resource, error) {
	out := make([]provider.Resource, len(resources))
	for k, r := range resources {
		out[k] = provider.Resource{
			Name:        r.name,
			Strategy:    r.strategy(),
			Endpoint:    r.endpoint(),
			Reference:   r.reference(),
			Incremental: slices.Contains(r.params, "updated_since"),
		}
	}
	return out, nil
}
