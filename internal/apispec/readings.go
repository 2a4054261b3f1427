package apispec

import "slices"

// Reading is a fact a spec leaves out or contradicts, read by hand in the provider's
// reference page (Ref) and relied on by the connectors. Every one is listed in the README's
// "Readings the connectors rely on". Readings are applied on top of the generated facts.
type Reading struct {
	Provider string
	Method   string
	// Path is the endpoint's pattern as the facts write it; empty with Each.
	Path string
	// Each, when set, picks the endpoints the reading applies to instead of Path.
	Each func(e Endpoint) bool
	Ref  string
	// Add are parameters the reference documents beyond the spec's list (replacing a listed
	// one of the same name).
	Add []Field
	// Drop are parameters the spec lists and the reference says the endpoint does not take.
	Drop []string
	// AddRecord are record fields the reference documents beyond the spec's schema; a name
	// ending in * stands for every name with that prefix (Close's custom.cf_<id>).
	AddRecord []Field
	// Endpoint is a whole endpoint the spec has no path for.
	Endpoint *Endpoint
}

const (
	closeEvents   = "https://developer.close.com/api/resources/events"
	closeSearch   = "https://developer.close.com/api/resources/advanced-filtering"
	closeLeads    = "https://developer.close.com/api/resources/leads"
	closeContacts = "https://developer.close.com/api/resources/contacts"
	closeOpps     = "https://developer.close.com/api/resources/opportunities"
	clioPaging    = "https://docs.developers.clio.com/api-docs/paging"
	clioAPI       = "https://docs.developers.clio.com/api-reference/"
)

// closeCustom: custom field values come back as custom.cf_<id> keys, and _fields may name
// custom (all of them) or each custom.cf_<id>; the spec's schemas have neither.
func closeCustom(ref string) []Field {
	return []Field{
		{Name: "custom", Type: "object", Open: true, Reading: ref},
		{Name: "custom.cf_*", Reading: ref},
	}
}

// readings is every hand-read fact; see Reading.
var readings = []Reading{
	// The operation's description documents _cursor and request_id, says _skip is not
	// supported and caps _limit at 50; its parameter array says otherwise.
	{Provider: "close", Method: "GET", Path: "/api/v1/event/", Ref: closeEvents,
		Add: []Field{
			{Name: "_cursor", Type: "string", Reading: closeEvents},
			{Name: "request_id", Type: "string", Reading: closeEvents},
			{Name: "_limit", Type: "integer", Max: num(50), MaxFrom: "description", Reading: closeEvents},
		},
		Drop: []string{"_skip"}},
	{Provider: "close", Method: "GET", Path: "/api/v1/lead/", Ref: closeLeads, AddRecord: closeCustom(closeLeads)},
	{Provider: "close", Method: "GET", Path: "/api/v1/contact/", Ref: closeContacts, AddRecord: closeCustom(closeContacts)},
	{Provider: "close", Method: "GET", Path: "/api/v1/opportunity/", Ref: closeOpps, AddRecord: closeCustom(closeOpps)},
	// Advanced Filtering has no path in the spec; its body fields are the reference's and,
	// for sort, _fields, include_counts and the _limit of 200, public connectors' (README).
	{Provider: "close", Ref: closeSearch, Endpoint: &Endpoint{Method: "POST", Path: "/api/v1/data/search/", List: true,
		Reading: closeSearch, Query: []Field{},
		Body: []Field{
			{Name: "_fields", Type: "object", Open: true, Reading: closeSearch},
			{Name: "_limit", Type: "integer", Min: num(1), Max: num(200), Reading: closeSearch},
			{Name: "cursor", Type: "string", Nullable: true, Reading: closeSearch},
			{Name: "include_counts", Type: "boolean", Reading: closeSearch},
			{Name: "query", Type: "object", Required: true, Open: true, Reading: closeSearch},
			{Name: "results_limit", Type: "integer", Reading: closeSearch},
			{Name: "sort", Type: "array", Items: "object", Reading: closeSearch},
		}}},
	// offset is documented in the paging guide only, for every index action.
	{Provider: "clio", Method: "GET", Ref: clioPaging,
		Each: func(e Endpoint) bool { _, ok := e.Param("page_token"); return e.List && ok },
		Add:  []Field{{Name: "offset", Type: "integer", Min: num(0), Reading: clioPaging}}},
	// custom_field_values[<id>]'s enum is the operators a value starts with ("<=50"), not
	// the values themselves.
	{Provider: "clio", Method: "GET", Ref: clioAPI,
		Each: func(e Endpoint) bool { _, ok := e.Param("custom_field_values"); return ok },
		Add:  []Field{{Name: "custom_field_values", Type: "string", Reading: clioAPI}}},
}

// Readings lists every hand-read fact.
func Readings() []Reading { return slices.Clone(readings) }

func (r *Reading) applies(provider string, e Endpoint) bool {
	if r.Provider != provider || r.Method != "" && r.Method != e.Method {
		return false
	}
	if r.Each != nil {
		return r.Each(e)
	}
	return r.Path != "" && r.Path == e.Path
}

// applyReadings returns e with every reading that applies to it.
func applyReadings(provider string, e Endpoint) Endpoint {
	e.Query, e.Body = slices.Clone(e.Query), slices.Clone(e.Body)
	for k := range readings {
		r := &readings[k]
		if !r.applies(provider, e) {
			continue
		}
		e.Reading = r.Ref
		e.Query = slices.DeleteFunc(e.Query, func(f Field) bool { return slices.Contains(r.Drop, f.Name) })
		for _, f := range r.Add {
			e.Query = slices.DeleteFunc(e.Query, func(g Field) bool { return g.Name == f.Name })
			e.Query = append(e.Query, f)
		}
		if len(r.AddRecord) > 0 {
			rec := e.Record
			rec.Fields = append(slices.Clone(e.RecordFields()), r.AddRecord...)
			rec.Open = e.RecordOpen()
			rec.Ref = ""
			e.Record = rec
		}
	}
	return e
}
