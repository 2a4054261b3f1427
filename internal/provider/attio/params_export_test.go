package attio

// ParamTables is, per endpoint, every filter the shapes let an export send and, for the
// query endpoints, the body Fetch sends, for the conformance suite to hold to the spec facts.
func ParamTables() map[string][]string {
	out := map[string][]string{}
	for _, sh := range shapes {
		params := append([]string{}, sh.filters...)
		if sh.query {
			params = append(params, "body.filter", "body.limit", "body.offset", "body.sorts")
		}
		out[sh.endpoint] = params
	}
	return out
}
