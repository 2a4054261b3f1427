package clio

import (
	"maps"
	"slices"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// checkFilters holds filters to the row's documented parameters: never the parameter the
// row fixes, order only for offset paging (cursor paging is id(asc) only), and since or
// updated_since, not both.
func checkFilters(row resource, plan provider.Plan) error {
	cursor := plan.Strategy == provider.StrategyCursor
	allowed := row.params
	if cursor {
		allowed = slices.DeleteFunc(slices.Clone(allowed), func(k string) bool { return k == "order" })
	}
	for _, k := range slices.Sorted(maps.Keys(plan.Filters)) {
		switch {
		case k == row.fixed[0]:
			return provider.Invalid(Name, "filters", "%s: resource %s always sends %s=%s", k, row.name, k, row.fixed[1])
		case k == "order" && cursor && row.ordered():
			return provider.Invalid(Name, "filters", "order: cursor paging is id(asc) only (%s); use strategy offset for a custom order", refPaging)
		case !slices.Contains(allowed, k):
			return provider.Invalid(Name, "filters", "%q is not a parameter GET %s/%s.json documents (%s); allowed: %s", k, apiPath, row.path, row.reference(), strings.Join(allowed, ", "))
		case k == "updated_since" && !plan.Since.IsZero():
			return provider.Invalid(Name, "filters", "set since or filters.updated_since, not both")
		}
	}
	return nil
}
