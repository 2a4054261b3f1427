package clio

// ParamTables is, per endpoint, every query parameter the table lets an export send
// (fields and limit, the row's filters and fixed parameter), for the conformance suite to
// hold to the spec facts.
func ParamTables() map[string][]string {
	out := map[string][]string{}
	for _, r := range resources {
		key := "GET /api/v4/" + r.path + ".json"
		out[key] = append(out[key], "fields", "limit", "page_token", "offset")
		out[key] = append(out[key], r.params...)
		if r.fixed[0] != "" {
			out[key] = append(out[key], r.fixed[0])
		}
	}
	return out
}
