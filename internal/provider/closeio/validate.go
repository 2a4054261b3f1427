package closeio

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// Validate checks spec without touching the network and fills in defaults.
func (c *Connector) Validate(spec provider.Spec) (provider.Plan, error) {
	if c.urlErr != nil {
		return provider.Plan{}, provider.Invalid(Name, "CLOSE_BASE_URL", "%v", c.urlErr)
	}
	if !c.token.Configured() {
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
	most := maxPage(plan.Resource, plan.Strategy)
	switch {
	case spec.PageSize == 0:
		plan.PageSize = min(listLimit, most)
	case spec.PageSize < 0 || spec.PageSize > most:
		return provider.Plan{}, provider.Invalid(Name, "page_size", "%d is out of range; the maximum for %s is %d", spec.PageSize, spec.Resource, most)
	}
	if searched(plan.Resource, plan.Strategy) && plan.PageSize > c.cfg.SearchCap/2 {
		return provider.Plan{}, provider.Invalid(Name, "page_size", "%d is over half of CLOSE_SEARCH_CAP (%d), the most a window walk returns between re-anchors", plan.PageSize, c.cfg.SearchCap)
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
	if err := checkFilters(*plan); err != nil {
		return err
	}
	if searched(plan.Resource, plan.Strategy) {
		plan.Fields = wholeFields(plan.Resource, plan.Fields, !plan.Since.IsZero())
		return nil
	}
	if len(plan.Fields) > 0 {
		// id identifies records; date_created keeps the order checkable; date_updated
		// lets since be checked.
		keep := []string{"id", "date_created"}
		if sinceFilter(*plan) == "date_updated__gte" && !plan.Since.IsZero() {
			keep = append(keep, "date_updated")
		}
		plan.Fields = withFields(keep, plan.Fields)
	}
	return nil
}

func checkEvent(plan provider.Plan) error {
	if len(plan.Query) > 0 || len(plan.Fields) > 0 {
		return provider.Invalid(Name, "query", "event takes neither query nor fields; use filters (%s)", names(allowedFilters("event", plan.Strategy)))
	}
	return checkFilters(plan)
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
