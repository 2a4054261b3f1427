package clever

// ParamTables is, per endpoint, every query parameter the rows let an export send, for the
// conformance suite to hold to the spec facts.
func ParamTables() map[string][]string {
	out := map[string][]string{}
	for _, r := range table {
		params := []string{"limit", "starting_after"}
		if r.unpaged {
			params = nil
		}
		out["GET "+r.path] = append(params, r.filters...)
	}
	return out
}
