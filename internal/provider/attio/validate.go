package attio

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// accepted describes the resource names Validate takes, for its error.
const accepted = "meetings, notes, tasks, workspace_members, an object's api_slug or id (people, companies, …), " +
	"or list.<api_slug or id> for a list's entries"

// Validate checks spec without touching the network and fills in defaults.
func (c *Connector) Validate(spec provider.Spec) (provider.Plan, error) {
	if c.urlErr != nil {
		return provider.Plan{}, provider.Invalid(Name, "ATTIO_BASE_URL", "%v", c.urlErr)
	}
	if !c.token.Configured() {
		return provider.Plan{}, &provider.Error{Provider: Name, Resource: spec.Resource, Message: "ATTIO_TOKEN is not set in the worker's environment"}
	}
	t := c.resolve(spec.Resource)
	if t.kind == 0 {
		return provider.Plan{}, provider.Invalid(Name, "resource", "%q is not an attio resource; allowed: %s", spec.Resource, accepted)
	}
	sh := shapes[t.kind]
	plan := provider.Plan{Spec: spec, MaxParallel: 1}
	if spec.Strategy == "" {
		plan.Strategy = sh.strategy
	} else if spec.Strategy != sh.strategy {
		return provider.Plan{}, provider.Invalid(Name, "strategy", "%q is not available for %s; allowed: %s", spec.Strategy, spec.Resource, sh.strategy)
	}
	if plan.Strategy == provider.StrategyOffset {
		plan.MaxParallel = 8
	}
	size, err := pageSize(spec, sh)
	if err != nil {
		return provider.Plan{}, err
	}
	plan.PageSize = size
	if len(spec.Fields) > 0 {
		return provider.Plan{}, provider.Invalid(Name, "fields", "attio returns whole records and cannot select fields; leave fields empty")
	}
	if err := checkFilters(spec, t.kind); err != nil {
		return provider.Plan{}, err
	}
	if err := checkQuery(spec, sh); err != nil {
		return provider.Plan{}, err
	}
	if !spec.Since.IsZero() && !sh.query {
		return provider.Plan{}, provider.Invalid(Name, "since", "attio cannot list %s changed since a time; leave since empty", spec.Resource)
	}
	return plan, nil
}

// pageSize is the limit to send. An endpoint without paging still gets a page size of 1 in
// the plan, which the workflow requires and Fetch never sends; every page validates its
// plan again, so that 1 is accepted too.
func pageSize(spec provider.Spec, sh shape) (int, error) {
	switch {
	case sh.maxPage == 0 && spec.PageSize > 1:
		return 0, provider.Invalid(Name, "page_size", "%s documents no paging parameter (%s); leave page_size empty", spec.Resource, sh.endpoint)
	case sh.maxPage == 0:
		return 1, nil
	case spec.PageSize == 0:
		return sh.maxPage, nil
	case spec.PageSize < 0 || spec.PageSize > sh.maxPage:
		return 0, provider.Invalid(Name, "page_size", "%d is out of range; Attio's maximum for %s is %d", spec.PageSize, spec.Resource, sh.maxPage)
	}
	return spec.PageSize, nil
}

// checkFilters holds filters to the reference's list, with its pairs and values.
func checkFilters(spec provider.Spec, k kind) error {
	sh := shapes[k]
	for key := range spec.Filters {
		if !slices.Contains(sh.filters, key) {
			return provider.Invalid(Name, "filters", "%q is not a filter the %s reference documents; allowed: %s", key, spec.Resource, allowed(sh))
		}
	}
	f := spec.Filters
	if (k == kindMeetings || k == kindTasks) && (f["linked_object"] == "") != (f["linked_record_id"] == "") {
		return provider.Invalid(Name, "filters", "linked_object and linked_record_id go together (%s)", sh.reference)
	}
	if v, ok := f["is_completed"]; ok && v != "true" && v != "false" {
		return provider.Invalid(Name, "filters", "is_completed is %q; allowed: true, false", v)
	}
	return nil
}

func allowed(sh shape) string {
	switch {
	case sh.query:
		return "none (put the filter in query)"
	case len(sh.filters) == 0:
		return "none"
	}
	return strings.Join(sh.filters, ", ")
}

// checkQuery accepts a JSON object, and only where Attio takes a filter body.
func checkQuery(spec provider.Spec, sh shape) error {
	if len(bytes.TrimSpace(spec.Query)) == 0 {
		return nil
	}
	if !sh.query {
		return provider.Invalid(Name, "query", "%s takes no filter body; query is for object records and list entries", spec.Resource)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(spec.Query, &obj); err != nil || obj == nil {
		return provider.Invalid(Name, "query", "must be a JSON object (an Attio filter), got %.80s", spec.Query)
	}
	return nil
}
