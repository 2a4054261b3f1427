package closeio

// ParamTables is, per endpoint, every query parameter the table lets an export send, for
// the conformance suite to hold to the spec facts.
func ParamTables() map[string][]string {
	out := map[string][]string{}
	for _, r := range table {
		if r.kind == kindSearch {
			continue
		}
		key := "GET /api/v1/" + r.path
		out[key] = append(out[key], r.params...)
	}
	return out
}
