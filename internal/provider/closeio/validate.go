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
	r, ok := rowOf(spec.Resource)
	if !ok {
		return provider.Plan{}, provider.Invalid(Name, "resource", "%q is not a %s resource; allowed: %s, or %s.<custom object type id>",
			spec.Resource, Name, strings.Join(Resources(), ", "), customObject)
	}
	plan := provider.Plan{Spec: spec, MaxParallel: 1}
	if spec.Strategy == "" {
		plan.Strategy = r.strategies[0]
	} else if !slices.Contains(r.strategies, spec.Strategy) {
		return provider.Plan{}, provider.Invalid(Name, "strategy", "%q is not available for %s; allowed: %s", spec.Strategy, spec.Resource, strings.Join(r.strategies, ", "))
	}
	// Offset ranges and date_created windows can page concurrently; the credential's
	// pacer, not this number, keeps them under the rate budget. A custom object export
	// pages leads, not records, so ranges of it are not split.
	if (plan.Strategy == provider.StrategyOffset || plan.Strategy == provider.StrategyWindow) && r.kind != kindByLead {
		plan.MaxParallel = 8
	}
	if err := c.checkPageSize(&plan, r); err != nil {
		return provider.Plan{}, err
	}
	var err error
	switch r.kind {
	case kindList:
		err = checkList(&plan)
	case kindEvent:
		err = checkEvent(plan)
	case kindSearch:
		err = checkSearch(plan)
	case kindOne, kindByLead:
		err = checkPlain(&plan, r)
	}
	if err != nil {
		return provider.Plan{}, err
	}
	return plan, nil
}

// checkPageSize fills in the default page size and holds page_size to the maximum.
func (c *Connector) checkPageSize(plan *provider.Plan, r resource) error {
	most := maxPage(plan.Resource, plan.Strategy)
	switch {
	case most == 0 && plan.PageSize != 0:
		return provider.Invalid(Name, "page_size", "%s comes in one page (its reference documents no paging); leave page_size unset", plan.Resource)
	case plan.PageSize == 0 && r.kind == kindByLead:
		plan.PageSize = leadsPage
	case plan.PageSize == 0:
		plan.PageSize = min(listLimit, most)
	case plan.PageSize < 0 || plan.PageSize > most:
		return provider.Invalid(Name, "page_size", "%d is out of range; the maximum for %s is %d", plan.PageSize, plan.Resource, most)
	}
	if searched(plan.Resource, plan.Strategy) && plan.PageSize > c.cfg.SearchCap/2 {
		return provider.Invalid(Name, "page_size", "%d is over half of CLOSE_SEARCH_CAP (%d), the most a window walk returns between re-anchors", plan.PageSize, c.cfg.SearchCap)
	}
	return nil
}

// checkPlain checks a one-page list or a custom object export: no query, fields (always
// with id) only where documented, filters as documented, and no since (neither has a date
// filter).
func checkPlain(plan *provider.Plan, r resource) error {
	switch {
	case len(plan.Query) > 0:
		return provider.Invalid(Name, "query", "%s takes no query body", plan.Resource)
	case len(plan.Fields) > 0 && !slices.Contains(r.params, "_fields"):
		return provider.Invalid(Name, "fields", "GET /api/v1/%s documents no _fields; leave fields unset", r.path)
	case len(plan.Fields) > 0:
		plan.Fields = withFields([]string{"id"}, plan.Fields)
	}
	return checkFilters(*plan)
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
	if len(plan.Fields) > 0 && !slices.Contains(rowFor(plan.Resource).params, "_fields") {
		return provider.Invalid(Name, "fields", "%s documents no _fields; leave fields unset", endpointName(*plan))
	}
	if len(plan.Fields) > 0 {
		// id identifies records; date_created keeps the order checkable; date_updated
		// lets since be checked.
		keep := []string{"id"}
		if r := rowFor(plan.Resource); r.ordered || r.walk {
			keep = append(keep, "date_created")
		}
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
